import { compareKeys } from '../json/stringify.js';
import { isObject, JsonNumber, type Json, type JsonObject } from '../json/value.js';

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

/**
 * Where a compared value sits, spelled out only for a difference: most values compared are equal, and
 * building every path's text cost more than comparing (a diff of two 100,000-step trajectories), and
 * a path under thousands of nested subagents is thousands of keys long.
 */
export type LazyPath = { text: string } | { parent: LazyPath; key: string | number };

/** The JSONPath text of a lazy path (as {@link childPath} spells it). */
export function pathText(p: LazyPath): string {
  // Keys from the leaf up, then spelled out from the root (no recursion: paths can be thousands deep).
  const keys: Array<string | number> = [];
  for (; 'parent' in p; p = p.parent) keys.push(p.key);
  let text = p.text;
  for (let i = keys.length - 1; i >= 0; i--) text = childPath(text, keys[i]);
  return text;
}

/** Structural differences between two JSON values: objects by key, arrays by index. */
export function diffJson(a: Json, b: Json, path: string, out: Difference[], bPath = path): void {
  // Paths are compared by identity below: a root path thousands of levels deep is compared as text once.
  const root = { text: path };
  diffJsonAt(a, b, root, out, bPath === path ? root : { text: bPath });
}

/**
 * {@link diffJson} from lazy paths, for callers that hold a value's place as parent links: its text
 * is spelled only if a difference is found (most compared steps are equal).
 */
export function diffJsonAt(a: Json, b: Json, path: LazyPath, out: Difference[], bPath: LazyPath): void {
  compare(a, b, path, bPath, out, 0);
}

/**
 * Nesting past which members are compared from an explicit stack ({@link compareDeep}) instead of by
 * recursion, which overflowed the call stack on values nested thousands deep (an `extra` as
 * written). Recursion stays below it: it is the faster of the two on the shallow values of most diffs.
 */
const MAX_RECURSION = 500;

function compare(a: Json, b: Json, path: LazyPath, bPath: LazyPath, out: Difference[], depth: number): void {
  // One value on both sides (the two conversions share what they took from the same events): equal.
  if (a === b) return;
  if (isNum(a) && isNum(b)) {
    if (!sameNumber(a, b)) push(out, { kind: 'changed', a, b }, path, bPath);
    return;
  }
  if (depth >= MAX_RECURSION && (Array.isArray(a) || isObject(a))) return compareDeep(a, b, path, bPath, out);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (i >= b.length) push(out, { kind: 'removed', a: a[i] }, child(path, i), child(bPath, i));
      else if (i >= a.length) push(out, { kind: 'added', b: b[i] }, child(path, i), child(bPath, i));
      else if (a[i] !== b[i]) descend(a[i], b[i], path, bPath, i, out, depth);
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of unionOfKeys(a, b)) {
      // A key holding undefined is absent, as in the written JSON.
      const inA = Object.prototype.hasOwnProperty.call(a, k) && a[k] !== undefined;
      const inB = Object.prototype.hasOwnProperty.call(b, k) && b[k] !== undefined;
      if (!inB) push(out, { kind: 'removed', a: a[k] }, child(path, k), child(bPath, k));
      else if (!inA) push(out, { kind: 'added', b: b[k] }, child(path, k), child(bPath, k));
      else if (a[k] !== b[k]) descend(a[k], b[k], path, bPath, k, out, depth);
    }
    return;
  }
  push(out, { kind: 'changed', a, b }, path, bPath);
}

/** Compares two members that are not one value (equal scalars are passed over without a path for them). */
function descend(a: Json, b: Json, path: LazyPath, bPath: LazyPath, key: string | number, out: Difference[], depth: number): void {
  const at = child(path, key);
  compare(a, b, at, path === bPath ? at : child(bPath, key), out, depth + 1);
}

/** Members still to compare (`only` absent), or that one side lacks. */
type Pending = { a: Json; b: Json; path: LazyPath; bPath: LazyPath; only?: 'a' | 'b' };

/**
 * {@link compare} of deeply nested values, from an explicit stack. Members go on in reverse, so they
 * come off in order and the differences are found in the order the recursion finds them.
 */
function compareDeep(a: Json, b: Json, path: LazyPath, bPath: LazyPath, out: Difference[]): void {
  const stack: Pending[] = [{ a, b, path, bPath }];
  for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
    const { a, b, path, bPath } = w;
    if (w.only === 'a') push(out, { kind: 'removed', a }, path, bPath);
    else if (w.only === 'b') push(out, { kind: 'added', b }, path, bPath);
    else if (a === b) continue;
    else if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = Math.max(a.length, b.length) - 1; i >= 0; i--) {
        if (i >= b.length) stack.push({ a: a[i], b: null, path: child(path, i), bPath: child(bPath, i), only: 'a' });
        else if (i >= a.length) stack.push({ a: null, b: b[i], path: child(path, i), bPath: child(bPath, i), only: 'b' });
        else if (a[i] !== b[i]) stack.push(member(a[i], b[i], path, bPath, i));
      }
    } else if (isObject(a) && isObject(b)) {
      const keys = unionOfKeys(a, b);
      for (let n = keys.length - 1; n >= 0; n--) {
        const k = keys[n];
        const inA = Object.prototype.hasOwnProperty.call(a, k) && a[k] !== undefined;
        const inB = Object.prototype.hasOwnProperty.call(b, k) && b[k] !== undefined;
        if (!inB) stack.push({ a: a[k], b: null, path: child(path, k), bPath: child(bPath, k), only: 'a' });
        else if (!inA) stack.push({ a: null, b: b[k], path: child(path, k), bPath: child(bPath, k), only: 'b' });
        else if (a[k] !== b[k]) stack.push(member(a[k], b[k], path, bPath, k));
      }
    } else compare(a, b, path, bPath, out, 0); // numbers and mismatched kinds: no members
  }
}

function member(a: Json, b: Json, path: LazyPath, bPath: LazyPath, key: string | number): Pending {
  const at = child(path, key);
  return { a, b, path: at, bPath: path === bPath ? at : child(bPath, key) };
}

/** The place of member `key` of the value at `parent`. */
export function child(parent: LazyPath, key: string | number): LazyPath {
  return { parent, key };
}

/** A difference at `path`; `b_path` only where B's location differs from A's (after step alignment shifted an index). */
function push(out: Difference[], d: Omit<Difference, 'path'>, path: LazyPath, bPath: LazyPath): void {
  const [at, bAt] = [pathText(path), pathText(bPath)];
  // Keys in the order of the Difference type: reports print them as built.
  out.push(bAt !== at ? ({ path: at, ...d, b_path: bAt } as Difference) : ({ path: at, ...d } as Difference));
}

/** Both objects' keys, sorted; objects of one shape (the common case) need no merging. */
function unionOfKeys(a: JsonObject, b: JsonObject): string[] {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const same = ka.length === kb.length && ka.every((k, i) => k === kb[i]);
  return (same ? ka : [...new Set([...ka, ...kb])]).sort(compareKeys);
}
