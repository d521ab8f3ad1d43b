import type { GatewayExchange } from '../ingest/records/exchange.js';
import { getOwn, isObject, type Json } from '../json/value.js';
import { trimRust } from '../providers/sse/unicode-whitespace.js';
import { readHeader } from './headers.js';
import { jsonTypeName, stringLike, valueAtPath } from './json-paths.js';
import type { GatewayRoute, GatewayRouteKind } from './routes.js';

/**
 * The gateway's session-id chain (relay-cli.md §2.3, alignment `gateway_session_id` at the seed).
 * First hit wins:
 *   1. header `x-nemo-relay-session-id` (any route);
 *   2. header `x-claude-code-session-id` (any route);
 *   3. Codex prompt-cache routing: OpenAI Responses route, a non-empty string
 *      `client_metadata["x-codex-installation-id"]`, and a string-like non-empty `prompt_cache_key`;
 *   4. OpenAI-compatible body `session_id` (Chat Completions or Responses only): a JSON string whose
 *      Unicode-whitespace-trimmed value is non-empty; the trimmed value is the id.
 * Every link that did not apply before the winner is recorded with the reason, for `explain`.
 */

/** Link names are a CLI contract (`explain` prints them). */
export type SessionLink = 'HEADER_RELAY_SESSION_ID' | 'HEADER_CLAUDE_CODE_SESSION_ID' | 'CODEX_PROMPT_CACHE_KEY' | 'OPENAI_BODY_SESSION_ID';

export type LinkRejection =
  | 'HEADER_ABSENT'
  | 'HEADER_EMPTY'
  | 'HEADER_NOT_VISIBLE_ASCII'
  | 'ROUTE_NOT_OPENAI_RESPONSES'
  | 'CODEX_INSTALLATION_ID_MISSING'
  | 'PROMPT_CACHE_KEY_ABSENT'
  | 'PROMPT_CACHE_KEY_NOT_STRING_LIKE'
  | 'ROUTE_NOT_OPENAI_COMPATIBLE'
  | 'SESSION_ID_ABSENT'
  | 'SESSION_ID_NOT_STRING'
  | 'SESSION_ID_BLANK';

export interface RejectedLink {
  link: SessionLink;
  reason: LinkRejection;
  /** One sentence for humans. */
  detail: string;
}

export interface GatewaySessionResolution {
  sessionId?: string;
  link: SessionLink | undefined;
  /** Why each link before the chosen one (all four when none applied) did not apply, in chain order. */
  rejected: RejectedLink[];
}

export const RELAY_SESSION_HEADER = 'x-nemo-relay-session-id';
export const CLAUDE_CODE_SESSION_HEADER = 'x-claude-code-session-id';

type LinkOutcome = { ok: true; sessionId: string } | { ok: false; reason: LinkRejection; detail: string };

type Request = Pick<GatewayExchange, 'headers' | 'body'>;

const CHAIN: ReadonlyArray<[SessionLink, (req: Request, route: GatewayRouteKind) => LinkOutcome]> = [
  ['HEADER_RELAY_SESSION_ID', (req) => headerLink(req, RELAY_SESSION_HEADER)],
  ['HEADER_CLAUDE_CODE_SESSION_ID', (req) => headerLink(req, CLAUDE_CODE_SESSION_HEADER)],
  ['CODEX_PROMPT_CACHE_KEY', codexPromptCacheLink],
  ['OPENAI_BODY_SESSION_ID', openAiBodySessionLink],
];

export function resolveGatewaySession(request: Request, route: GatewayRouteKind | GatewayRoute): GatewaySessionResolution {
  const kind = typeof route === 'string' ? route : route.kind;
  const rejected: RejectedLink[] = [];
  for (const [link, evaluate] of CHAIN) {
    const outcome = evaluate(request, kind);
    if (outcome.ok) return { sessionId: outcome.sessionId, link, rejected };
    rejected.push({ link, reason: outcome.reason, detail: outcome.detail });
  }
  return { link: undefined, rejected };
}

function headerLink(req: Request, name: string): LinkOutcome {
  const read = readHeader(req.headers, name);
  if (read.ok) return { ok: true, sessionId: read.value };
  const detail = {
    HEADER_ABSENT: `no ${name} header`,
    HEADER_EMPTY: `${name} is empty after trimming spaces and tabs`,
    HEADER_NOT_VISIBLE_ASCII: `${name} holds characters outside visible ASCII, which the gateway cannot read`,
  }[read.reason];
  return { ok: false, reason: read.reason, detail };
}

/** Codex sends no session header; with its client metadata present the prompt-cache key is the thread id. */
function codexPromptCacheLink(req: Request, route: GatewayRouteKind): LinkOutcome {
  if (route !== 'OpenAiResponses') {
    return { ok: false, reason: 'ROUTE_NOT_OPENAI_RESPONSES', detail: `Codex prompt-cache routing applies to OpenAI Responses only, not ${route}` };
  }
  const installation = valueAtPath(req.body, ['client_metadata', 'x-codex-installation-id']);
  // A JSON string, not merely string-like, and not trimmed: a number does not mark a Codex request.
  if (typeof installation !== 'string' || installation === '') {
    return { ok: false, reason: 'CODEX_INSTALLATION_ID_MISSING', detail: 'body.client_metadata["x-codex-installation-id"] is not a non-empty string, so prompt_cache_key is not a Codex thread id' };
  }
  const key = valueAtPath(req.body, ['prompt_cache_key']);
  if (key === undefined) return { ok: false, reason: 'PROMPT_CACHE_KEY_ABSENT', detail: 'Codex request without body.prompt_cache_key' };
  const sessionId = stringLike(key);
  if (sessionId === undefined) {
    return { ok: false, reason: 'PROMPT_CACHE_KEY_NOT_STRING_LIKE', detail: 'body.prompt_cache_key is empty or not a string, number or boolean' };
  }
  return { ok: true, sessionId };
}

/** PR #189: OpenAI-compatible clients (Hermes) put the session id in the body. Anthropic bodies never count. */
function openAiBodySessionLink(req: Request, route: GatewayRouteKind): LinkOutcome {
  if (route !== 'OpenAiChatCompletions' && route !== 'OpenAiResponses') {
    return { ok: false, reason: 'ROUTE_NOT_OPENAI_COMPATIBLE', detail: `body session_id is read on OpenAI Chat Completions and Responses routes only, not ${route}` };
  }
  const value: Json | undefined = isObject(req.body) ? getOwn(req.body, 'session_id') : undefined;
  if (value === undefined) return { ok: false, reason: 'SESSION_ID_ABSENT', detail: 'no body.session_id' };
  if (typeof value !== 'string') {
    return { ok: false, reason: 'SESSION_ID_NOT_STRING', detail: `body.session_id is ${jsonTypeName(value)}; only a JSON string counts` };
  }
  const trimmed = trimRust(value);
  if (trimmed === '') return { ok: false, reason: 'SESSION_ID_BLANK', detail: 'body.session_id is empty or only whitespace' };
  return { ok: true, sessionId: trimmed };
}
