import { JsonNumber, RawJson, type Json, type JsonObject } from './value.js';

/**
 * Key order of serde_json's sorted maps: byte order of the UTF-8 encoding. UTF-16 code-unit order
 * agrees except for astral characters against U+E000–U+FFFF, so only that case needs care.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Canonical JSON (the reference's `json_to_string`): compact, every object's keys sorted. */
export function canonicalJson(v: Json | undefined): string {
  return v === undefined ? 'null' : viaNative(v, undefined);
}

/** Pretty JSON with sorted keys and 2-space indent (the reference plugin's file format). */
export function prettyJson(v: Json): string {
  return viaNative(v, 2);
}

/**
 * Serialisation through the native JSON.stringify, which is several times faster than building the
 * text in JavaScript: the value is first brought into a form whose insertion order is the sorted order
 * (objects already in order are reused, not copied). What JSON.stringify cannot print — exact numbers,
 * verbatim raw JSON, objects with integer-like keys (which V8 always enumerates first) — is printed by
 * {@link compact} and spliced in through placeholders carrying a per-process nonce.
 */
const NONCE = Math.random().toString(36).slice(2, 10);
const PLACEHOLDER = new RegExp(`"\\\\u0000${NONCE}:(\\d+)\\\\u0000"`, 'g');
const INDEX_LIKE = /^(?:0|[1-9]\d*)$/;

/**
 * `depth` > 0 (pretty text only): the text of a value whose lines sit `depth` levels in, each line
 * after the first indented by 2 × depth more spaces. The value goes to the native printer wrapped in
 * `depth` arrays, whose brackets are cut off the text: the same text as indenting the lines afterwards,
 * without that copy of the whole text (which, for the items of a large document, cost as much again as
 * printing them). Spliced texts (exact numbers, verbatim JSON) keep their own line breaks indented.
 */
function viaNative(v: Json, indent: number | undefined, depth = 0): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v); // scalars (most signatures) need no preparation
  const spliced: string[] = [];
  const pad = padOf(depth);
  let text: string;
  try {
    let prepared = prepare(v, spliced);
    for (let i = 0; i < depth; i++) prepared = [prepared];
    text = JSON.stringify(prepared, null, indent);
  } catch (err) {
    // Nesting deeper than the call stack allows (thousands of levels): the explicit-stack printer.
    if (err instanceof RangeError) return depth === 0 ? iterativeJson(v, indent) : iterativeJson(v, indent).replaceAll('\n', pad);
    throw err;
  }
  if (depth > 0) {
    const [open, close] = wrapping(depth);
    text = text.slice(open.length, text.length - close.length);
  }
  if (spliced.length === 0) return text;
  return text.replace(PLACEHOLDER, (_m, i: string) => (depth === 0 ? spliced[Number(i)] : spliced[Number(i)].replaceAll('\n', pad)));
}

const padOf = (depth: number) => '\n' + '  '.repeat(depth);

/** The text around a value that `depth` wrapping arrays add when printed with indent 2, cached per depth. */
const wrappings: Array<[string, string]> = [];
function wrapping(depth: number): [string, string] {
  let w = wrappings[depth];
  if (!w) {
    let open = '';
    let close = '';
    for (let k = 0; k < depth; k++) {
      open += '[' + padOf(k + 1);
      close = padOf(k) + ']' + close;
    }
    w = wrappings[depth] = [open, close];
  }
  return w;
}

/**
 * The same text as the native path, printed with an explicit stack instead of recursion, so that no
 * nesting depth can overflow the call stack. Slower; used only when the native path cannot cope.
 */
export function iterativeJson(root: Json, indent: number | undefined): string {
  const out: string[] = [];
  const unit = indent ? ' '.repeat(indent) : '';
  // Indentation grows with depth, so pretty text of deep nesting is quadratic in size: past this
  // depth, subtrees are printed compactly.
  const maxPad = unit.length * 64;
  type Frame = { items?: Json[]; o?: JsonObject; keys?: string[]; i: number; pad: string; pretty: boolean };
  const stack: Frame[] = [];
  const open = (v: Json, pad: string, pretty: boolean): void => {
    if (v === null || typeof v !== 'object') return void out.push(v === undefined ? 'null' : (JSON.stringify(v) ?? 'null'));
    if (v instanceof JsonNumber || v instanceof RawJson) return void out.push(v.text);
    const deepEnough = pretty && pad.length < maxPad;
    if (Array.isArray(v)) {
      if (v.length === 0) return void out.push('[]');
      out.push('[');
      stack.push({ items: v, i: 0, pad, pretty: deepEnough });
      return;
    }
    const keys = sortedKeys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) return void out.push('{}');
    out.push('{');
    stack.push({ o: v, keys, i: 0, pad, pretty: deepEnough });
  };
  open(root, '', unit !== '');
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    const len = f.items ? f.items.length : f.keys!.length;
    if (f.i >= len) {
      stack.pop();
      out.push((f.pretty ? '\n' + f.pad : '') + (f.items ? ']' : '}'));
      continue;
    }
    const i = f.i++;
    const childPad = f.pretty ? f.pad + unit : f.pad;
    out.push((i > 0 ? ',' : '') + (f.pretty ? '\n' + childPad : ''));
    if (f.items) open(f.items[i] === undefined ? null : f.items[i], childPad, f.pretty);
    else {
      out.push(JSON.stringify(f.keys![i]) + (f.pretty ? ': ' : ':'));
      open(f.o![f.keys![i]], childPad, f.pretty);
    }
  }
  return out.join('');
}

function placeholder(text: string, spliced: string[]): string {
  spliced.push(text);
  return `\u0000${NONCE}:${spliced.length - 1}\u0000`;
}

function prepare(v: Json, spliced: string[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof JsonNumber || v instanceof RawJson) return placeholder(v.text, spliced);
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const p = prepare(v[i], spliced);
      if (p !== v[i] && !out) out = v.slice(0, i);
      if (out) out.push(p);
    }
    return out ?? v;
  }
  const order = keyOrder(v);
  if (order === 'INDEX_KEYS') return placeholder(compact(v), spliced);
  if (order === 'SORTED') return prepareSorted(v, spliced);
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(v)) put(out, k, prepare(v[k], spliced));
  return out;
}

/**
 * Whether an object's keys are already in sorted order, or include an integer-like key (which V8
 * always enumerates first, so no insertion order can place it). `for…in` reads V8's cached key list
 * of the object's shape: unlike Object.keys, it allocates nothing, and most objects pass.
 */
function keyOrder(o: JsonObject): 'SORTED' | 'UNSORTED' | 'INDEX_KEYS' {
  let order: 'SORTED' | 'UNSORTED' = 'SORTED';
  let prev: string | undefined;
  for (const k in o) {
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && INDEX_LIKE.test(k)) return 'INDEX_KEYS';
    if (prev !== undefined && compareKeys(prev, k) > 0) order = 'UNSORTED';
    prev = k;
  }
  return order;
}

/** An object in sorted order is reused as it is, unless one of its values must be replaced. */
function prepareSorted(v: JsonObject, spliced: string[]): unknown {
  let out: Record<string, unknown> | undefined;
  for (const k in v) {
    const x = v[k];
    // Most values are scalars, which print as they are: no call for them.
    const p = x === null || typeof x !== 'object' ? x : prepare(x, spliced);
    if (p !== x && !out) {
      out = {};
      for (const j in v) {
        if (j === k) break;
        put(out, j, v[j]);
      }
    }
    if (out) put(out, k, p);
  }
  return out ?? v;
}

/** An own data property even for `__proto__` (assignment would set the prototype instead). */
function put(o: Record<string, unknown>, k: string, value: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
  else o[k] = value;
}

/** Key lists up to this length are sorted in place by insertion (see sortedKeys). */
const SHORT_KEY_LIST = 16;

/** An object's keys in {@link compareKeys} order. */
function sortedKeys(o: JsonObject): string[] {
  const keys = Object.keys(o);
  if (keys.length > SHORT_KEY_LIST) return keys.sort(compareKeys);
  // Insertion sort: Array.prototype.sort allocates work space on every call, which on the many
  // small objects printed here made it the largest source of garbage.
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    for (; j >= 0 && compareKeys(keys[j], k) > 0; j--) keys[j + 1] = keys[j];
    keys[j + 1] = k;
  }
  return keys;
}

// String concatenation (V8 ropes) beats collecting parts and joining on these hot paths.
function compact(v: Json): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof JsonNumber || v instanceof RawJson) return v.text;
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + compact(v[i] === undefined ? null : v[i]);
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const k of sortedKeys(v)) {
    const x = v[k];
    if (x === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + compact(x);
    first = false;
  }
  return out + '}';
}

/**
 * The text of {@link canonicalJson} / {@link prettyJson} (indent 2) as a sequence of pieces: the upper
 * levels of a large document (a trajectory's steps, its observed events, embedded trajectories) are
 * walked here, deeper values are printed natively. A document larger than V8's string limit can still
 * be written this way; {@link utf8Chunks} turns the pieces into bytes.
 */
export function* jsonPieces(v: Json, indent?: 2): Generator<string> {
  if (walked(v, 0)) yield* walk(v as Json[] | JsonObject, indent, '\n', 0);
  else yield printed(v, indent, '\n');
}

/**
 * The pieces of `jsonPieces({ ...head, [key]: [...items].map(toJson) }, 2)` with the array's items
 * taken one at a time from `items` as they are printed: a report of many parts is printed without
 * holding them all.
 */
export function* prettyPiecesWithItems<T>(head: JsonObject, key: string, items: Iterable<T>, toJson: (item: T) => Json): Generator<string> {
  yield* prettyPiecesWithPrintedItems(
    head,
    key,
    (function* () {
      for (const item of items) yield prettyItemPieces(toJson(item));
    })(),
  );
}

/** {@link prettyPiecesWithItems} with items already printed, each as the pieces {@link prettyItemPieces} gives. */
export function* prettyPiecesWithPrintedItems(head: JsonObject, key: string, items: Iterable<Iterable<string>>): Generator<string> {
  const keys = sortedKeys({ ...head, [key]: [] }).filter((k) => k === key || head[k] !== undefined);
  yield '{';
  for (const [i, k] of keys.entries()) {
    const lead = (i > 0 ? ',' : '') + '\n  ' + JSON.stringify(k) + ': ';
    if (k !== key) {
      yield lead + printed(head[k], 2, '\n  ');
      continue;
    }
    let count = 0;
    for (const item of items) {
      yield (count++ === 0 ? lead + '[' : ',') + ITEM_PAD;
      yield* item;
    }
    yield count === 0 ? lead + '[]' : '\n  ]';
  }
  yield '\n}';
}

const ITEM_PAD = '\n    ';

/**
 * The pieces of a value as {@link prettyPiecesWithItems} prints it as an item of its array (two
 * levels down): printed ahead, such a text goes in as a RawJson item.
 */
export function* prettyItemPieces(item: Json): Generator<string> {
  if (walked(item, 2)) yield* walk(item as Json[] | JsonObject, 2, ITEM_PAD, 2);
  else yield printed(item, 2, ITEM_PAD);
}

/** Chunks start small (most trajectories are a few kilobytes) and double up to a megabyte. */
const FIRST_CHUNK_BYTES = 16 * 1024;
const CHUNK_BYTES = 1 << 20;

/**
 * Text pieces as UTF-8 in chunks of up to about a megabyte, each piece encoded straight into its
 * chunk. (Joining thousands of pieces into a megabyte string and encoding that cost about twice as
 * much: V8 must first flatten the string it built.) Every chunk owns its memory, so a chunk can be
 * transferred to another thread or held by a writer; a short document takes a short chunk.
 */
export function* utf8Chunks(pieces: Iterable<string>): Generator<Uint8Array> {
  let chunk: Buffer | undefined;
  let size = FIRST_CHUNK_BYTES;
  let used = 0;
  for (const piece of pieces) {
    // At most 3 bytes per UTF-16 unit: a piece that may not fit closes the chunk first.
    const most = piece.length * 3;
    if (chunk === undefined || used + most > chunk.length) {
      if (chunk !== undefined && used > 0) {
        yield chunk.subarray(0, used);
        size = Math.min(CHUNK_BYTES, size * 2);
      }
      if (most > CHUNK_BYTES) {
        yield Buffer.from(piece, 'utf8'); // a piece larger than a chunk goes out on its own
        chunk = undefined;
        used = 0;
        continue;
      }
      chunk = Buffer.allocUnsafeSlow(Math.max(size, most));
      used = 0;
    }
    used += chunk.write(piece, used, 'utf8');
  }
  if (chunk !== undefined && used > 0) yield chunk.subarray(0, used);
}

/** Containers worth walking: the root, long arrays, and objects holding a long array (one level down). */
const LONG = 64;
const MAX_WALK_DEPTH = 8;
function worthWalking(v: Json[] | JsonObject, depth: number): boolean {
  if (depth === 0) return true;
  if (depth >= MAX_WALK_DEPTH) return false;
  if (Array.isArray(v)) return v.length > LONG;
  for (const k in v) {
    const x = v[k];
    if (Array.isArray(x) && x.length > LONG) return true;
    if (isPlainObject(x)) for (const k2 in x) if (Array.isArray(x[k2]) && (x[k2] as Json[]).length > LONG) return true;
  }
  return false;
}

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber) && !(v instanceof RawJson);
}

/** Whether {@link walk} descends into a value at this depth; other values are {@link printed} whole. */
function walked(v: Json, depth: number): boolean {
  return (Array.isArray(v) || isPlainObject(v)) && !isEmpty(v) && worthWalking(v, depth);
}

/** A value printed in one piece, its lines indented to sit at `pad`. */
function printed(v: Json, indent: 2 | undefined, pad: string): string {
  if (v instanceof RawJson || v instanceof JsonNumber) return v.text;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  // Every pad here is a line break and two spaces a level (see walk): the value is printed at its depth.
  return indent ? viaNative(v, indent, (pad.length - 1) / 2) : canonicalJson(v);
}

/**
 * The pieces of a walked container. A member printed whole goes out in one piece with its
 * separator and key; only walked members take a nested generator.
 */
function* walk(v: Json[] | JsonObject, indent: 2 | undefined, pad: string, depth: number): Generator<string> {
  const inner = indent ? pad + '  ' : '';
  const sep = indent ? ': ' : ':';
  const keys = Array.isArray(v) ? undefined : sortedKeys(v).filter((k) => v[k] !== undefined);
  const count = keys ? keys.length : (v as Json[]).length;
  yield keys ? '{' : '[';
  for (let i = 0; i < count; i++) {
    const x = keys ? (v as JsonObject)[keys[i]] : ((v as Json[])[i] ?? null);
    const lead = (i > 0 ? ',' : '') + inner + (keys ? JSON.stringify(keys[i]) + sep : '');
    if (walked(x, depth + 1)) {
      yield lead;
      yield* walk(x as Json[] | JsonObject, indent, inner, depth + 1);
    } else {
      yield lead + printed(x, indent, inner);
    }
  }
  yield (indent ? pad : '') + (keys ? '}' : ']');
}

function isEmpty(v: Json[] | JsonObject): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v) if (v[k] !== undefined) return false;
  return true;
}
