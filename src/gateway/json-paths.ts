import { getOwn, isNumber, isObject, type Json } from '../json/value.js';
import { stringLike } from '../json/serde-number.js';

/**
 * The alignment layer's JSON path helpers at the seed (relay-cli.md §0.3). A path is a list of
 * object keys; arrays are never indexed.
 */

/** `json_value_at`: the value at the first path that exists, whatever it is (null included). */
export function jsonValueAt(payload: Json | undefined, paths: ReadonlyArray<readonly string[]>): Json | undefined {
  for (const path of paths) {
    const v = valueAtPath(payload, path);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * `json_string_at` (seed): the first existing path decides. Its value must be string-like and
 * non-empty, else the result is absent even when a later path holds a good string (no fall-through:
 * `{"conversation_id": null, "conversationId": "c"}` gives nothing). `fallThrough` (fix
 * `json-null-fallthrough`) reads HEAD's way instead: {@link jsonStringAtAny}.
 */
export function jsonStringAt(payload: Json | undefined, paths: ReadonlyArray<readonly string[]>, fallThrough = false): string | undefined {
  if (fallThrough) return jsonStringAtAny(payload, paths);
  const v = jsonValueAt(payload, paths);
  return v === undefined ? undefined : stringLike(v);
}

/**
 * HEAD's `string_at_any` (fix `json-null-fallthrough`, relay-cli.md §5.2): a path that exists but
 * holds null, an object, an array or `""` is skipped, so a later path can still supply the string.
 */
export function jsonStringAtAny(payload: Json | undefined, paths: ReadonlyArray<readonly string[]>): string | undefined {
  for (const path of paths) {
    const v = valueAtPath(payload, path);
    const text = v === undefined ? undefined : stringLike(v);
    if (text !== undefined) return text;
  }
  return undefined;
}


export function valueAtPath(payload: Json | undefined, path: readonly string[]): Json | undefined {
  let current: Json | undefined = payload;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = getOwn(current, key);
    if (current === undefined) return undefined;
  }
  return current;
}

/** `null`, `a boolean`, `a number`, `a string`, `an array` or `an object`, for messages. */
export function jsonTypeName(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (isNumber(v)) return 'a number';
  if (isObject(v)) return 'an object';
  return `a ${typeof v}`;
}
