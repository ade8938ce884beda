/**
 * Parsers for flag values, shared so a flag of the same kind accepts and rejects the same text
 * everywhere. Commander reports their InvalidArgumentError as one line naming the option (exit 2).
 */
import { InvalidArgumentError } from 'commander';

function integerRange(min: number, max: number): string {
  if (max !== Number.MAX_SAFE_INTEGER) return `expected an integer from ${min} to ${max}`;
  if (min === 0) return 'expected a non-negative integer';
  if (min === 1) return 'expected a positive integer';
  return `expected an integer of at least ${min}`;
}

/**
 * An integer from `min` to `max` written in plain digits (a minus only where `min` is negative;
 * no exponent, fraction or spaces).
 */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  const digits = min < 0 ? /^-?\d+$/ : /^\d+$/;
  return (value) => {
    const n = Number(value);
    if (!digits.test(value) || n < min || n > max) throw new InvalidArgumentError(integerRange(min, max));
    return n;
  };
}

export const positiveInteger = integer(1);
export const nonNegativeInteger = integer(0);

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** A number from 0 to 1, e.g. an accuracy. */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

/** A fraction above 0, e.g. of a GPU's memory: 0 < x ≤ 1. */
export function positiveFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 1))
    throw new InvalidArgumentError('expected a number greater than 0 and at most 1');
  return n;
}

/** A SavedModel signature name: letters, digits and `_ . - /`, as TF Serving's clients send them. */
export function signatureName(value: string): string {
  if (!/^[A-Za-z0-9_.\-/]+$/.test(value))
    throw new InvalidArgumentError('expected a plain name (letters, digits, _ . - /)');
  return value;
}

/** A repeatable flag: each occurrence parsed by `parse` and appended to the list. */
export function collect<T>(parse: (value: string) => T): (value: string, previous?: T[]) => T[] {
  return (value, previous = []) => [...previous, parse(value)];
}
