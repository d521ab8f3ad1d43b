import type { GatewayExchange } from '../ingest/records/exchange.js';
import type { Nanos } from '../ingest/time.js';
import type { Json, JsonObject } from '../json/value.js';
import { annotateResponse } from './annotate/annotate.js';
import type { LlmGatewayStart } from './llm-start.js';
import type { GatewayCallOutcome } from './upstream-outcome.js';

/**
 * The LLM scope start/end and `llm.chunk` marks the live runtime emits for a gateway call
 * (relay-cli.md §2.7–§2.8), as plain values. Uuids, parents and timestamps are the session layer's:
 * the start parent is the owner scope of §2.6, and start/end share one uuid.
 */
export interface LlmScopePayload {
  kind: 'scope';
  scope_category: 'start' | 'end';
  category: 'llm';
  /** The provider name (`openai.responses`, …). */
  name: string;
  attributes: string[];
  data: Json;
  metadata: Json;
  category_profile: JsonObject;
}

export interface LlmChunkMarkPayload {
  kind: 'mark';
  name: 'llm.chunk';
  /** Parent is the LLM scope's uuid. */
  data: JsonObject;
}

export interface GatewayLlmEvents {
  start: LlmScopePayload;
  chunks: LlmChunkMarkPayload[];
  /** Undefined when the call emits no end (never completed). */
  end?: LlmScopePayload;
  /** The value the live gateway hands to `record_gateway_response_hints` (§2.9); undefined when none. */
  responseForHints?: Json;
}

/**
 * The LLM start. `metadata` is what §2.6–§2.7 computed (`gateway_path` merged with alias and
 * correlation metadata and the owner's); without session state it is the bare `{"gateway_path"}`.
 */
export function llmStartPayload(start: LlmGatewayStart, metadata: Json = start.metadata): LlmScopePayload {
  const profile: JsonObject = {};
  if (start.modelName !== undefined) profile.model_name = start.modelName;
  return {
    kind: 'scope',
    scope_category: 'start',
    category: 'llm',
    name: start.provider,
    attributes: start.streaming ? ['streaming'] : [],
    data: { headers: start.request.headers, content: start.request.content },
    metadata,
    category_profile: profile,
  };
}

/**
 * The LLM end: same name, attributes, metadata and model as the start; `data` is the result, or
 * `null` when there is none (a transport failure, or a result that is JSON `null`), and the route
 * codec's `annotated_response` when it decoded the result.
 */
export function llmEndPayload(startPayload: LlmScopePayload, data: Json, annotatedResponse?: JsonObject): LlmScopePayload {
  const profile: JsonObject = { ...startPayload.category_profile };
  if (annotatedResponse) profile.annotated_response = annotatedResponse;
  return { ...startPayload, scope_category: 'end', data, category_profile: profile };
}

/** Start, chunk marks and end for a call whose outcome is known; none at all for an unmanaged stream. */
export function gatewayLlmEvents(start: LlmGatewayStart, outcome: GatewayCallOutcome, metadata: Json = start.metadata): GatewayLlmEvents | undefined {
  if (outcome.kind === 'unmanaged-stream') return undefined;
  const startPayload = llmStartPayload(start, metadata);
  const events: GatewayLlmEvents = { start: startPayload, chunks: [] };
  switch (outcome.kind) {
    case 'incomplete':
      return events;
    case 'transport-error':
      events.end = llmEndPayload(startPayload, null);
      return events;
    case 'buffered':
      events.end = llmEndPayload(startPayload, outcome.response, annotateResponse(start.route.kind, outcome.response));
      events.responseForHints = outcome.response;
      return events;
    case 'streamed':
      events.chunks = outcome.chunkMarks.map((data) => ({ kind: 'mark', name: 'llm.chunk', data }));
      events.end = llmEndPayload(startPayload, outcome.response, annotateResponse(start.route.kind, outcome.response));
      events.responseForHints = outcome.response;
      return events;
  }
}

/**
 * When the LLM end happens: the captured completion, kept strictly after the start as the runtime
 * does (`end_timestamp_after`: start + 1 µs when the clock did not advance). A transport failure
 * captured without `ended_at` ends at the start + 1 µs.
 */
export function llmEndTimestampNs(exchange: Pick<GatewayExchange, 'startedNs' | 'endedNs'>): Nanos {
  const ended = exchange.endedNs;
  return ended !== undefined && ended > exchange.startedNs ? ended : exchange.startedNs + 1000n;
}
