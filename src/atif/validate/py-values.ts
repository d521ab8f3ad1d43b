import { JsonNumber } from '../../json/value.js';

/**
 * How the Python reference validator sees JSON values. Parsed documents carry plain numbers, and
 * {@link JsonNumber}s for literals a double cannot represent faithfully: `12.0` and `1e3` are floats
 * to Python (so not integers), `12345678901234567890` is an exact int.
 */

/** A `NaN`, `Infinity` or `-Infinity` token in the source text: not JSON, reported once per value. */
export class NonFiniteToken {
  constructor(readonly token: 'NaN' | 'Infinity' | '-Infinity') {}
  toJSON(): null {
    return null;
  }
}

export type PyInt = number | bigint | JsonNumber;
export type PyNumber = number | bigint | JsonNumber;

/** Python's `isinstance(v, int) and not isinstance(v, bool)`. */
export function isPyInt(value: unknown): value is PyInt {
  if (typeof value === 'number') return Number.isInteger(value);
  if (typeof value === 'bigint') return true;
  return value instanceof JsonNumber && value.isIntegerLiteral;
}

/** An int or a finite float (bools, NaN and infinities excluded), like the reference's `is_num`. */
export function isPyNumber(value: unknown): value is PyNumber {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'bigint') return true;
  return value instanceof JsonNumber && Number.isFinite(value.value);
}

/** Exact comparison for integers (BigInt when either side may exceed 2^53), nearest-double otherwise. */
export function comparePyNumbers(a: PyNumber, b: PyNumber): number {
  if (isPyInt(a) && isPyInt(b)) {
    const x = toBigInt(a);
    const y = toBigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = toDouble(a);
  const y = toDouble(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function pyNumberText(value: PyNumber): string {
  if (value instanceof JsonNumber) return value.text;
  return String(value);
}

function toBigInt(value: PyInt): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  return BigInt(value.text);
}

function toDouble(value: PyNumber): number {
  if (value instanceof JsonNumber) return value.value;
  return Number(value);
}

/** Python-style JSON type names, as used in "expected X, got Y" messages. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (isPyInt(value)) return 'integer';
  if (typeof value === 'number' || value instanceof JsonNumber) return 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'array';
  if (value instanceof NonFiniteToken) return 'non-finite number';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/**
 * A JSON object as the reference sees it (a dict). JsonNumber and NonFiniteToken instances are
 * numbers to Python even though they are JavaScript objects.
 */
export function isPyDict(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof JsonNumber) &&
    !(value instanceof NonFiniteToken)
  );
}

/** `dict.get(key)` without walking the prototype chain; undefined when absent. */
export function prop(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function hasProp(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** `value is None` in Python: absent (undefined) and null both count. */
export function isNone(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** Python truthiness of a JSON value (`not obj.get("notes")`). */
export function isPyTruthy(value: unknown): boolean {
  if (isNone(value) || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (value instanceof JsonNumber) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isPyDict(value)) return Object.keys(value).length > 0;
  return true;
}

/** Characters Python's `str.strip()` removes (`str.isspace()`), which differ from JavaScript's `trim()`. */
const PY_WHITESPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
const PY_WHITESPACE_EDGES =
  /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** `not value.strip()` in Python. */
export function isPyBlank(value: string): boolean {
  return PY_WHITESPACE.test(value);
}

/** Python's `value.strip()`. */
export function pyStrip(value: string): string {
  return value.replace(PY_WHITESPACE_EDGES, '');
}
