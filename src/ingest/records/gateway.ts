import { z } from 'zod';
import { isNumber, isObject, JsonNumber, numberValue, type Json, type JsonObject } from '../../json/value.js';
import { parseRfc3339, type Nanos } from '../time.js';
import { decodeBody, withBodyBytes, type BodySource } from './body.js';
import type { DecodeExchangeResult, GatewayExchange, GatewayResponse } from './exchange.js';
import { headersFromObject, isEventStreamType, type HeaderSet } from './headers.js';
import { atMostOneOf, givenOf, headerValues, httpStatus, isHttpStatusCode, isPlainHeaderValues, isRfc3339, jsonNumber, rfc3339 } from './schema-parts.js';
import { isAbsoluteUrl, splitRequestTarget } from './target.js';

/** The compact gateway capture record of input-records.md §3. Unknown keys are tolerated. */

const REQUEST_BODY_KEYS = ['body', 'body_text', 'body_base64'] as const;
const RESPONSE_BODY_KEYS = ['body', 'body_text', 'body_base64', 'sse'] as const;

export const gatewayResponseSchema = z
  .looseObject({
    status: httpStatus,
    headers: headerValues.optional(),
    body: z.unknown().optional(),
    body_text: z.string().optional(),
    body_base64: z.string().optional(),
    sse: z.string().optional(),
    error: z.string().nullish(),
  })
  .superRefine((v, ctx) => atMostOneOf(v, RESPONSE_BODY_KEYS, ctx));

export const gatewayRecordSchema = z
  .looseObject({
    record: z.literal('gateway'),
    id: z.union([z.string().min(1), jsonNumber]).optional(),
    started_at: rfc3339,
    ended_at: rfc3339.nullish(),
    method: z.string().min(1).optional(),
    path: z.string().refine((p) => p.startsWith('/'), 'path must start with "/"').optional(),
    url: z.string().refine(isAbsoluteUrl, 'url must be absolute (scheme://host/…)').optional(),
    headers: headerValues.optional(),
    body: z.unknown().optional(),
    body_text: z.string().optional(),
    body_base64: z.string().optional(),
    response: gatewayResponseSchema.nullish(),
    error: z.string().nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.path === undefined && v.url === undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'a gateway record needs path or url' });
    atMostOneOf(v, REQUEST_BODY_KEYS, ctx);
  });

/** Detection: a line is meant as a gateway capture when it says so. */
export function looksLikeGatewayRecord(v: Json): v is JsonObject {
  return isObject(v) && v.record === 'gateway';
}

export interface DecodeOptions {
  /** Id for a record without `id` (for example `file:line`). */
  fallbackId?: string;
}

type GatewayFields = z.infer<typeof gatewayRecordSchema>;
type ResponseFields = z.infer<typeof gatewayResponseSchema>;

/**
 * A gateway capture record. The common, valid record is checked by hand and read as it is; zod runs
 * only for what that check leaves (a failure, described with its path, or a key that zod treats
 * specially). Both accept the same records and give the same exchange (test/ingest-gateway-decode.test.ts).
 */
export function decodeGatewayRecord(raw: JsonObject, options: DecodeOptions = {}): DecodeExchangeResult {
  const fields = checkedByHand(raw);
  return fields !== undefined ? decodeFields(fields, options) : decodeGatewayRecordWithZod(raw, options);
}

/** The record as the zod schema alone reads it: what the hand check must agree with. */
export function decodeGatewayRecordWithZod(raw: JsonObject, options: DecodeOptions = {}): DecodeExchangeResult {
  const r = gatewayRecordSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, path: issue.path.join('.') || '(root)', message: issue.message };
  }
  return decodeFields(r.data, options);
}

function decodeFields(v: GatewayFields, options: DecodeOptions): DecodeExchangeResult {
  // A numeric id is kept as written.
  const id = v.id === undefined ? options.fallbackId : typeof v.id === 'string' ? v.id : v.id instanceof JsonNumber ? v.id.text : String(v.id);
  if (id === undefined) return { ok: false, path: 'id', message: 'a gateway record needs an id' };
  const headers = headersFromObject(v.headers);
  const target = splitRequestTarget(v.path ?? (v.url as string));
  const body = decodeBody(bodySource(v, headers));
  const exchange: GatewayExchange = {
    id,
    source: 'gateway',
    startedNs: parseRfc3339(v.started_at) as Nanos,
    method: (v.method ?? 'POST').toUpperCase(),
    path: target.path,
    headers,
    body: body.json,
    response: v.response ? decodeResponse(v.response) : null,
  };
  if (v.ended_at) exchange.endedNs = parseRfc3339(v.ended_at);
  if (target.query !== undefined) exchange.query = target.query;
  const bodyError = body.readError ?? body.jsonError;
  if (bodyError) exchange.bodyError = bodyError;
  if (v.error) exchange.error = v.error;
  return { ok: true, exchange };
}

type BodyFields = { body?: unknown; body_text?: string; body_base64?: string };

/** `body: null` next to another body field (the §3 example's `"body": null, "sse": …`) means no JSON body. */
function bodySource(v: BodyFields, headers: HeaderSet): BodySource {
  if (v.body_text !== undefined) return { form: 'text', text: v.body_text };
  if (v.body_base64 !== undefined) return { form: 'base64', base64: v.body_base64, contentEncoding: headers.first.get('content-encoding') };
  if (v.body !== undefined) return { form: 'json', value: v.body as Json };
  return { form: 'none' };
}

/** Said of a response whose body the capture left out: the live gateway saw a body we cannot replay. */
export const NOT_CAPTURED = 'the response body was not captured';

function decodeResponse(v: ResponseFields): GatewayResponse {
  const headers = headersFromObject(v.headers);
  const status = numberValue(v.status);
  if (v.sse !== undefined) {
    return withError({ status, headers, bodyText: v.sse, bodyBytes: Buffer.byteLength(v.sse), sseText: v.sse }, v.error);
  }
  const body = decodeBody(bodySource(v, headers));
  const out: GatewayResponse = withBodyBytes({ status, headers }, body);
  if (body.json !== undefined) out.body = body.json;
  if (body.text !== undefined) {
    out.bodyText = body.text;
    // A stream captured as plain body text is still a stream.
    if (isEventStreamType(headers.first.get('content-type'))) out.sseText = body.text;
  }
  if (body.readError) out.bodyError = body.readError;
  else if (v.body === undefined && v.body_text === undefined && v.body_base64 === undefined) out.bodyError = NOT_CAPTURED;
  return withError(out, v.error);
}

function withError(response: GatewayResponse, error: string | null | undefined): GatewayResponse {
  if (error) response.error = error;
  return response;
}

/**
 * The record itself when every field is as the schema wants it, else undefined (zod then decides, and
 * describes what is wrong). Never accepts what zod rejects; may leave to zod what it accepts.
 */
function checkedByHand(v: JsonObject): GatewayFields | undefined {
  if (v.record !== 'gateway') return undefined;
  if (v.id !== undefined && !(typeof v.id === 'string' ? v.id.length > 0 : isNumber(v.id))) return undefined;
  if (!isRfc3339(v.started_at) || (!isNullish(v.ended_at) && !isRfc3339(v.ended_at))) return undefined;
  if (v.method !== undefined && !(typeof v.method === 'string' && v.method.length > 0)) return undefined;
  if (v.path !== undefined && !(typeof v.path === 'string' && v.path.startsWith('/'))) return undefined;
  if (v.url !== undefined && !(typeof v.url === 'string' && isAbsoluteUrl(v.url))) return undefined;
  if (v.path === undefined && v.url === undefined) return undefined;
  if (!optionalHeaders(v.headers) || !bodyFieldsOk(v, REQUEST_BODY_KEYS) || !nullishString(v.error)) return undefined;
  const r = v.response;
  if (!isNullish(r)) {
    if (!isObject(r) || !isHttpStatusCode(r.status) || !optionalHeaders(r.headers) || !nullishString(r.error)) return undefined;
    if (!bodyFieldsOk(r, RESPONSE_BODY_KEYS) || (r.sse !== undefined && typeof r.sse !== 'string')) return undefined;
  }
  return v as GatewayFields;
}

const isNullish = (x: Json | undefined): x is null | undefined => x === undefined || x === null;
const nullishString = (x: Json | undefined) => isNullish(x) || typeof x === 'string';

/** `body` may be anything; `body_text` and `body_base64` are strings; at most one of `keys` is given (not null). */
function bodyFieldsOk(v: JsonObject, keys: readonly string[]): boolean {
  if ((v.body_text !== undefined && typeof v.body_text !== 'string') || (v.body_base64 !== undefined && typeof v.body_base64 !== 'string')) return false;
  return givenOf(v, keys).length <= 1;
}

/** Absent, or header values the hand check may accept. */
const optionalHeaders = (h: Json | undefined) => h === undefined || isPlainHeaderValues(h);
