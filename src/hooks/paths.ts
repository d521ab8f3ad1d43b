import { stringLike } from '../json/serde-number.js';
import { getOwn, isObject, valueAt, type Json } from '../json/value.js';

/**
 * The path helpers of relay-cli.md §0.2–§0.5. Paths are dot-separated object keys (`extra.session_id`);
 * a step never indexes into an array, and lookups use own properties only, so a payload key such as
 * `__proto__` is read as data. Each `first…` helper also reports which path answered, so `explain`
 * can say where an identifier came from.
 */

/** A value found at a path, with the path that held it. */
export interface Found<T> {
  value: T;
  path: string;
}


/**
 * `string_at` (§0.2): `value_at` (json/value.ts `valueAt`, which returns a present `null` as null)
 * then string-like conversion.
 */
export function stringAt(payload: Json | undefined, path: string): string | undefined {
  return stringLike(valueAt(payload, path));
}

/**
 * `first_string_at` (§0.2, adapters): the first path whose value is string-like and non-empty. It
 * falls through absent, null, non-scalar and empty candidates.
 */
export function firstStringAt(payload: Json | undefined, paths: readonly string[]): Found<string> | undefined {
  for (const path of paths) {
    const value = stringAt(payload, path);
    if (value !== undefined) return { value, path };
  }
  return undefined;
}

/**
 * The adapters' chained `value_at(...).or_else(...)` over value paths (tool arguments and results):
 * the first path whose key exists wins, even when it holds `null`.
 */
export function firstPresentAt(payload: Json | undefined, paths: readonly string[]): Found<Json> | undefined {
  for (const path of paths) {
    const value = valueAt(payload, path);
    if (value !== undefined) return { value, path };
  }
  return undefined;
}

/** `json_value_at` (§0.3, alignment/session layer): the value at the first path that exists. */
export function jsonValueAt(payload: Json | undefined, paths: readonly string[]): Json | undefined {
  return firstPresentAt(payload, paths)?.value;
}

/**
 * `json_string_at` (§0.3) with the seed's quirk: it does not fall through. When the first existing
 * path holds null, an object, an array or `""`, the answer is absent even if a later path holds a
 * usable string. The adapters never use it; the session and gateway layers do.
 * `fallThrough` (fix `json-null-fallthrough`) is HEAD's `string_at_any` instead, which skips such
 * candidates exactly as `firstStringAt` does (§5.2).
 */
export function jsonStringAt(payload: Json | undefined, paths: readonly string[], fallThrough = false): string | undefined {
  if (fallThrough) return firstStringAt(payload, paths)?.value;
  return stringLike(jsonValueAt(payload, paths));
}

/**
 * `hermes_value_at` (§0.4): `payload[key]` when the key exists (even as null), else `payload.extra[key]`.
 * Keys are single names, never paths.
 */
export function hermesValueAt(payload: Json | undefined, key: string): Json | undefined {
  if (!isObject(payload)) return undefined;
  const top = getOwn(payload, key);
  if (top !== undefined) return top;
  const extra = getOwn(payload, 'extra');
  return isObject(extra) ? getOwn(extra, key) : undefined;
}

/** `hermes_string_at` (§0.4). A top-level `key: null` hides `extra.key` (the seed's quirk). */
export function hermesStringAt(payload: Json | undefined, key: string): string | undefined {
  return stringLike(hermesValueAt(payload, key));
}

// `normalize_name` (§0.5) is also how a hook record's agent is read, in ingest.
export { normalizeName } from '../ingest/records/hook-agent.js';
