import { z } from 'zod';
import { getOwn, isObject, numberValue, type Json, type JsonObject } from '../../json/value.js';
import { MAX_RAW_TIMESTAMP_NS, parseRfc3339, RAW_OUT_OF_RANGE, type Nanos } from '../time.js';
import { decodeBody, withBodyBytes, type BodySource } from './body.js';
import type { DecodeExchangeResult, GatewayExchange, GatewayResponse } from './exchange.js';
import { NOT_CAPTURED, type DecodeOptions } from './gateway.js';
import { headersFromPairs, isEventStreamType } from './headers.js';
import { httpStatus, jsonNumber, rfc3339 } from './schema-parts.js';
import { splitRequestTarget } from './target.js';

/**
 * HAR 1.2 entries (input-records.md §4), as browsers, mitmproxy and most HTTP recorders write them.
 * Unknown keys (`_error`, `timings`, `cache`, …) are tolerated. HAR bodies are already decoded from
 * their content-encoding by the recorder; only `encoding: "base64"` is undone.
 */

const harHeaders = z.array(z.looseObject({ name: z.string(), value: z.string() }));

// `null` stands for an absent field: mitmproxy's HAR export writes `"text": null` for a body it did
// not keep (a streamed body, `get_text()` of no content), and some recorders `"encoding": null`.
const harPostData = z.looseObject({
  mimeType: z.string().nullish(),
  text: z.string().nullish(),
  // Not in HAR 1.2 for requests, but some recorders write binary request bodies this way.
  encoding: z.string().nullish(),
});

const harContent = z.looseObject({
  mimeType: z.string().nullish(),
  text: z.string().nullish(),
  encoding: z.string().nullish(),
});

export const harEntrySchema = z.looseObject({
  startedDateTime: rfc3339,
  time: jsonNumber.nullish(),
  request: z.looseObject({
    method: z.string().min(1),
    url: z.string().min(1),
    headers: harHeaders.optional(),
    postData: harPostData.nullish(),
  }),
  response: z
    .looseObject({
      status: httpStatus,
      headers: harHeaders.optional(),
      content: harContent.nullish(),
      _error: z.string().nullish(),
    })
    .nullish(),
});

/** Detection of one HAR entry on a line: the three members every HAR entry has. */
export function looksLikeHarEntry(v: Json): v is JsonObject {
  return isObject(v) && typeof v.startedDateTime === 'string' && isObject(v.request) && 'response' in v;
}

/** A whole HAR document (`{"log": {"entries": [...]}}`), read as its entries. */
export function isHarDocument(v: Json): v is JsonObject & { log: JsonObject & { entries: Json[] } } {
  if (!isObject(v)) return false;
  const log = getOwn(v, 'log');
  return isObject(log) && Array.isArray(getOwn(log, 'entries'));
}

export function decodeHarEntry(raw: JsonObject, options: DecodeOptions = {}): DecodeExchangeResult {
  const r = harEntrySchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, path: issue.path.join('.') || '(root)', message: issue.message };
  }
  const v = r.data;
  // HAR has no entry id; `_id` is what some recorders add.
  const ownId = getOwn(raw, '_id');
  const id = typeof ownId === 'string' && ownId !== '' ? ownId : options.fallbackId;
  if (id === undefined) return { ok: false, path: '_id', message: 'a HAR entry needs an id (none given and no fallback)' };
  const startedNs = parseRfc3339(v.startedDateTime) as Nanos;
  const target = splitRequestTarget(v.request.url);
  const body = decodeBody(harBodySource(v.request.postData?.text ?? undefined, v.request.postData?.encoding ?? undefined));
  const exchange: GatewayExchange = {
    id,
    source: 'har',
    startedNs,
    method: v.request.method.toUpperCase(),
    path: target.path,
    headers: headersFromPairs((v.request.headers ?? []).map((h) => [h.name, h.value] as const)),
    body: body.json,
    response: null,
  };
  if (target.query !== undefined) exchange.query = target.query;
  const bodyError = body.readError ?? body.jsonError;
  if (bodyError) exchange.bodyError = bodyError;
  const response = v.response;
  const timings = getOwn(raw, 'timings');
  // Browsers record a failed request as status 0 with `_error`: no answer.
  const answered = Boolean(response) && numberValue(response!.status) !== 0;
  const ended = endOf(startedNs, v.time, isObject(timings) ? timings : undefined, answered);
  // The end is computed, not read: a huge `time` would put it past what a timestamp can hold.
  if (ended !== undefined && ended > MAX_RAW_TIMESTAMP_NS) return { ok: false, path: v.time === undefined || v.time === null ? 'timings' : 'time', message: `startedDateTime + its length ends ${RAW_OUT_OF_RANGE}` };
  if (ended !== undefined) exchange.endedNs = ended;
  if (!response || !answered) {
    exchange.error = response?._error || 'no response (HAR status 0)';
    return { ok: true, exchange };
  }
  exchange.response = decodeHarResponse(response);
  return { ok: true, exchange };
}

function harBodySource(text: string | undefined, encoding: string | undefined): BodySource {
  if (text === undefined) return { form: 'none' };
  return encoding?.toLowerCase() === 'base64' ? { form: 'base64', base64: text } : { form: 'text', text };
}

/**
 * `startedDateTime + time` (milliseconds, fractional allowed). Without a usable `time` (missing, null or
 * negative), the sum of the `timings` phases it stands for (HAR 1.2: -1 marks a phase that does not
 * apply); without those either, an entry that has a response ended when it started (its length is not
 * known, but it did end: taken as never ending, its answer was lost), and one without stays unknown.
 */
function endOf(startedNs: Nanos, time: Parameters<typeof numberValue>[0] | null | undefined, timings: JsonObject | undefined, answered: boolean): Nanos | undefined {
  const ms = time === undefined || time === null ? NaN : numberValue(time);
  const length = Number.isFinite(ms) && ms >= 0 ? ms : timingsTotal(timings);
  if (length === undefined) return answered ? startedNs : undefined;
  return startedNs + BigInt(Math.round(length * 1_000_000));
}

/** The phases HAR 1.2 sums into `time` (`ssl` is part of `connect`), when one at least is known. */
const TIMED_PHASES = ['blocked', 'dns', 'connect', 'send', 'wait', 'receive'] as const;

function timingsTotal(timings: JsonObject | undefined): number | undefined {
  if (!timings) return undefined;
  let total: number | undefined;
  for (const phase of TIMED_PHASES) {
    const v = getOwn(timings, phase);
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) total = (total ?? 0) + v;
  }
  return total;
}

function decodeHarResponse(r: NonNullable<z.infer<typeof harEntrySchema>['response']>): GatewayResponse {
  const headers = headersFromPairs((r.headers ?? []).map((h) => [h.name, h.value] as const));
  const body = decodeBody(harBodySource(r.content?.text ?? undefined, r.content?.encoding ?? undefined));
  const out: GatewayResponse = withBodyBytes({ status: numberValue(r.status), headers }, body);
  if (body.json !== undefined) out.body = body.json;
  if (body.text !== undefined) {
    out.bodyText = body.text;
    // mitmproxy writes the Content-Type header as mimeType, "" when there is none.
    if (isEventStreamType(r.content?.mimeType || headers.first.get('content-type'))) out.sseText = body.text;
  }
  if (body.readError) out.bodyError = body.readError;
  else if (typeof r.content?.text !== 'string') out.bodyError = NOT_CAPTURED;
  // Chrome records a request that failed after its response began (the stream cut, the fetch aborted)
  // as answered, with `_error` ("net::ERR_ABORTED"): the body is what arrived before the break, as a
  // gateway record's `response.error` says.
  if (r._error) out.error = r._error;
  return out;
}
