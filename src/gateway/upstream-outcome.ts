import type { GatewayExchange, GatewayResponse } from '../ingest/records/exchange.js';
import { isObject, type Json, type JsonObject } from '../json/value.js';
import { isErrorAnswer } from '../providers/response.js';
import { assembleSseStream, type AssembleOptions, type AssemblyFix } from '../providers/sse/assemble.js';
import { anthropicStreamCutShort, chatStreamCutShort, responsesStreamCutShort } from '../providers/sse/stream-end.js';
import { streamedWithoutRequest, type LlmGatewayStart } from './llm-start.js';

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
  /**
   * Non-streamed: any status. The end data is the response JSON, or `{"body_bytes": n}` when it is not JSON.
   * `notes`: why the body could not be read (undecodable, not captured, an event stream), when it could not.
   */
  | { kind: 'buffered'; status: number; response: Json; notes: string[] }
  /**
   * Streamed: one `llm.chunk` mark per parsed chunk, then the end with the assembled response.
   * `streamError`: where and why the stream broke off (the chunks after it are not read).
   * `notes`: why the body could not be read (undecodable, not captured, a JSON body), when it could not.
   */
  | { kind: 'streamed'; status: number; chunkMarks: JsonObject[]; response: JsonObject; streamError?: string; notes: string[]; fixes?: AnswerFix[] };

/**
 * A fix that changed how a streamed answer was read, recorded on the outcome when its branch changed
 * the answer (the assembly's, or stream-error-body's here): `explain --step` names it on the step.
 */
export type AnswerFix = AssemblyFix | 'stream-error-body';

/** `answers`: the fixes that change how an answer is read (relay-0.3: none). */
export function gatewayCallOutcome(exchange: GatewayExchange, start: LlmGatewayStart, answers: AssembleOptions = {}): GatewayCallOutcome {
  const early = earlyOutcome(exchange, start);
  if (early) return early;
  const format = start.route.streamFormat;
  const response = exchange.response;
  if (!response) return { kind: 'transport-error', message: exchange.error ?? 'no response was captured' };
  const notes = response.bodyError ? [response.bodyError] : [];
  // Fix stream-without-request: no request body was read, so no "stream" flag; the event stream captured says it was one.
  const streaming = start.streaming || (answers.streamWithoutRequest === true && streamedWithoutRequest(exchange));
  if (streaming && format) {
    // Fix stream-error-body: the provider refused the stream with its JSON error body (Anthropic's
    // HTTP 529 overloaded_error, a 429 or 500 error object): that body is the answer, as it is for a
    // buffered call, so the attempt reads as failed. The live codec found no event in it.
    const errorBody = answers.streamErrorBody ? streamErrorBody(response) : undefined;
    if (errorBody) return { kind: 'streamed', status: response.status, chunkMarks: [], response: errorBody, notes, fixes: ['stream-error-body'] };
    // Whatever the status, the body goes through the SSE decoder: a JSON error body has no `data:`
    // line, so a non-2xx stream yields no chunks and an empty aggregate (seed behaviour). Its answer
    // is lost as live, and said to be.
    const assembled = assembleSseStream(format, streamText(response), answers);
    if (isJsonBody(response)) notes.push(jsonForStream(response));
    // A body that is neither JSON nor an event stream (a proxy's HTML error page): no event in it either.
    else if (response.sseText === undefined && response.bodyBytes > 0 && assembled.chunkMarks.length === 0) notes.push(neitherForStream(response));
    // The provider's own error event in a stream that began well: the answer ends there, as live.
    const providerError = assembled.providerError;
    if (providerError) notes.push(`the stream carried an error event (chunk ${providerError.chunkIndex + 1}: ${providerError.description}): the answer ends there, as live`);
    const streamError = assembled.error ? `frame ${assembled.error.frameIndex + 1}: ${assembled.error.message}` : response.error;
    // A stream with no event at all (an empty body, comments only): a provider always sends some, so
    // the capture kept none of them; live, the answer would be the same empty aggregate.
    if (assembled.chunkMarks.length === 0 && notes.length === 0 && !streamError) notes.push(noEvent(response));
    // A chat stream with chunks but no finish_reason and no [DONE]: cut short, its answer partial, as live.
    else if (format === 'openai-chat' && notes.length === 0 && !streamError && chatStreamCutShort(assembled.chunks, assembled.done)) notes.push(cutShort(assembled.chunks.length));
    // A Responses stream with events but no terminal one (completed, incomplete, failed, error): cut short too.
    else if (format === 'openai-responses' && notes.length === 0 && !streamError && responsesStreamCutShort(assembled.chunks, assembled.done)) notes.push(responsesCutShort(assembled.chunks.length));
    // An Anthropic stream with events but no message_stop (a Claude Code user's Esc): cut short too.
    else if (format === 'anthropic-messages' && notes.length === 0 && !streamError && anthropicStreamCutShort(assembled.chunks, assembled.done)) notes.push(anthropicCutShort(assembled.chunks.length));
    const outcome: GatewayCallOutcome = { kind: 'streamed', status: response.status, chunkMarks: assembled.chunkMarks, response: assembled.response, notes };
    if (streamError) outcome.streamError = streamError;
    if (assembled.fixes) outcome.fixes = assembled.fixes;
    return outcome;
  }
  // A body that broke off mid-read is a transport failure for a buffered call.
  if (response.error) return { kind: 'transport-error', message: response.error };
  if (response.sseText !== undefined) notes.push(streamForJson(response));
  else if (response.body === undefined && response.bodyError === undefined && response.bodyBytes > 0) notes.push(notJson(response));
  return { kind: 'buffered', status: response.status, response: bufferedResult(response), notes };
}

/*
 * A response captured as the other kind than its request asked for. The live gateway decodes by the
 * request's `"stream"` flag (§2.8), and so does the replay: a JSON body under a stream goes through
 * the SSE decoder, which finds no event in it (the empty aggregate), and an event stream under a
 * buffered call is not JSON (its size only). Nothing in the output says the answer was there.
 */

/**
 * The JSON error body a stream request was answered with instead of a stream (fix `stream-error-body`):
 * an object body, not an event stream, with a non-2xx status or an error object at its top.
 */
function streamErrorBody(response: GatewayResponse): JsonObject | undefined {
  if (!isJsonBody(response) || !isObject(response.body)) return undefined;
  const failed = response.status < 200 || response.status >= 300 || isErrorAnswer(response.body);
  return failed ? response.body : undefined;
}

/** A JSON body, not an event stream (one captured as text under its event-stream type is `sseText`). */
function isJsonBody(response: GatewayResponse): boolean {
  return response.sseText === undefined && response.body !== undefined;
}

function jsonForStream(response: GatewayResponse): string {
  return `the request asked for a stream ("stream": true) but the response (HTTP ${response.status}) was captured as a JSON body, not an event stream: its answer is not read, as live`;
}

function neitherForStream(response: GatewayResponse): string {
  return `the request asked for a stream ("stream": true) but the response (${statusAndType(response)}) is neither an event stream nor JSON: its answer is not read, as live`;
}

function streamForJson(response: GatewayResponse): string {
  return `the request did not ask for a stream but the response (HTTP ${response.status}) was captured as an event stream: only its size is read ({"body_bytes": ${response.bodyBytes}}), as live`;
}

function noEvent(response: GatewayResponse): string {
  return `the streamed response (${statusAndType(response)}, ${response.bodyBytes} bytes) holds no event: its answer is empty, as live`;
}

function cutShort(chunks: number): string {
  return `the stream ended before its answer did (${chunks} chunk${chunks === 1 ? '' : 's'}, no finish_reason, no data: [DONE]): the answer is what came before, as live`;
}

function responsesCutShort(chunks: number): string {
  return `the stream ended before its answer did (${chunks} event${chunks === 1 ? '' : 's'}, no response.completed, response.incomplete or response.failed): the answer is what came before, as live`;
}

function anthropicCutShort(chunks: number): string {
  return `the stream ended before its answer did (${chunks} event${chunks === 1 ? '' : 's'}, no message_stop): the answer is what came before, as live`;
}

/** `HTTP 502, text/html`: what tells a body that is not what the gateway reads (an error page) apart. */
function statusAndType(response: GatewayResponse): string {
  const type = response.headers.first.get('content-type');
  return `HTTP ${response.status}${type ? `, ${type}` : ''}`;
}

/** A body that is not JSON (an HTML error page from a proxy, plain text): the live gateway keeps its size only. */
function notJson(response: GatewayResponse): string {
  return `the response (${statusAndType(response)}) is not JSON: only its size is read ({"body_bytes": ${response.bodyBytes}}), as live`;
}

/**
 * Why the response was not read in full, when it was not: no response (a transport error), a body
 * that could not be read, a stream that broke off, a response of the other kind than the request
 * asked for. The replay keeps what the live gateway kept (no data, `{"body_bytes": n}`, the stream up
 * to the break, the empty aggregate), which alone does not say what is missing; this says it.
 * Undefined for a response read in full, and for a call with no completion to read.
 */
export function responseNotRead(outcome: GatewayCallOutcome): string | undefined {
  switch (outcome.kind) {
    case 'unmanaged-stream':
    case 'incomplete':
      return undefined;
    case 'transport-error':
      return `transport error: ${brief(outcome.message)}`;
    case 'buffered':
      return outcome.notes.length > 0 ? outcome.notes.map(brief).join('; ') : undefined;
    case 'streamed': {
      const reasons = [...outcome.notes, ...(outcome.streamError === undefined ? [] : [`the stream broke off: ${outcome.streamError}`])];
      return reasons.length > 0 ? reasons.map(brief).join('; ') : undefined;
    }
  }
}

/** A reason as one short line: a broken frame's message quotes its payload, which may be the whole stream. */
const BRIEF_CHARS = 200;

function brief(reason: string): string {
  const oneLine = reason.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return oneLine.length > BRIEF_CHARS ? `${oneLine.slice(0, BRIEF_CHARS)}…` : oneLine;
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
