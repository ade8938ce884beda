/**
 * Protocol-buffer text format (what TensorFlow and TF Serving read for models.config, batching
 * parameters and the checkpoint state file), without a schema: the caller knows which fields
 * are messages, repeated, or enums. Written: `field: value` and `field {` … `}`, two-space
 * indent, strings double-quoted with C escapes, enums bare. Read: the format's full surface
 * that such files use — `#` comments, `field { }` / `field: { }` / `< >`, `[a, b]` lists,
 * `;`/`,` separators, numbers (including hex, `1.5f`, inf/nan), single- or double-quoted
 * strings with escapes (adjacent strings concatenate), true/false, and bare identifiers as enums.
 */
import { UserInputError } from '../errors.ts';

export type TextProtoScalar = string | number | boolean | { enum: string };
export type TextProtoValue = TextProtoScalar | TextProtoMessage;
export interface TextProtoMessage {
  [field: string]: TextProtoValue | TextProtoValue[];
}
/** A parsed message: every field an array of its values, in file order. */
export interface TextProtoFields {
  [field: string]: (TextProtoScalar | TextProtoFields)[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isEnum(value: unknown): value is { enum: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { enum?: unknown }).enum === 'string'
  );
}

function quote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function formatScalar(field: string, value: TextProtoScalar): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  if (!IDENTIFIER.test(value.enum))
    throw new Error(`text proto field ${field}: enum value "${value.enum}" is not an identifier`);
  return value.enum;
}

function formatFields(message: TextProtoMessage, indent: string, lines: string[]): void {
  for (const [field, entry] of Object.entries(message)) {
    if (entry === undefined) continue;
    if (!IDENTIFIER.test(field)) throw new Error(`text proto field name "${field}" is not an identifier`);
    for (const value of Array.isArray(entry) ? entry : [entry]) {
      if (typeof value === 'object' && !isEnum(value)) {
        lines.push(`${indent}${field} {`);
        formatFields(value, `${indent}  `, lines);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}${field}: ${formatScalar(field, value)}`);
      }
    }
  }
}

/** Text format of `message`, one field per line, ending in a newline. */
export function formatTextProto(message: TextProtoMessage): string {
  const lines: string[] = [];
  formatFields(message, '', lines);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

const SIMPLE_ESCAPES: Record<string, number> = {
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  v: 0x0b,
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  '?': 0x3f,
};
const NUMBER = /^-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]?)(?![A-Za-z0-9_.])/;
const SPECIAL_NUMBERS: Record<string, number> = { inf: Infinity, infinity: Infinity, nan: NaN };

class Parser {
  private pos = 0;
  private line = 1;
  private column = 1;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  fail(expected: string, line = this.line, column = this.column): UserInputError {
    const found =
      this.pos >= this.text.length
        ? 'the end of the file'
        : JSON.stringify(this.text.slice(this.pos).match(/^\S{1,20}/)?.[0] ?? this.text[this.pos]);
    return new UserInputError(`${this.source}:${line}:${column}: expected ${expected}, found ${found}`);
  }

  private advance(count = 1): void {
    for (let i = 0; i < count; i += 1) {
      if (this.text[this.pos] === '\n') {
        this.line += 1;
        this.column = 1;
      } else {
        this.column += 1;
      }
      this.pos += 1;
    }
  }

  /** Skips whitespace and comments; returns the next character ('' at the end). */
  peek(): string {
    for (;;) {
      const char = this.text[this.pos];
      if (char === '#') {
        while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.advance();
      } else if (char !== undefined && /\s/.test(char)) {
        this.advance();
      } else {
        return char ?? '';
      }
    }
  }

  accept(char: string): boolean {
    if (this.peek() !== char) return false;
    this.advance();
    return true;
  }

  identifier(what: string): string {
    this.peek();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) throw this.fail(what);
    this.advance(match[0].length);
    return match[0];
  }

  private string(): string {
    const bytes: number[] = [];
    while (this.peek() === '"' || this.peek() === "'") {
      const quoteChar = this.text[this.pos]!;
      const [line, column] = [this.line, this.column];
      this.advance();
      for (;;) {
        const char = this.text[this.pos];
        if (char === undefined || char === '\n')
          throw this.fail(`the closing ${quoteChar} of the string that starts at ${line}:${column}`);
        if (char === quoteChar) break;
        if (char === '\\') {
          this.advance();
          bytes.push(...this.escape());
        } else {
          const codePoint = this.text.codePointAt(this.pos)!;
          const utf8 = Buffer.from(String.fromCodePoint(codePoint), 'utf8');
          bytes.push(...utf8);
          this.advance(codePoint > 0xffff ? 2 : 1);
        }
      }
      this.advance();
    }
    return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
  }

  private escape(): number[] {
    const char = this.text[this.pos] ?? '';
    const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.pos, this.pos + 3));
    if (octal) {
      this.advance(octal[0].length);
      return [parseInt(octal[0], 8) & 0xff];
    }
    const hexMatch = /^[xX]([0-9a-fA-F]{1,2})/.exec(this.text.slice(this.pos, this.pos + 3));
    if (hexMatch) {
      this.advance(hexMatch[0].length);
      return [parseInt(hexMatch[1]!, 16)];
    }
    if (char in SIMPLE_ESCAPES) {
      this.advance();
      return [SIMPLE_ESCAPES[char]!];
    }
    throw this.fail('a string escape (\\n, \\t, \\\\, \\", \\\', octal \\NNN or hex \\xHH)');
  }

  scalar(): TextProtoScalar {
    const char = this.peek();
    if (char === '"' || char === "'") return this.string();
    const rest = this.text.slice(this.pos, this.pos + 400);
    const number = NUMBER.exec(rest)?.[0];
    if (number !== undefined) {
      this.advance(number.length);
      const digits = number.replace(/^-/, '');
      const magnitude = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : Number(digits.replace(/[fF]$/, ''));
      return number.startsWith('-') ? -magnitude : magnitude;
    }
    const word = /^-?[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    const special = word === undefined ? undefined : SPECIAL_NUMBERS[word.replace(/^-/, '').toLowerCase()];
    if (word === undefined || (word.startsWith('-') && special === undefined)) {
      throw this.fail('a value (number, string, true/false or enum name)');
    }
    this.advance(word.length);
    if (special !== undefined) return word.startsWith('-') ? -special : special;
    if (word === 'true' || word === 'True') return true;
    if (word === 'false' || word === 'False') return false;
    return { enum: word };
  }

  /** Fields up to `end` ('' for the end of the file). */
  message(end: string): TextProtoFields {
    const fields: TextProtoFields = {};
    for (;;) {
      const next = this.peek();
      if (next === end) {
        if (end !== '') this.advance();
        return fields;
      }
      if (next === '') throw this.fail(`"${end}" to close the message`);
      const name = this.identifier(end === '' ? 'a field name' : `a field name or "${end}"`);
      fields[name] ??= [];
      const values = fields[name];
      const colon = this.accept(':');
      const open = this.peek();
      if (open === '{' || open === '<') {
        this.advance();
        values.push(this.message(open === '{' ? '}' : '>'));
      } else if (!colon) {
        throw this.fail(`":" or "{" after field ${name}`);
      } else if (this.accept('[')) {
        values.push(...this.list());
      } else {
        values.push(this.scalar());
      }
      if (!this.accept(';')) this.accept(',');
    }
  }

  private list(): (TextProtoScalar | TextProtoFields)[] {
    const values: (TextProtoScalar | TextProtoFields)[] = [];
    if (this.accept(']')) return values;
    for (;;) {
      const open = this.peek();
      if (open === '{' || open === '<') {
        this.advance();
        values.push(this.message(open === '{' ? '}' : '>'));
      } else {
        values.push(this.scalar());
      }
      if (this.accept(']')) return values;
      if (!this.accept(',')) throw this.fail('"," or "]" in the list');
    }
  }
}

/** Parses text format; errors name `source`, the line and column, and what was expected. */
export function parseTextProto(text: string, source: string): TextProtoFields {
  return new Parser(text, source).message('');
}
