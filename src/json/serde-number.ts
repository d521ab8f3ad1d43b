import { isNumber, JsonNumber, type Json } from './value.js';

/**
 * How serde_json renders a number it parsed (`Number::to_string`), which is what the reference's
 * "string-like" identifiers become: integers that fit i64/u64 print as integers; everything else
 * (fractions, exponents, `12.0`, integers beyond u64) was parsed as an f64 and prints through ryu:
 * shortest round-trip digits, always with a `.0` or an exponent (`12.0`, `1e21`, `1.5e-7`).
 */
const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

export function serdeNumberText(v: number | JsonNumber): string {
  if (v instanceof JsonNumber) {
    if (v.isIntegerLiteral) {
      const big = BigInt(v.text);
      if (big === 0n && v.text.startsWith('-')) return '-0.0';
      if (big >= I64_MIN && big <= U64_MAX) return big.toString();
    }
    return ryuText(v.value);
  }
  // Plain numbers that are safe integers came from plain integer literals (parseJson keeps the rest exact).
  if (Number.isSafeInteger(v)) return Object.is(v, -0) ? '-0.0' : String(v);
  return ryuText(v);
}

/** ryu's `format64` layout for a finite double. */
export function ryuText(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() with no argument yields the shortest round-trip digits, like ryu.
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const kk = Number(exp) + 1; // position of the decimal point relative to the digits
  if (length <= kk && kk <= 16) return `${sign}${digits}${'0'.repeat(kk - length)}.0`;
  if (0 < kk && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (-5 < kk && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${digits}`;
  const e = kk - 1;
  return length === 1 ? `${sign}${digits}e${e}` : `${sign}${digits[0]}.${digits.slice(1)}e${e}`;
}

/**
 * The reference's string-like conversion of an identifier (relay-cli.md §0.2, adapters/mod.rs:349-358;
 * the alignment helpers alike): strings as they are, numbers as serde_json prints them (`1e2` is
 * "100.0", `1.50` is "1.5"), booleans as `true`/`false`; objects, arrays and null give nothing, and so
 * does an empty result. One conversion for the hook adapters and the gateway's session chain, so an id
 * given as a number in a hook and as text in a header is one id.
 */
export function stringLike(value: Json | undefined): string | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  // (A number past a double's range, `1e400`, which serde_json would not have read at all, stays as written.)
  else if (value instanceof JsonNumber && !Number.isFinite(value.value)) text = value.text;
  else if (isNumber(value)) text = serdeNumberText(value);
  return text === undefined || text === '' ? undefined : text;
}
