import { isObject, setOwn, type Json, type JsonObject } from '../json/value.js';

/**
 * The two metadata merges of the reference (relay-cli.md §0.6–§0.7). They differ on nulls and on
 * non-objects, and each is used where the reference uses it.
 */

/** CLI `merge_metadata`: objects merge shallowly with right-hand non-null values winning; a null side yields the other; two non-objects are kept side by side. */
export function mergeMetadata(left: Json, right: Json): Json {
  if (isObject(left) && isObject(right)) {
    const out = copy(left);
    for (const key of Object.keys(right)) if (right[key] !== null) setOwn(out, key, right[key]);
    return out;
  }
  if (left === null) return right;
  if (right === null) return left;
  return { metadata: left, extra_metadata: right };
}

/** Core `merge_json`: shallow object merge where the right side wins, nulls included; otherwise the right side replaces. */
export function mergeJson(left: Json, right: Json): Json {
  if (!isObject(left) || !isObject(right)) return right;
  const out = copy(left);
  for (const key of Object.keys(right)) setOwn(out, key, right[key]);
  return out;
}

function copy(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) setOwn(out, key, obj[key]);
  return out;
}
