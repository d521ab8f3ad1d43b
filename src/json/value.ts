/**
 * JSON values as relay-atif carries them. Numbers that JavaScript cannot hold exactly the way the
 * reference reads them (integers beyond 2^53, integral values written with a fraction or exponent
 * such as `12.0`, which Rust's `as_u64` rejects) are kept as {@link JsonNumber} with their source text.
 */
export class JsonNumber {
  constructor(readonly text: string) {}
  /** The nearest double; exactness is only guaranteed through `text`. */
  get value(): number {
    return Number(this.text);
  }
  /** True when the text is a plain integer literal (no fraction, no exponent). */
  get isIntegerLiteral(): boolean {
    return /^-?\d+$/.test(this.text);
  }
  toJSON(): number {
    return this.value;
  }
}

/**
 * JSON text that is already serialised (an input line kept verbatim); the printers copy it as is.
 * Only ever built from text that parsed as JSON.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

export type Json = null | boolean | number | string | JsonNumber | RawJson | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber) && !(v instanceof RawJson);
}

export function isNumber(v: unknown): v is number | JsonNumber {
  return (typeof v === 'number' && Number.isFinite(v)) || v instanceof JsonNumber;
}

export function numberValue(v: number | JsonNumber): number {
  return typeof v === 'number' ? v : v.value;
}

const U64_MAX = 18446744073709551615n;

/**
 * serde_json `as_u64`: a non-negative integer literal that fits 64 bits. `10.0`, `-1`, `1e3` are not.
 * Returns the value (a plain number when it is safe, else the exact JsonNumber) or undefined.
 */
export function asU64(v: unknown): number | JsonNumber | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && !Object.is(v, -0) ? v : undefined;
  if (v instanceof JsonNumber && v.isIntegerLiteral && !v.text.startsWith('-')) {
    return BigInt(v.text) <= U64_MAX ? v : undefined;
  }
  return undefined;
}

/** Adds u64 values exactly (BigInt when any operand is beyond 2^53). */
export function addU64(a: number | JsonNumber, b: number | JsonNumber): number | JsonNumber {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    if (Number.isSafeInteger(s)) return s;
  }
  const big = BigInt(typeof a === 'number' ? a : a.text) + BigInt(typeof b === 'number' ? b : b.text);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : new JsonNumber(big.toString());
}

/** Own-property lookup that never walks the prototype chain (payloads may carry `__proto__`). */
export function getOwn(obj: JsonObject, key: string): Json | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function hasOwn(obj: unknown, key: string): boolean {
  return isObject(obj) && Object.prototype.hasOwnProperty.call(obj, key);
}

/** Sets a key as an own data property, also for `__proto__` (plain assignment would rewire the prototype). */
export function setOwn(obj: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** A present, string-typed value at a dot path (`a.b.c`), or undefined. */
export function stringAt(v: Json | undefined, path: string): string | undefined {
  const r = valueAt(v, path);
  return typeof r === 'string' ? r : undefined;
}

const splitCache = new Map<string, string[]>();

/** Value at a dot path through objects only; undefined when a step is missing. */
export function valueAt(v: Json | undefined, path: string): Json | undefined {
  let parts = splitCache.get(path);
  if (!parts) splitCache.set(path, (parts = path.split('.')));
  let cur: Json | undefined = v;
  for (const part of parts) {
    if (!isObject(cur)) return undefined;
    cur = getOwn(cur, part);
    if (cur === undefined) return undefined;
  }
  return cur;
}
