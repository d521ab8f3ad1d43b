import { asU64, getOwn, isObject, setOwn, type Json, type JsonNumber, type JsonObject } from '../../json/value.js';

/**
 * Typed reads with serde's derive semantics, for the response codecs' intermediate structs: a
 * missing key or JSON `null` is `None`; a value of the wrong type fails the whole decode (the live
 * runtime then emits the LLM end without an annotation). Structs are read from objects only.
 */
export class DecodeFailure extends Error {}

export function fail(message: string): never {
  throw new DecodeFailure(message);
}

export function asStruct(v: Json, what: string): JsonObject {
  return isObject(v) ? v : fail(`${what}: expected an object`);
}

function present(obj: JsonObject, key: string): Json | undefined {
  const v = getOwn(obj, key);
  return v === null ? undefined : v;
}

export function optString(obj: JsonObject, key: string): string | undefined {
  const v = present(obj, key);
  if (v === undefined || typeof v === 'string') return v;
  return fail(`${key}: expected a string`);
}

export function optU64(obj: JsonObject, key: string): number | JsonNumber | undefined {
  const v = present(obj, key);
  if (v === undefined) return undefined;
  return asU64(v) ?? fail(`${key}: expected a u64`);
}

export function optBool(obj: JsonObject, key: string): boolean | undefined {
  const v = present(obj, key);
  if (v === undefined || typeof v === 'boolean') return v;
  return fail(`${key}: expected a boolean`);
}

export function optArray(obj: JsonObject, key: string): Json[] | undefined {
  const v = present(obj, key);
  if (v === undefined || Array.isArray(v)) return v;
  return fail(`${key}: expected an array`);
}

/** `Option<Json>`: anything but null. */
export function optJson(obj: JsonObject, key: string): Json | undefined {
  return present(obj, key);
}

export function optStruct(obj: JsonObject, key: string): JsonObject | undefined {
  const v = present(obj, key);
  return v === undefined ? undefined : asStruct(v, key);
}

/** `#[serde(flatten)] extra`: every key the struct does not model, null values included. */
export function extraFields(obj: JsonObject, modelled: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) if (!modelled.includes(key)) setOwn(out, key, obj[key]);
  return out;
}

/** Sets `key` only when the value is defined (`skip_serializing_if = "Option::is_none"`). */
export function put(obj: JsonObject, key: string, value: Json | undefined): void {
  if (value !== undefined) setOwn(obj, key, value);
}
