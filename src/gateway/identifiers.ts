import type { GatewayExchange } from '../ingest/records/exchange.js';
import { getOwn, isObject, type Json } from '../json/value.js';
import { headerString } from './headers.js';
import { jsonStringAt, jsonStringAtAny } from './json-paths.js';
import { isResponsesRoute, type GatewayRouteKind } from './routes.js';

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

/** Where a gateway call's subagent id came from. */
export type SubagentIdSource = 'header' | 'codex-thread' | 'claude-code-agent';

/**
 * The header Claude Code puts on every request a subagent makes, naming that subagent by the id its
 * hooks carry as `agent_id` (the main agent's requests have none); `x-claude-code-parent-agent-id`
 * names the one that launched it.
 */
export const CLAUDE_CODE_AGENT_HEADER = 'x-claude-code-agent-id';

/** Header only (the seed): body fields that look like subagent ids are provider payload, not scope identity. */
export function gatewaySubagentId(request: Request): string | undefined {
  return headerString(request.headers, SUBAGENT_HEADER);
}

/**
 * The subagent a gateway call names, and where from. Fix `codex-client-metadata-session`
 * (`codexThread`) adds HEAD's second source after the header (#395, `gateway_subagent_id`): once a
 * Codex child thread's request is attributed to the root session by its `client_metadata.session_id`,
 * only its `thread_id` still names the subagent. Fix `claude-code-agent-header` (`claudeCodeAgent`)
 * reads Claude Code's own subagent header on the Anthropic routes: its subagents' requests carry the
 * parent's `x-claude-code-session-id`, so without it only owner heuristics (a sticky owner) placed
 * them, and parallel subagents' calls went to whichever subagent started or ran a tool last.
 */
export function gatewaySubagent(
  request: Request,
  route: GatewayRouteKind,
  codexThread = false,
  claudeCodeAgent = false,
): { id: string; source: SubagentIdSource } | undefined {
  const header = gatewaySubagentId(request);
  if (header !== undefined) return { id: header, source: 'header' };
  if (claudeCodeAgent && (route === 'AnthropicMessages' || route === 'AnthropicCountTokens')) {
    const agent = headerString(request.headers, CLAUDE_CODE_AGENT_HEADER);
    if (agent !== undefined) return { id: agent, source: 'claude-code-agent' };
  }
  const thread = codexThread ? codexThreadSubagentId(request.body, route) : undefined;
  return thread === undefined ? undefined : { id: thread, source: 'codex-thread' };
}

/**
 * HEAD's `responses_subagent_id`: a Codex Responses request (a string-like
 * `client_metadata["x-codex-installation-id"]`) that a thread-spawned subagent made
 * (`client_metadata["x-openai-subagent"]` is `collab_spawn`) names that subagent by
 * `client_metadata.thread_id` (the child thread's session id, which is its subagent id). Other
 * internal request kinds stay root activity.
 */
export function codexThreadSubagentId(body: Json | undefined, route: GatewayRouteKind): string | undefined {
  if (!isResponsesRoute(route)) return undefined;
  if (jsonStringAtAny(body, [['client_metadata', 'x-codex-installation-id']]) === undefined) return undefined;
  if (jsonStringAtAny(body, [['client_metadata', 'x-openai-subagent']]) !== 'collab_spawn') return undefined;
  return jsonStringAtAny(body, [['client_metadata', 'thread_id']]);
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
