import type { GatewayExchange, GatewayResponse } from '../ingest/records/exchange.js';
import type { Json, JsonObject } from '../json/value.js';
import { assembleSseStream } from '../providers/sse/assemble.js';
import type { LlmGatewayStart } from './llm-start.js';

/**
 * What happened upstream for an LLM call, as the live gateway would have turned it into an LLM end
 * (relay-cli.md §2.8, table §2.8.3). Values only; the session layer places them on the timeline.
 */
export type GatewayCallOutcome =
  /** `count_tokens` with `"stream": true`: piped through unmanaged. Session preparation (§2.5–§2.6) still ran; no LLM events. */
  | { kind: 'unmanaged-stream' }
  /** No completion was captured (`ended_at` missing): an LLM start with no end, and the call stays in flight. */
  | { kind: 'incomplete' }
  /** Connection or body-read failure: LLM end with `data: null`, client 502, no response hints. */
  | { kind: 'transport-error'; message: string }
  /** Non-streamed: any status. The end data is the response JSON, or `{"body_bytes": n}` when it is not JSON. */
  | { kind: 'buffered'; status: number; response: Json; notes: string[] }
  /** Streamed: one `llm.chunk` mark per parsed chunk, then the end with the assembled response. */
  | { kind: 'streamed'; status: number; chunkMarks: JsonObject[]; response: JsonObject; streamError?: string; notes: string[] };

export function gatewayCallOutcome(exchange: GatewayExchange, start: LlmGatewayStart): GatewayCallOutcome {
  const early = earlyOutcome(exchange, start);
  if (early) return early;
  const format = start.route.streamFormat;
  const response = exchange.response;
  if (!response) return { kind: 'transport-error', message: exchange.error ?? 'no response was captured' };
  const notes = response.bodyError ? [response.bodyError] : [];
  if (start.streaming && format) {
    // Whatever the status, the body goes through the SSE decoder: a JSON error body has no `data:`
    // line, so a non-2xx stream yields no chunks and an empty aggregate (seed behaviour).
    const assembled = assembleSseStream(format, streamText(response));
    const outcome: GatewayCallOutcome = { kind: 'streamed', status: response.status, chunkMarks: assembled.chunkMarks, response: assembled.response, notes };
    const streamError = assembled.error?.message ?? response.error;
    if (streamError) outcome.streamError = streamError;
    return outcome;
  }
  // A body that broke off mid-read is a transport failure for a buffered call.
  if (response.error) return { kind: 'transport-error', message: response.error };
  return { kind: 'buffered', status: response.status, response: bufferedResult(response), notes };
}

/**
 * The outcomes decided before the response is read: a stream piped through unmanaged, or a call
 * that never completed. Any other call completes (so it has a completion point on the timeline),
 * which a reader can know without assembling its stream.
 */
export function earlyOutcome(exchange: GatewayExchange, start: LlmGatewayStart): Extract<GatewayCallOutcome, { kind: 'unmanaged-stream' | 'incomplete' }> | undefined {
  if (start.streaming && !start.route.streamFormat) return { kind: 'unmanaged-stream' };
  if (exchange.endedNs === undefined && !exchange.error) return { kind: 'incomplete' };
  return undefined;
}

/** The response as the runtime's LLM result: parsed JSON, else the body's byte count. */
function bufferedResult(response: GatewayResponse): Json {
  if (response.body !== undefined && response.sseText === undefined) return response.body;
  return { body_bytes: response.bodyBytes };
}

function streamText(response: GatewayResponse): string {
  if (response.sseText !== undefined) return response.sseText;
  if (response.bodyText !== undefined) return response.bodyText;
  return response.body === undefined ? '' : JSON.stringify(response.body);
}
