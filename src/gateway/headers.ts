import type { JsonObject } from '../json/value.js';
import { setOwn } from '../json/value.js';
import type { HeaderSet } from '../ingest/records/headers.js';

/**
 * Header reading with the live gateway's semantics. Captured values are raw, but the live code saw
 * them after hyper had stripped the optional whitespace around them (RFC 9110 §5.5), so spaces and
 * tabs are trimmed here. A value must be visible ASCII (`HeaderValue::to_str`) to be read at all.
 */

export type HeaderRead =
  | { ok: true; value: string }
  | { ok: false; reason: 'HEADER_ABSENT' | 'HEADER_EMPTY' | 'HEADER_NOT_VISIBLE_ASCII' };

/** `header_string`: the first value of `name`, trimmed, visible ASCII and non-empty. */
export function readHeader(headers: HeaderSet, name: string): HeaderRead {
  const raw = headers.first.get(name);
  if (raw === undefined) return { ok: false, reason: 'HEADER_ABSENT' };
  const value = trimOptionalWhitespace(raw);
  if (!isVisibleAscii(value)) return { ok: false, reason: 'HEADER_NOT_VISIBLE_ASCII' };
  if (value === '') return { ok: false, reason: 'HEADER_EMPTY' };
  return { ok: true, value };
}

export function headerString(headers: HeaderSet, name: string): string | undefined {
  const read = readHeader(headers, name);
  return read.ok ? read.value : undefined;
}

export function trimOptionalWhitespace(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Bytes 0x20–0x7E or TAB only. */
export function isVisibleAscii(value: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(value);
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const NOT_FORWARDED = new Set(['host', 'content-length', 'accept-encoding']);
const CREDENTIALS = new Set(['authorization', 'cookie', 'x-api-key', 'api-key', 'anthropic-api-key']);

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/** Headers the gateway forwards upstream: not hop-by-hop, not recomputed by the HTTP client. */
export function isForwardedRequestHeader(name: string): boolean {
  const n = name.toLowerCase();
  return !HOP_BY_HOP.has(n) && !NOT_FORWARDED.has(n);
}

/** Headers recorded on the LLM start event: the forwarded ones minus credentials. */
export function isRecordedHeader(name: string): boolean {
  return isForwardedRequestHeader(name) && !CREDENTIALS.has(name.toLowerCase());
}

/** RFC 9110 token: hyper would have refused any other header name before the gateway saw it. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `observable_headers`: every recorded header whose value is visible ASCII, names lower-case; for a
 * repeated header the last value wins (the reference inserts each value into one map in turn).
 */
export function observableHeaders(headers: HeaderSet): JsonObject {
  const out: JsonObject = {};
  for (const [name, raw] of headers.list) {
    if (!TOKEN.test(name) || !isRecordedHeader(name)) continue;
    const value = trimOptionalWhitespace(raw);
    if (isVisibleAscii(value)) setOwn(out, name, value);
  }
  return out;
}
