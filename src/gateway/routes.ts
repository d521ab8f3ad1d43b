import { RESPONSES_COMPACT_PROVIDER } from '../providers/responses-compaction.js';
import type { SseWireFormat } from '../providers/sse/assemble.js';

/**
 * The gateway's route taxonomy (relay-cli.md §2.1). Paths match exactly as sent (no trailing-slash
 * or prefix tolerance, query ignored), as the live router does.
 */
export type GatewayRouteKind = 'OpenAiResponses' | 'OpenAiResponsesCompact' | 'OpenAiChatCompletions' | 'OpenAiModels' | 'AnthropicMessages' | 'AnthropicCountTokens';

/** The provider name, which is also the LLM event `name`. */
export type GatewayProvider = 'openai.responses' | typeof RESPONSES_COMPACT_PROVIDER | 'openai.chat_completions' | 'openai.models' | 'anthropic.messages' | 'anthropic.count_tokens';

/** Agent kind given to a session that a gateway call creates (alignment `agent_kind_for_gateway_provider`). */
export type GatewayAgentKind = 'codex' | 'claude-code' | 'gateway';

export interface GatewayRoute {
  kind: GatewayRouteKind;
  provider: GatewayProvider;
  method: 'POST' | 'GET';
  /** `/models` is a pure proxy: no session is touched and no event is emitted. */
  emitsLlmEvents: boolean;
  /** The streaming codec; without one a `"stream": true` call is piped through unmanaged. */
  streamFormat?: SseWireFormat;
}

const RESPONSES: GatewayRoute = { kind: 'OpenAiResponses', provider: 'openai.responses', method: 'POST', emitsLlmEvents: true, streamFormat: 'openai-responses' };
/**
 * Fix `responses-compact-calls`: OpenAI's "Compact a response" (`POST /v1/responses/compact`), which
 * Codex calls when its context fills up or on `/compact`. The endpoint answers with one JSON object
 * (`response.compaction`), never a stream, so the route has no stream codec. Not a route of the live
 * gateway (relay-0.3 answers it 404): only the fix's routing knows it.
 */
const RESPONSES_COMPACT: GatewayRoute = { kind: 'OpenAiResponsesCompact', provider: RESPONSES_COMPACT_PROVIDER, method: 'POST', emitsLlmEvents: true };
const CHAT: GatewayRoute = { kind: 'OpenAiChatCompletions', provider: 'openai.chat_completions', method: 'POST', emitsLlmEvents: true, streamFormat: 'openai-chat' };
const MODELS: GatewayRoute = { kind: 'OpenAiModels', provider: 'openai.models', method: 'GET', emitsLlmEvents: false };
const MESSAGES: GatewayRoute = { kind: 'AnthropicMessages', provider: 'anthropic.messages', method: 'POST', emitsLlmEvents: true, streamFormat: 'anthropic-messages' };
const COUNT_TOKENS: GatewayRoute = { kind: 'AnthropicCountTokens', provider: 'anthropic.count_tokens', method: 'POST', emitsLlmEvents: true };

const BY_PATH: ReadonlyMap<string, GatewayRoute> = new Map([
  ['/responses', RESPONSES],
  ['/v1/responses', RESPONSES],
  ['/chat/completions', CHAT],
  ['/v1/chat/completions', CHAT],
  ['/models', MODELS],
  ['/v1/models', MODELS],
  ['/v1/messages', MESSAGES],
  ['/v1/messages/count_tokens', COUNT_TOKENS],
]);

/**
 * Fix `provider-api-paths`: the route paths a provider's own API path ends with (most specific first).
 * A capture taken between the agent and the provider (a HAR file, a proxy log) has the provider's
 * path, which puts a prefix before the route's: OpenRouter `/api/v1/chat/completions`, Azure
 * `/openai/deployments/<name>/chat/completions`, Gemini `/v1beta/openai/chat/completions`, Codex signed
 * in with ChatGPT `/backend-api/codex/responses`, DeepSeek `/anthropic/v1/messages`.
 */
const BY_SUFFIX: ReadonlyArray<readonly [string, GatewayRoute]> = [
  ['/v1/messages/count_tokens', COUNT_TOKENS],
  ['/v1/messages', MESSAGES],
  ['/chat/completions', CHAT],
  ['/responses', RESPONSES],
];

/** Fix `responses-compact-calls`: the compaction endpoint's paths (and, with provider-api-paths, what ends with one). */
const COMPACT_PATHS: ReadonlyMap<string, GatewayRoute> = new Map([
  ['/responses/compact', RESPONSES_COMPACT],
  ['/v1/responses/compact', RESPONSES_COMPACT],
]);
const COMPACT_SUFFIX = '/responses/compact';

export const GATEWAY_ROUTES: readonly GatewayRoute[] = [RESPONSES, RESPONSES_COMPACT, CHAT, MODELS, MESSAGES, COUNT_TOKENS];

/** The routes whose requests are OpenAI Responses requests (the compaction endpoint takes the same `input`, `prompt_cache_key`, …). */
export const isResponsesRoute = (kind: GatewayRouteKind): boolean => kind === 'OpenAiResponses' || kind === 'OpenAiResponsesCompact';

/** How paths are routed: as the live router does, unless a fix says otherwise. */
export interface RouteOptions {
  /** Fix `provider-api-paths`: a path that ends with a route's path (after a prefix) takes that route. */
  providerApiPaths?: boolean;
  /** Fix `responses-compact-calls`: `/v1/responses/compact` (and `/responses/compact`) is an LLM call. */
  responsesCompact?: boolean;
}

/** `ProviderRoute::from_path`: the route of a URL path (without query), or undefined. */
export function routeForPath(path: string, options: RouteOptions = {}): GatewayRoute | undefined {
  const exact = BY_PATH.get(path) ?? (options.responsesCompact ? COMPACT_PATHS.get(path) : undefined);
  if (exact || !options.providerApiPaths) return exact;
  // Codex signed in with ChatGPT compacts at /backend-api/codex/responses/compact.
  if (options.responsesCompact && path.endsWith(COMPACT_SUFFIX)) return RESPONSES_COMPACT;
  return BY_SUFFIX.find(([suffix]) => path.endsWith(suffix))?.[1];
}

export function routeForKind(kind: GatewayRouteKind): GatewayRoute {
  return GATEWAY_ROUTES.find((r) => r.kind === kind) as GatewayRoute;
}

/** What the live server does with a request line, before any session logic. */
export type RouteDecision =
  | { kind: 'llm'; route: GatewayRoute }
  | { kind: 'models-proxy'; route: GatewayRoute }
  | { kind: 'method-not-allowed'; route: GatewayRoute; method: string }
  | { kind: 'unsupported-path'; path: string; message: string };

/**
 * Router + handler checks: unknown path → 404, wrong method → 405 with an empty body (the models
 * handler checks for GET itself; axum serves HEAD through a GET route, and that handler refuses it
 * too), `/models` → proxied without events, anything else → an LLM call.
 */
export function routeRequest(method: string, path: string, options: RouteOptions = {}): RouteDecision {
  const route = routeForPath(path, options);
  if (!route) return { kind: 'unsupported-path', path, message: `unsupported gateway path ${path}` };
  if (method !== route.method) return { kind: 'method-not-allowed', route, method };
  return route.emitsLlmEvents ? { kind: 'llm', route } : { kind: 'models-proxy', route };
}

/** Provider → agent kind of a session the call has to create (§2.5 step 4). */
export function agentKindForProvider(provider: string): GatewayAgentKind {
  if (provider === 'anthropic.messages' || provider === 'anthropic.count_tokens') return 'claude-code';
  if (provider === 'openai.responses' || provider === RESPONSES_COMPACT_PROVIDER) return 'codex';
  return 'gateway';
}
