import { isObject, setOwn, type Json, type JsonObject } from '../json/value.js';

/**
 * `merge_metadata` (relay-cli.md §0.6), the CLI's metadata merge: two objects merge shallowly with
 * the right side winning, except that a right-hand `null` never overwrites; a `null` side yields
 * the other side; any other pair (a scalar or array on either side) is kept whole as
 * `{"metadata": left, "extra_metadata": right}` so neither shape is lost.
 */
export function mergeMetadata(left: Json, right: Json): Json {
  if (isObject(left) && isObject(right)) {
    const merged = copyObject(left);
    for (const key of Object.keys(right)) {
      const value = right[key] as Json;
      if (value !== null) setOwn(merged, key, value);
    }
    return merged;
  }
  if (left === null) return right;
  if (right === null) return left;
  const wrapped: JsonObject = {};
  setOwn(wrapped, 'metadata', left);
  setOwn(wrapped, 'extra_metadata', right);
  return wrapped;
}

/**
 * `merge_json` (§0.7), the core merge used for scope end metadata: objects merge shallowly with
 * `b` winning, `b`'s nulls included; `undefined` means "absent" (not JSON null); when both are
 * present and either is not an object, `b` replaces `a`.
 */
export function mergeJson(a: Json | undefined, b: Json | undefined): Json | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (!isObject(a) || !isObject(b)) return b;
  const merged = copyObject(a);
  for (const key of Object.keys(b)) setOwn(merged, key, b[key] as Json);
  return merged;
}

function copyObject(source: JsonObject): JsonObject {
  const copy: JsonObject = {};
  for (const key of Object.keys(source)) setOwn(copy, key, source[key] as Json);
  return copy;
}
