import type { GatewayExchange } from '../ingest/records/exchange.js';
import type { Json, JsonObject } from '../json/value.js';
import { observableHeaders } from './headers.js';
import { gatewayConversationId, gatewayGenerationId, gatewayRequestId, gatewaySubagent, isStreamingRequest, requestModelName, type SubagentIdSource } from './identifiers.js';
import { routeRequest, type GatewayProvider, type GatewayRoute, type RouteOptions } from './routes.js';
import { resolveGatewaySession, type GatewaySessionResolution, type SessionChainOptions } from './session-chain.js';

/**
 * What the gateway knows about an LLM call at request arrival (the reference's `LlmGatewayStart`),
 * before any session state is consulted: §2.2 request preparation, §2.3 session id, §2.4 identifiers.
 */
export interface LlmGatewayStart {
  captureId: string;
  route: GatewayRoute;
  /** The chain's session id; §2.5 may still rewrite it through an alias. */
  sessionId?: string;
  /** How the chain decided, link by link (for `explain`). */
  session: GatewaySessionResolution;
  provider: GatewayProvider;
  modelName?: string;
  subagentId?: string;
  /** Where `subagentId` came from: the header, (fix `claude-code-agent-header`) Claude Code's `x-claude-code-agent-id`, or (fix `codex-client-metadata-session`) a Codex child thread's `client_metadata.thread_id`. */
  subagentIdSource?: SubagentIdSource;
  conversationId?: string;
  generationId?: string;
  requestId?: string;
  /** The LLM request envelope: recorded headers and the parsed body (`null` when not JSON). */
  request: { headers: JsonObject; content: Json };
  streaming: boolean;
  /** `{"gateway_path": <path without query>}`, merged with alias metadata when §2.5 rewrites the start. */
  metadata: Json;
}

/** The raw-log fixes that change what the gateway reads from a request (none: the relay-0.3 gateway). */
export interface GatewayStartOptions extends SessionChainOptions {
  /** Fix `json-null-fallthrough`: body identifiers skip a null, non-scalar or empty first candidate. */
  jsonStringFallThrough?: boolean;
  /** Fix `claude-code-agent-header`: a Claude Code subagent's request names it by `x-claude-code-agent-id`. */
  claudeCodeAgentHeader?: boolean;
  /**
   * Fix `stream-without-request`: a call whose request body was not read (not captured, undecodable,
   * not JSON), so that its `"stream"` flag is unknown, is a streaming call when its response was
   * captured as an event stream.
   */
  streamWithoutRequest?: boolean;
}

export function buildLlmGatewayStart(exchange: GatewayExchange, route: GatewayRoute, options: GatewayStartOptions = {}): LlmGatewayStart {
  const session = resolveGatewaySession(exchange, route, options);
  const fallThrough = options.jsonStringFallThrough ?? false;
  const start: LlmGatewayStart = {
    captureId: exchange.id,
    route,
    session,
    provider: route.provider,
    request: { headers: observableHeaders(exchange.headers), content: exchange.body ?? null },
    streaming: isStreamingRequest(exchange.body) || (options.streamWithoutRequest === true && streamedWithoutRequest(exchange)),
    metadata: { gateway_path: exchange.path },
  };
  assignDefined(start, 'sessionId', session.sessionId);
  assignDefined(start, 'modelName', requestModelName(exchange.body));
  const subagent = gatewaySubagent(exchange, route.kind, options.codexClientMetadataSession ?? false, options.claudeCodeAgentHeader ?? false);
  assignDefined(start, 'subagentId', subagent?.id);
  assignDefined(start, 'subagentIdSource', subagent?.source);
  assignDefined(start, 'conversationId', gatewayConversationId(exchange, fallThrough));
  assignDefined(start, 'generationId', gatewayGenerationId(exchange, fallThrough));
  assignDefined(start, 'requestId', gatewayRequestId(exchange, fallThrough));
  return start;
}

/**
 * The live gateway decodes an answer by its request's `"stream"` flag (relay-cli.md §2.8); with no
 * request body read there is no flag, and relay-0.3 reads the call as buffered: an event stream then
 * is "not JSON", only its size kept, the whole answer (text, calls, usage) lost. A capture whose
 * request body is missing or unreadable still has the stream it was answered with: that stream says
 * the request asked for one.
 */
export function streamedWithoutRequest(exchange: GatewayExchange): boolean {
  return exchange.body === undefined && exchange.response?.sseText !== undefined;
}

function assignDefined<K extends keyof LlmGatewayStart>(start: LlmGatewayStart, key: K, value: LlmGatewayStart[K] | undefined): void {
  if (value !== undefined) start[key] = value;
}

/** What an exchange is to the gateway: an LLM call (with its start), or one of the cases without events. */
export type PreparedExchange =
  | { kind: 'llm'; start: LlmGatewayStart }
  /** `/models`: proxied, no session touched. */
  | { kind: 'models-proxy'; route: GatewayRoute }
  /** 405 with an empty body; nothing else happens. */
  | { kind: 'method-not-allowed'; route: GatewayRoute; method: string }
  /** 404 (router) / "unsupported gateway path" (handler). */
  | { kind: 'unsupported-path'; message: string };

export function prepareGatewayExchange(exchange: GatewayExchange, routes: RouteOptions = {}): PreparedExchange {
  const decision = routeRequest(exchange.method, exchange.path, routes);
  switch (decision.kind) {
    case 'llm':
      return { kind: 'llm', start: buildLlmGatewayStart(exchange, decision.route) };
    case 'models-proxy':
      return { kind: 'models-proxy', route: decision.route };
    case 'method-not-allowed':
      return { kind: 'method-not-allowed', route: decision.route, method: decision.method };
    case 'unsupported-path':
      return { kind: 'unsupported-path', message: decision.message };
  }
}
