import { appendAll } from './finding.js';
import type { JsonPath } from './path.js';
import { stringEnd as jsonStringEnd } from '../../json/string-end.js';

/**
 * A structural pass over JSON text for the two things `JSON.parse` cannot tell: keys repeated within
 * an object (the last value wins, as in Python), and the `NaN` / `Infinity` / `-Infinity` tokens
 * Python's json module accepts but JSON does not. Whatever a repeated key's earlier values held is
 * dropped with them. Returns undefined when the text is not JSON-shaped; the real parser then says why.
 */
export type NonFiniteTokenText = 'NaN' | 'Infinity' | '-Infinity';

export type ScanEntry =
  | { kind: 'duplicate-key'; path: JsonPath }
  | { kind: 'non-finite'; path: JsonPath; token: NonFiniteTokenText };

export interface JsonScan {
  /** Repeated keys and surviving non-finite tokens, in document order. */
  entries: ScanEntry[];
  /** Every non-finite token's [start, end) offsets, surviving or not, to replace them before parsing. */
  tokenRanges: Array<readonly [number, number]>;
}

/** The entries found inside one value; undefined (the common case) when there are none. */
type Entries = ScanEntry[] | undefined;

/**
 * Where a container sits, as a link to its parent's position: copying the whole path into every
 * frame would make deep documents quadratic. Paths are built only for entries.
 */
type Position = { parent?: Position; key: string | number } | undefined;

function pathOf(position: Position): JsonPath {
  const path: Array<string | number> = [];
  for (let p = position; p; p = p.parent) path.push(p.key);
  return path.reverse() as JsonPath;
}

type Frame =
  | { kind: 'object'; at: Position; members: Map<string, Entries>; duplicates: string[]; key?: string }
  | { kind: 'array'; at: Position; items: Entries[] };

type Expecting = 'value' | 'key-or-end' | 'key' | 'after-value';

const NON_FINITE: readonly NonFiniteTokenText[] = ['NaN', 'Infinity', '-Infinity'];
/** A JSON number or literal, spelled exactly. */
const SCALAR = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)$/;

export function scanJsonText(text: string): JsonScan | undefined {
  // Almost every document has neither: a quick pass that can only say so (or give up) saves the full
  // scan's bookkeeping, which on a trajectory of hundreds of megabytes took longer than parsing it.
  return isPlainJson(text) ? { entries: [], tokenRanges: [] } : scanJsonTextFully(text);
}

/** The full scan: every repeated key and non-finite token, with their paths (see scanJsonText). Exported for tests. */
export function scanJsonTextFully(text: string): JsonScan | undefined {
  const tokenRanges: Array<readonly [number, number]> = [];
  const stack: Frame[] = [];
  let result: Entries;
  let expecting = 'value' as Expecting; // also set by deliver(), which narrowing cannot see
  let i = 0;

  const top = (): Frame | undefined => stack[stack.length - 1];
  const nextValuePosition = (): Position => {
    const frame = top();
    if (!frame) return undefined;
    return { parent: frame.at, key: frame.kind === 'object' ? frame.key! : frame.items.length };
  };
  const deliver = (entries: Entries): void => {
    const frame = top();
    if (!frame) result = entries;
    else if (frame.kind === 'array') frame.items.push(entries);
    else {
      const key = frame.key!;
      if (frame.members.has(key) && !frame.duplicates.includes(key)) frame.duplicates.push(key);
      frame.members.set(key, entries);
    }
    expecting = 'after-value';
  };
  const closeTop = (): void => {
    const frame = stack.pop()!;
    deliver(frame.kind === 'object' ? objectEntries(frame) : arrayEntries(frame.items));
  };

  for (;;) {
    i = skipSpace(text, i);
    const ch = text[i];
    if (expecting === 'after-value') {
      const frame = top();
      if (!frame) break;
      if (ch === ',') {
        expecting = frame.kind === 'object' ? 'key' : 'value';
        i++;
      } else if ((ch === '}' && frame.kind === 'object') || (ch === ']' && frame.kind === 'array')) {
        i++;
        closeTop();
      } else {
        return undefined;
      }
    } else if (expecting === 'key' || expecting === 'key-or-end') {
      if (ch === '}' && expecting === 'key-or-end') {
        i++;
        closeTop();
        continue;
      }
      const end = stringEnd(text, i);
      const key = end < 0 ? undefined : decodeString(text, i, end);
      if (key === undefined) return undefined;
      const frame = top() as Extract<Frame, { kind: 'object' }>;
      frame.key = key;
      i = skipSpace(text, end);
      if (text[i] !== ':') return undefined;
      i++;
      expecting = 'value';
    } else if (ch === '{') {
      stack.push({ kind: 'object', at: nextValuePosition(), members: new Map(), duplicates: [] });
      expecting = 'key-or-end';
      i++;
    } else if (ch === '[') {
      stack.push({ kind: 'array', at: nextValuePosition(), items: [] });
      i = skipSpace(text, i + 1);
      if (text[i] === ']') {
        i++;
        closeTop();
      }
    } else {
      const token = NON_FINITE.find((t) => text.startsWith(t, i));
      const end = token ? i + token.length : ch === '"' ? stringEnd(text, i) : scalarEnd(text, i);
      if (end <= i || (!token && ch !== '"' && !SCALAR.test(text.slice(i, end)))) return undefined;
      if (token) tokenRanges.push([i, end]);
      deliver(token ? [{ kind: 'non-finite', path: pathOf(nextValuePosition()), token }] : undefined);
      i = end;
    }
  }
  if (i !== text.length) return undefined;
  return { entries: result ?? [], tokenRanges };
}

/** Python reports an object's repeated keys first, then what its (surviving) values contain. */
function objectEntries(frame: Extract<Frame, { kind: 'object' }>): Entries {
  const entries: ScanEntry[] = frame.duplicates.map((key) => ({ kind: 'duplicate-key', path: [...pathOf(frame.at), key] }));
  for (const member of frame.members.values()) if (member) appendAll(entries, member);
  return entries.length > 0 ? entries : undefined;
}

function arrayEntries(items: readonly Entries[]): Entries {
  const entries = items.flatMap((item) => item ?? []);
  return entries.length > 0 ? entries : undefined;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** Index just past the closing quote of the string starting at `start`, or -1 (also when no string starts there). */
function stringEnd(text: string, start: number): number {
  return text[start] === '"' ? jsonStringEnd(text, start) : -1;
}

/** The key a string literal spells, or undefined when it is malformed (bad escape, raw control character). */
function decodeString(text: string, start: number, end: number): string | undefined {
  const literal = text.slice(start, end);
  // Without escapes the key is the text between the quotes (raw control characters fail the parse later).
  if (!literal.includes('\\')) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** End of a number or a literal (`true`, `false`, `null`). */
function scalarEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && isScalarChar(text.charCodeAt(i))) i++;
  return i;
}

function isScalarChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** Keys seen in an open object (a set once there are many), or null for an open array. */
type SeenKeys = string[] | Set<string> | null;
const FEW_KEYS = 12;

/**
 * True only when {@link scanJsonTextFully} would find the text JSON-shaped with no entry and no token:
 * the same structure rules and string ends, keys compared as written. Anything else (a repeated key, a
 * key with an escape, a non-finite token, broken structure) is false, and the full scan decides it.
 */
function isPlainJson(text: string): boolean {
  const stack: SeenKeys[] = [];
  let i = 0;
  value: for (;;) {
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === 0x7d /* } */) i++;
      else {
        stack.push([]);
        i = afterKey(text, i, stack);
        if (i < 0) return false;
        continue value;
      }
    } else if (c === 0x5b /* [ */) {
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === 0x5d /* ] */) i++;
      else {
        stack.push(null);
        continue value;
      }
    } else {
      i = c === 0x22 ? jsonStringEnd(text, i) : plainScalarEnd(text, i);
      if (i < 0) return false;
    }
    // After a value: a separator, the end of its container, or the end of the text.
    for (;;) {
      i = skipSpace(text, i);
      if (stack.length === 0) return i === text.length;
      const open = stack[stack.length - 1];
      const d = text.charCodeAt(i);
      if (d === 0x2c /* , */) {
        if (open === null) {
          i++;
          continue value;
        }
        i = afterKey(text, skipSpace(text, i + 1), stack);
        if (i < 0) return false;
        continue value;
      }
      if (d !== (open === null ? 0x5d : 0x7d)) return false;
      stack.pop();
      i++;
    }
  }
}

/** Reads a key and its colon at `i` into the open object on top of `stack`; past the colon, or -1. */
function afterKey(text: string, i: number, stack: SeenKeys[]): number {
  if (text.charCodeAt(i) !== 0x22) return -1;
  const end = jsonStringEnd(text, i);
  if (end < 0) return -1;
  const key = text.slice(i + 1, end - 1);
  if (key.includes('\\')) return -1; // spelled with an escape: the full scan decodes it
  const top = stack.length - 1;
  const seen = stack[top]!;
  if (Array.isArray(seen)) {
    if (seen.includes(key)) return -1;
    seen.push(key);
    if (seen.length > FEW_KEYS) stack[top] = new Set(seen);
  } else {
    if (seen.has(key)) return -1;
    seen.add(key);
  }
  const colon = skipSpace(text, end);
  return text.charCodeAt(colon) === 0x3a /* : */ ? colon + 1 : -1;
}

/** End of a number, `true`, `false` or `null` at `start` (as the full scan delimits and spells it), or -1 for anything else, non-finite tokens included. */
function plainScalarEnd(text: string, start: number): number {
  const end = scalarEnd(text, start);
  return end > start && SCALAR.test(text.slice(start, end)) ? end : -1;
}
