import { compareKeys } from '../json/stringify.js';
import { isObject, JsonNumber, type Json } from '../json/value.js';

/** One difference at a JSON path. `a`/`b` absent means the value exists only on the other side. */
export interface Difference {
  /** Where the value is (or would be) in A; for a step only B has, where it is in B. */
  path: string;
  /** Where the value is (or would be) in B, when alignment put it at another index there. */
  b_path?: string;
  /** `moved`: the same step (by ancestry) sits in a different order relative to the others. */
  kind: 'changed' | 'added' | 'removed' | 'moved';
  a?: Json;
  b?: Json;
  /** Why, when a record of the run says so (e.g. the cleanup rule that removed a step). */
  note?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `$.a.b[3]["odd key"]`: JSONPath in the form jq and most readers accept. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Numbers are equal when they denote the same value in the same kind of literal: `1.0` = `1e0`, and
 * integers beyond 2^53 are compared exactly, but `5` ≠ `5.0`: ATIF counts must be integer literals
 * (validate rejects `5.0`), so a golden diff must see that change.
 */
export function sameNumber(a: number | JsonNumber, b: number | JsonNumber): boolean {
  const text = (v: number | JsonNumber) => (v instanceof JsonNumber ? v.text : String(v));
  const [x, y] = [text(a), text(b)];
  if (x === y) return true;
  const [xInt, yInt] = [/^-?\d+$/.test(x), /^-?\d+$/.test(y)];
  if (xInt !== yInt) return false;
  if (xInt) return BigInt(x) === BigInt(y);
  const [vx, vy] = [Number(x), Number(y)];
  // Beyond a double's range (`1e400`, `1e401`) the value is only in the text.
  if (!Number.isFinite(vx) || !Number.isFinite(vy)) return x.toLowerCase() === y.toLowerCase();
  return vx === vy;
}

const isNum = (v: Json): v is number | JsonNumber => typeof v === 'number' || v instanceof JsonNumber;

/** Structural differences between two JSON values: objects by key, arrays by index. */
export function diffJson(a: Json, b: Json, path: string, out: Difference[], bPath = path): void {
  // One value on both sides (the two conversions share what they took from the same events): equal.
  if (a === b) return;
  // b_path only where B's location differs from A's (after step alignment shifted an index).
  const at = (d: Difference, bAt = bPath): Difference => (bAt !== d.path ? { ...d, b_path: bAt } : d);
  if (isNum(a) && isNum(b)) {
    if (!sameNumber(a, b)) out.push(at({ path, kind: 'changed', a, b }));
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (i >= b.length) out.push(at({ path: childPath(path, i), kind: 'removed', a: a[i] }, childPath(bPath, i)));
      else if (i >= a.length) out.push(at({ path: childPath(path, i), kind: 'added', b: b[i] }, childPath(bPath, i)));
      else diffJson(a[i], b[i], childPath(path, i), out, childPath(bPath, i));
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareKeys);
    for (const k of keys) {
      // A key holding undefined is absent, as in the written JSON.
      const inA = Object.prototype.hasOwnProperty.call(a, k) && a[k] !== undefined;
      const inB = Object.prototype.hasOwnProperty.call(b, k) && b[k] !== undefined;
      if (!inB) out.push(at({ path: childPath(path, k), kind: 'removed', a: a[k] }, childPath(bPath, k)));
      else if (!inA) out.push(at({ path: childPath(path, k), kind: 'added', b: b[k] }, childPath(bPath, k)));
      else diffJson(a[k], b[k], childPath(path, k), out, childPath(bPath, k));
    }
    return;
  }
  if (a !== b) out.push(at({ path, kind: 'changed', a, b }));
}
