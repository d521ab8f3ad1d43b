import type { GatewayExchange } from '../ingest/records/exchange.js';
import { getOwn, isObject, type Json } from '../json/value.js';
import { headerString } from './headers.js';
import { jsonStringAt } from './json-paths.js';

/**
 * Identifiers the gateway reads from a request besides the session id (relay-cli.md §2.4). They are
 * used only for LLM hint matching (§2.6.2); none is written into LLM metadata.
 */

type Request = Pick<GatewayExchange, 'headers' | 'body'>;

export const SUBAGENT_HEADER = 'x-nemo-relay-subagent-id';

/**
 * `gateway_identifier`: the dedicated header, else the first existing body path (seed: no
 * fall-through; `fallThrough` is fix `json-null-fallthrough`, see `jsonStringAt`).
 */
export function gatewayIdentifier(request: Request, headerName: string, bodyPaths: ReadonlyArray<readonly string[]>, fallThrough = false): string | undefined {
  return headerString(request.headers, headerName) ?? jsonStringAt(request.body, bodyPaths, fallThrough);
}

/** Header only: body fields that look like subagent ids are provider payload, not scope identity. */
export function gatewaySubagentId(request: Request): string | undefined {
  return headerString(request.headers, SUBAGENT_HEADER);
}

export function gatewayConversationId(request: Request, fallThrough = false): string | undefined {
  return gatewayIdentifier(request, 'x-nemo-relay-conversation-id', [['conversation_id'], ['conversationId'], ['conversation', 'id']], fallThrough);
}

export function gatewayGenerationId(request: Request, fallThrough = false): string | undefined {
  return gatewayIdentifier(request, 'x-nemo-relay-generation-id', [['generation_id'], ['generationId'], ['generation', 'id']], fallThrough);
}

/** The transport `x-request-id` is a weak last resort, kept for debugging correlation. */
export function gatewayRequestId(request: Request, fallThrough = false): string | undefined {
  return (
    gatewayIdentifier(request, 'x-nemo-relay-request-id', [['request_id'], ['requestId'], ['request', 'id'], ['metadata', 'request_id']], fallThrough) ??
    headerString(request.headers, 'x-request-id')
  );
}

/** `body.model` when it is a JSON string (an empty string included). */
export function requestModelName(body: Json | undefined): string | undefined {
  const model = isObject(body) ? getOwn(body, 'model') : undefined;
  return typeof model === 'string' ? model : undefined;
}

/** Streaming only when `body.stream` is the JSON boolean `true` (the string "true" is not). */
export function isStreamingRequest(body: Json | undefined): boolean {
  return isObject(body) && getOwn(body, 'stream') === true;
}
