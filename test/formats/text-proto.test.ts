import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.ts';
import { formatTextProto, parseTextProto } from '../../src/formats/text-proto.ts';

describe('formatTextProto', () => {
  it('writes scalars, enums, nested and repeated fields with a two-space indent', () => {
    const text = formatTextProto({
      model_config_list: {
        config: [
          {
            name: 'mnist',
            base_path: '/models/mnist',
            model_platform: 'tensorflow',
            model_version_policy: { specific: { versions: [1, 2] } },
            version_labels: [{ key: 'stable', value: 1 }],
          },
          { name: 'other', base_path: '/m/o', enabled: true, ratio: 0.25, kind: { enum: 'LATEST' } },
        ],
      },
    });
    expect(text).toBe(`model_config_list {
  config {
    name: "mnist"
    base_path: "/models/mnist"
    model_platform: "tensorflow"
    model_version_policy {
      specific {
        versions: 1
        versions: 2
      }
    }
    version_labels {
      key: "stable"
      value: 1
    }
  }
  config {
    name: "other"
    base_path: "/m/o"
    enabled: true
    ratio: 0.25
    kind: LATEST
  }
}
`);
  });

  it('escapes quotes, backslashes and control characters and keeps other text as it is', () => {
    expect(formatTextProto({ s: 'a "q" \\ \n\t\u0001 é' })).toBe('s: "a \\"q\\" \\\\ \\n\\t\\001 é"\n');
  });

  it('writes an empty message as an empty block', () => {
    expect(formatTextProto({ all: {} })).toBe('all {\n}\n');
    expect(formatTextProto({})).toBe('');
  });
});

describe('parseTextProto', () => {
  it('reads back what formatTextProto writes, every field as an array', () => {
    const message = { a: 'x "y"\n', b: [1, -2.5], c: { d: true, e: { enum: 'LITTLE' } }, f: [{ g: 'h' }, { g: 'i' }] };
    expect(parseTextProto(formatTextProto(message), 'm.txt')).toEqual({
      a: ['x "y"\n'],
      b: [1, -2.5],
      c: [{ d: [true], e: [{ enum: 'LITTLE' }] }],
      f: [{ g: ['h'] }, { g: ['i'] }],
    });
  });

  it('accepts comments, "field: {", angle brackets, separators and lists', () => {
    const text = `# a comment
max_batch_size { value: 128 }  # trailing comment
batch_timeout_micros: { value: 0 }
num_batch_threads <value: 8>;
allowed_batch_sizes: 8, allowed_batch_sizes: 16
allowed_batch_sizes: [32, 64]
`;
    expect(parseTextProto(text, 'batching_parameters.txt')).toEqual({
      max_batch_size: [{ value: [128] }],
      batch_timeout_micros: [{ value: [0] }],
      num_batch_threads: [{ value: [8] }],
      allowed_batch_sizes: [8, 16, 32, 64],
    });
  });

  it('reads numbers in every spelling the format allows', () => {
    const parsed = parseTextProto('n: 0x1F n: -7 n: 1.5e-3 n: .5 n: 2.5f n: -inf n: nan n: 1E3', 's');
    expect(parsed.n).toEqual([31, -7, 0.0015, 0.5, 2.5, -Infinity, NaN, 1000]);
  });

  it('reads single and double quotes, escapes, and concatenates adjacent strings', () => {
    const parsed = parseTextProto(`s: 'it\\'s' s: "a\\tb\\101\\x42\\303\\251" s: "con" 'cat' s: "ünï"`, 's');
    expect(parsed.s).toEqual(["it's", 'a\tbABé', 'concat', 'ünï']);
  });

  it('reads bare identifiers as enums and true/false as booleans', () => {
    expect(parseTextProto('e: DT_FLOAT b: false B: True', 's')).toEqual({
      e: [{ enum: 'DT_FLOAT' }],
      b: [false],
      B: [true],
    });
  });

  it('names the source, line and column and what it expected', () => {
    const cases: [string, RegExp][] = [
      ['a: 1\nb 2', /^cfg:2:3: expected ":" or "\{" after field b, found "2"$/],
      ['a {\n  b: 1\n', /^cfg:3:1: expected "\}" to close the message, found the end of the file$/],
      ['a: "open\n', /^cfg:1:9: expected the closing " of the string that starts at 1:4/],
      ['a: 12abc', /^cfg:1:4: expected a value/],
      ['a: "\\q"', /^cfg:1:6: expected a string escape/],
      ['{ a: 1 }', /^cfg:1:1: expected a field name, found "\{/],
      ['a: [1 2]', /^cfg:1:7: expected "," or "\]" in the list/],
    ];
    for (const [text, message] of cases) {
      let caught: unknown;
      try {
        parseTextProto(text, 'cfg');
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(UserInputError);
      expect((caught as Error).message, text).toMatch(message);
    }
  });
});
