import type { Json } from '../../json/value.js';
import type { Nanos } from '../time.js';
import type { HeaderSet } from './headers.js';

/**
 * One proxied HTTP exchange, normalized from a compact gateway record or a HAR entry: everything the
 * live gateway saw of it (request arrival, request, response, completion) and nothing interpreted
 * yet. Routing, session attribution and LLM events are derived from it in `src/gateway/`.
 */
export interface GatewayExchange {
  /** Capture id (`id` of a compact record, else the fallback id the reader supplied). */
  id: string;
  source: 'gateway' | 'har';
  /** Request arrival. */
  startedNs: Nanos;
  /** Response completion; undefined when the call never completed (an LLM start with no end). */
  endedNs?: Nanos;
  method: string;
  /** The URL path exactly as sent, without query. */
  path: string;
  query?: string;
  headers: HeaderSet;
  /** The request body parsed as JSON; undefined when there was none or it is not JSON. */
  body: Json | undefined;
  /** Why the request body is unreadable or not JSON (for explain; the live gateway then sees `null`). */
  bodyError?: string;
  /** The upstream response; null when none arrived. */
  response: GatewayResponse | null;
  /** The transport failure that left the exchange without a response. */
  error?: string;
}

export interface GatewayResponse {
  status: number;
  headers: HeaderSet;
  /** The body parsed as JSON, when it is JSON. */
  body?: Json;
  /** The body as text (bytes decoded as UTF-8, lossily when invalid, as the live SSE decoder does). */
  bodyText?: string;
  /** Byte length of the body (the live gateway reports a non-JSON body as `{"body_bytes": n}`). */
  bodyBytes: number;
  /** The raw `text/event-stream` of a streamed response. */
  sseText?: string;
  /** Why the body could not be read (bad base64, undecodable content-encoding, …). */
  bodyError?: string;
  /** A transport failure after the response started (the stream was cut). */
  error?: string;
}

export type DecodeExchangeResult = { ok: true; exchange: GatewayExchange } | { ok: false; path: string; message: string };
