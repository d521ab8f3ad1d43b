import { z } from 'zod';
import { isObject, JsonNumber, numberValue, type Json, type JsonObject } from '../../json/value.js';
import { parseRfc3339, type Nanos } from '../time.js';
import { decodeBody, withBodyBytes, type BodySource } from './body.js';
import type { DecodeExchangeResult, GatewayExchange, GatewayResponse } from './exchange.js';
import { headersFromObject, isEventStreamType, type HeaderSet } from './headers.js';
import { atMostOneOf, headerValues, httpStatus, jsonNumber, rfc3339 } from './schema-parts.js';
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

export function decodeGatewayRecord(raw: JsonObject, options: DecodeOptions = {}): DecodeExchangeResult {
  const r = gatewayRecordSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, path: issue.path.join('.') || '(root)', message: issue.message };
  }
  const v = r.data;
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

function decodeResponse(v: z.infer<typeof gatewayResponseSchema>): GatewayResponse {
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
