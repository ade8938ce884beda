/**
 * Numbers as TF Serving writes them in JSON: the shortest of %g with 6 digits that round-trips,
 * else 9 for float (17 for double); whole numbers get ".0".
 */

/** TF Serving's WriteDecimal: %g at `short` digits if it round-trips, else at `full` digits. */
export function formatDecimal(value: number, short: number, full: number, roundTrip: (x: number) => number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Infinity' : 'Infinity';
  let text = formatG(value, short);
  if (roundTrip(Number(text)) !== value) text = formatG(value, full);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** C's printf("%.{precision}g"). */
export function formatG(value: number, precision: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // toPrecision rounds as toExponential does and, when the rounded exponent is in -4..precision-1,
  // writes %g's fixed notation before %g drops trailing zeros: the common case, at a third the cost.
  const fixed = value.toPrecision(precision);
  if (!fixed.includes('e') && !fixed.startsWith(value < 0 ? '-0.0000' : '0.0000')) return stripTrailingZeros(fixed);
  const [mantissa, exponentText] = value.toExponential(precision - 1).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= precision) {
    return `${stripTrailingZeros(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripTrailingZeros(value.toFixed(precision - 1 - exponent));
}

function stripTrailingZeros(digits: string): string {
  if (!digits.includes('.')) return digits;
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 0x30) end--;
  if (digits.charCodeAt(end - 1) === 0x2e) end--;
  return digits.slice(0, end);
}
