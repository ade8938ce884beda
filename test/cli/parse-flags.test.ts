import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integer } from '../../src/cli/parse-flags.ts';

describe('integer flag values', () => {
  it('takes plain digits within the range and rejects everything else with the range in the message', () => {
    const port = integer(0, 65535);
    expect(port('8501')).toBe(8501);
    for (const text of ['-1', '65536', '1e3', '1.5', ' 1', '', '+1']) {
      expect(() => port(text)).toThrow(new InvalidArgumentError('expected an integer from 0 to 65535'));
    }
  });

  it('takes a minus only where the range goes below zero', () => {
    const threads = integer(-1, 1024);
    expect(threads('-1')).toBe(-1);
    expect(threads('0')).toBe(0);
    expect(() => threads('-2')).toThrow('expected an integer from -1 to 1024');
    expect(() => threads('--1')).toThrow('expected an integer from -1 to 1024');
  });
});
