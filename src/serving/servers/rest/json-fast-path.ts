/**
 * A fast path for the predict body nearly every client sends: `{"instances": <nested list of
 * numbers>}` (optionally with a plain `signature_name`), read straight from the request bytes into
 * one Float32Array. JSON.parse would build a JS array per row of pixels (~800 per image) and a
 * boxed number per pixel, which made parsing the server's largest cost.
 *
 * It accepts only documents whose meaning is unambiguous: one `instances` key, a regular (not
 * ragged, not empty) nested list of JSON numbers within float range, and no escapes in keys or the
 * signature name. Anything else returns undefined and the caller takes the general path
 * (../../predict/json-request.ts), which produces TF Serving's exact results and error messages, so this path
 * never changes an answer — it only skips work.
 */
import type { TensorInfo__Output } from '../../../formats/proto/types.ts';
import { FLOAT32_MAX } from '../../../formats/tensorflow/constants.ts';
import { parsePredictRequest, type JsonPredictRequest } from '../../predict/json-request.ts';
import type { RequestLimits } from '../../servable/request-limits.ts';

export interface NumericInstances {
  signatureName: string;
  /** [instances, ...per-instance shape] */
  shape: number[];
  values: Float32Array;
}

const MAX_EXACT_MANTISSA = 2 ** 53;
/** Each digit past 2^53 and the division round once (2^-53 each): 25 digits stay well inside 2^-48. */
const MAX_APPROXIMATE_DIGITS = 25;
const APPROXIMATION_MARGIN = 2 ** -48;
/** Powers of ten that doubles hold exactly (Clinger's fast path: one exact operation, rounded once). */
const EXACT_POWERS = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Deeper documents take the general path (and its recursion limits). */
const MAX_DEPTH = 32;

const SPACE = 0x20,
  TAB = 0x09,
  LF = 0x0a,
  CR = 0x0d;
const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c,
  COLON = 0x3a;
const OPEN_BRACE = 0x7b,
  CLOSE_BRACE = 0x7d,
  OPEN_BRACKET = 0x5b,
  CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d,
  PLUS = 0x2b,
  DOT = 0x2e,
  ZERO = 0x30,
  NINE = 0x39;

const INSTANCES = Buffer.from('"instances"');
const SIGNATURE_NAME = Buffer.from('"signature_name"');

/** Thrown internally to leave the fast path; never escapes this module. */
const NOT_SIMPLE = Symbol('not simple');

class Reader {
  pos = 0;
  rank = 0;
  /** Sizes outermost first; a level's entry is set when its first list closes (deepest first). */
  readonly shape: number[] = [];
  values = new Float32Array(1024);
  count = 0;

  private readonly view: DataView;

  constructor(private readonly bytes: Buffer) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  skipSpace(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    while (pos < bytes.length) {
      const byte = bytes[pos]!;
      if (byte !== SPACE && byte !== LF && byte !== CR && byte !== TAB) break;
      pos++;
    }
    this.pos = pos;
  }

  expect(byte: number): void {
    this.skipSpace();
    if (this.bytes[this.pos] !== byte) throw NOT_SIMPLE;
    this.pos++;
  }

  /** True and consumed when the next token is exactly `literal`. */
  accept(literal: Buffer): boolean {
    this.skipSpace();
    if (this.pos + literal.length > this.bytes.length) return false;
    if (this.bytes.compare(literal, 0, literal.length, this.pos, this.pos + literal.length) !== 0) return false;
    this.pos += literal.length;
    return true;
  }

  /** A string of printable ASCII without escapes (a signature name). */
  plainString(): string {
    this.expect(QUOTE);
    const start = this.pos;
    const bytes = this.bytes;
    while (this.pos < bytes.length) {
      const byte = bytes[this.pos]!;
      if (byte === QUOTE) return bytes.toString('latin1', start, this.pos++);
      if (byte === BACKSLASH || byte < SPACE || byte > 0x7e) throw NOT_SIMPLE;
      this.pos++;
    }
    throw NOT_SIMPLE;
  }

  /**
   * The nested list at `level`. Its rank comes from the first number reached and each level's
   * size from the first list to close there (TF Serving takes both from the first element); every
   * other list must agree, so a ragged or mixed document leaves the fast path.
   */
  list(level: number): void {
    if (level >= MAX_DEPTH) throw NOT_SIMPLE;
    this.expect(OPEN_BRACKET);
    this.skipSpace();
    const bytes = this.bytes;
    if (bytes[this.pos] === CLOSE_BRACKET) throw NOT_SIMPLE;
    let size = 0;
    for (;;) {
      // Whitespace is rare between numbers; only a byte that could be whitespace pays for skipSpace.
      if (bytes[this.pos]! <= SPACE) this.skipSpace();
      if (bytes[this.pos] === OPEN_BRACKET) {
        if (this.rank !== 0 && level + 1 >= this.rank) throw NOT_SIMPLE;
        this.list(level + 1);
      } else {
        if (this.rank === 0) this.rank = level + 1;
        else if (this.rank !== level + 1) throw NOT_SIMPLE;
        this.number();
      }
      size++;
      if (bytes[this.pos]! <= SPACE) this.skipSpace();
      const byte = bytes[this.pos++];
      if (byte === CLOSE_BRACKET) break;
      if (byte !== COMMA) throw NOT_SIMPLE;
    }
    const known = this.shape[level];
    if (known === undefined) this.shape[level] = size;
    else if (known !== size) throw NOT_SIMPLE;
  }

  number(): void {
    // One load per byte into `byte` (0 past the end): this loop is most of a request's parse time.
    const bytes = this.bytes;
    const end = bytes.length;
    const start = this.pos;
    let pos = start;
    let byte = bytes[pos]!;
    const negative = byte === MINUS;
    if (negative) byte = ++pos < end ? bytes[pos]! : 0;
    let mantissa = 0;
    let exponent = 0;
    let digits = 0;
    if (byte === ZERO) {
      digits = 1;
      byte = ++pos < end ? bytes[pos]! : 0;
    } else if (byte > ZERO && byte <= NINE) {
      do {
        mantissa = mantissa * 10 + (byte - ZERO);
        digits++;
        byte = ++pos < end ? bytes[pos]! : 0;
      } while (byte >= ZERO && byte <= NINE);
    } else {
      throw NOT_SIMPLE;
    }
    if (byte === DOT) {
      byte = ++pos < end ? bytes[pos]! : 0;
      const fractionStart = pos;
      // Four digits per step while four bytes are all digits (pixel values carry ~16 of them):
      // one little-endian load, a digit test on all four bytes at once, then pairs and the four.
      const view = this.view;
      while (pos + 4 <= end) {
        const word = view.getUint32(pos, true);
        if (((word & 0xf0f0f0f0) | (((word + 0x06060606) & 0xf0f0f0f0) >>> 4)) !== 0x33333333) break;
        const digits4 = word - 0x30303030;
        const pairs = (digits4 * 10 + (digits4 >>> 8)) & 0x00ff00ff;
        mantissa = mantissa * 10000 + ((pairs & 0xff) * 100 + (pairs >>> 16));
        pos += 4;
      }
      byte = pos < end ? bytes[pos]! : 0;
      while (byte >= ZERO && byte <= NINE) {
        mantissa = mantissa * 10 + (byte - ZERO);
        byte = ++pos < end ? bytes[pos]! : 0;
      }
      if (pos === fractionStart) throw NOT_SIMPLE;
      digits += pos - fractionStart;
      exponent = fractionStart - pos;
    }
    if (byte === 0x65 || byte === 0x45) {
      byte = ++pos < end ? bytes[pos]! : 0;
      let sign = 1;
      if (byte === MINUS || byte === PLUS) {
        if (byte === MINUS) sign = -1;
        byte = ++pos < end ? bytes[pos]! : 0;
      }
      const exponentStart = pos;
      let explicit = 0;
      while (byte >= ZERO && byte <= NINE && explicit < 1e6) {
        explicit = explicit * 10 + (byte - ZERO);
        byte = ++pos < end ? bytes[pos]! : 0;
      }
      if (pos === exponentStart) throw NOT_SIMPLE;
      exponent += sign * explicit;
    }
    this.pos = pos;
    let value: number;
    if (mantissa < MAX_EXACT_MANTISSA && exponent >= -22 && exponent <= 22) {
      value = exponent < 0 ? mantissa / EXACT_POWERS[-exponent]! : mantissa * EXACT_POWERS[exponent]!;
      if (negative) value = -value;
    } else if (exponent >= -22 && exponent <= 0 && digits <= MAX_APPROXIMATE_DIGITS && mantissa < 1e38) {
      // More digits than a double holds exactly (0.14509803921568626): the float32 that JSON.parse's
      // double rounds to is still certain unless the value lies within a few double ulps of a
      // float32 rounding boundary, which the two rounded neighbours below would disagree on.
      const approximate = mantissa / EXACT_POWERS[-exponent]!;
      const margin = approximate * APPROXIMATION_MARGIN;
      value =
        Math.fround(approximate - margin) === Math.fround(approximate + margin)
          ? approximate
          : Number(bytes.toString('latin1', start, pos));
      if (negative) value = -value;
    } else {
      value = Number(bytes.toString('latin1', start, pos));
      if (Number.isNaN(value)) throw NOT_SIMPLE;
    }
    if (!(value <= FLOAT32_MAX && value >= -FLOAT32_MAX)) throw NOT_SIMPLE;
    if (this.count === this.values.length) {
      const grown = new Float32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }
}

/** The body's instances when it has the simple shape described above, else undefined. */
export function parseNumericInstances(body: Buffer): NumericInstances | undefined {
  const reader = new Reader(body);
  try {
    reader.expect(OPEN_BRACE);
    let signatureName: string | undefined;
    let instances = false;
    for (;;) {
      if (!instances && reader.accept(INSTANCES)) {
        reader.expect(COLON);
        reader.list(0);
        instances = true;
      } else if (signatureName === undefined && reader.accept(SIGNATURE_NAME)) {
        reader.expect(COLON);
        signatureName = reader.plainString();
      } else {
        return undefined;
      }
      reader.skipSpace();
      const byte = body[reader.pos++];
      if (byte === CLOSE_BRACE) break;
      if (byte !== COMMA) return undefined;
    }
    reader.skipSpace();
    if (!instances || reader.pos !== body.length) return undefined;
    return { signatureName: signatureName ?? '', shape: reader.shape, values: reader.values.slice(0, reader.count) };
  } catch (error) {
    if (error === NOT_SIMPLE) return undefined;
    throw error;
  }
}

/**
 * A predict request from the raw body: the fast path when the body is simple and the signature
 * takes one float input, else json-request.ts's general parser (errors included).
 */
export function parsePredictBody(body: Buffer): JsonPredictRequest {
  const simple = parseNumericInstances(body);
  if (!simple) return parsePredictRequest(body.toString('utf8'));
  return {
    signatureName: simple.signatureName,
    format: 'row',
    tensors(infos: Record<string, TensorInfo__Output>, limits: RequestLimits) {
      const names = Object.keys(infos);
      if (names.length === 1 && infos[names[0]!]!.dtype === 'DT_FLOAT') {
        return { [names[0]!]: { dtype: 'DT_FLOAT', shape: simple.shape, values: simple.values } };
      }
      return parsePredictRequest(body.toString('utf8')).tensors(infos, limits);
    },
  };
}
