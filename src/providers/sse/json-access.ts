import { getOwn, isObject, setOwn, type Json, type JsonObject } from '../../json/value.js';

/** serde_json's `value.get(key)`: a member of an object, undefined for anything else. */
export function member(v: Json | undefined, key: string): Json | undefined {
  return isObject(v) ? getOwn(v, key) : undefined;
}

/** serde_json's `value.get(key).and_then(as_str)`. */
export function stringMember(v: Json | undefined, key: string): string | undefined {
  const m = member(v, key);
  return typeof m === 'string' ? m : undefined;
}

/** A shallow copy that keeps every own key, `__proto__` included (spread would drop it). */
export function copyObject(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) setOwn(out, key, obj[key]);
  return out;
}
