import { describe, expect, it } from 'vitest';
import { readTable } from '../../../src/formats/tensor-bundle/sstable-reader.ts';
import { buildTable } from '../../../src/formats/tensor-bundle/sstable-writer.ts';

const entry = (key: string, value = 'v') => ({ key: Buffer.from(key), value: Buffer.from(value) });

describe('LevelDB table', () => {
  it('reads back entries across blocks, keys rebuilt from shared prefixes', () => {
    const entries = Array.from({ length: 100 }, (_, i) => entry(`key/${String(i).padStart(3, '0')}`, `value ${i}`));
    const table = buildTable(entries, 256);
    expect(readTable(table, 't').map((e) => [Buffer.from(e.key).toString(), Buffer.from(e.value).toString()])).toEqual(
      entries.map((e) => [e.key.toString(), e.value.toString()]),
    );
  });

  it("leaves the caller's keys untouched while choosing index keys", () => {
    const entries = [entry('apple'), entry('banana'), entry('cherry')];
    buildTable(entries, 1);
    expect(entries.map((e) => e.key.toString())).toEqual(['apple', 'banana', 'cherry']);
  });

  it('writes an empty table as an empty metaindex and index plus the footer', () => {
    const table = buildTable([]);
    expect(table.length).toBe(2 * (8 + 5) + 48);
    expect(readTable(table, 't')).toEqual([]);
  });

  it('refuses keys that are not strictly increasing bytewise', () => {
    expect(() => buildTable([entry('b'), entry('a')])).toThrow('table keys must be strictly increasing: "a" after "b"');
    expect(() => buildTable([entry('a'), entry('a')])).toThrow(/strictly increasing/);
    expect(() => buildTable([entry('Z'), entry('a'), entry('\u00e9')])).not.toThrow();
  });
});
