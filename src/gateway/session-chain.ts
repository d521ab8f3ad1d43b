import type { GatewayExchange } from '../ingest/records/exchange.js';
import { getOwn, isObject, type Json } from '../json/value.js';
import { trimRust } from '../providers/sse/unicode-whitespace.js';
import { readHeader } from './headers.js';
import { stringLike } from '../json/serde-number.js';
import { jsonTypeName, valueAtPath } from './json-paths.js';
import { isResponsesRoute, type GatewayRoute, type GatewayRouteKind } from './routes.js';

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
 *
 * Fix `codex-client-metadata-session` (NeMo-Relay #395, §5.3) inserts a link before 3: on the same
 * Codex requests, a string-like non-empty `client_metadata.session_id` (the hook-compatible root
 * session id newer Codex sends) wins over `prompt_cache_key` (its rollout/thread id). Both links
 * share 3's preconditions (HEAD's `responses_session_id` checks the route and the installation id
 * once, then reads both fields): a request that is no Codex request is rejected by both links, each
 * under its own name with the same reason, so every link of the chain is accounted for.
 *
 * Fix `codex-compact-session-header` inserts a link before 4, for Codex's remote compaction (a route
 * of fix `responses-compact-calls`): the compaction body carries no client metadata, so neither Codex
 * link reads it, but Codex sends its thread id in a `session_id` header there (codex-api
 * `build_conversation_headers`), the id its other requests give as `prompt_cache_key`.
 */

/** Link names are a CLI contract (`explain` prints them). */
export type SessionLink =
  | 'HEADER_RELAY_SESSION_ID'
  | 'HEADER_CLAUDE_CODE_SESSION_ID'
  /** Only in the chain of fix `codex-client-metadata-session`. */
  | 'CODEX_CLIENT_METADATA_SESSION_ID'
  | 'CODEX_PROMPT_CACHE_KEY'
  /** Only in the chain of fix `codex-compact-session-header`. */
  | 'CODEX_COMPACT_SESSION_HEADER'
  | 'OPENAI_BODY_SESSION_ID';

export type LinkRejection =
  | 'HEADER_ABSENT'
  | 'HEADER_EMPTY'
  | 'HEADER_NOT_VISIBLE_ASCII'
  | 'ROUTE_NOT_OPENAI_RESPONSES'
  | 'CODEX_INSTALLATION_ID_MISSING'
  | 'CLIENT_METADATA_SESSION_ID_ABSENT'
  | 'CLIENT_METADATA_SESSION_ID_NOT_STRING_LIKE'
  | 'PROMPT_CACHE_KEY_ABSENT'
  | 'PROMPT_CACHE_KEY_NOT_STRING_LIKE'
  | 'ROUTE_NOT_RESPONSES_COMPACT'
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
  /** Every link of the chain that was tried, in order (the profile decides which there are): rejected ones, the chosen one, then those not reached. */
  links: SessionLink[];
  /** Why each link before the chosen one (all of them when none applied) did not apply, in chain order. */
  rejected: RejectedLink[];
  /** Set when a fix's link chose the id (the relay-0.3 chain would have decided otherwise). */
  fix?: 'codex-client-metadata-session' | 'codex-compact-session-header';
}

export interface SessionChainOptions {
  /** Fix `codex-client-metadata-session`: read `client_metadata.session_id` before `prompt_cache_key`. */
  codexClientMetadataSession?: boolean;
  /** Fix `codex-compact-session-header`: on a compaction request, read Codex's `session_id` header. */
  codexCompactSessionHeader?: boolean;
}

export const RELAY_SESSION_HEADER = 'x-nemo-relay-session-id';
export const CLAUDE_CODE_SESSION_HEADER = 'x-claude-code-session-id';
/** The header Codex names its thread in (codex-api `build_conversation_headers`). */
export const CODEX_CONVERSATION_HEADER = 'session_id';

type LinkOutcome = { ok: true; sessionId: string } | { ok: false; reason: LinkRejection; detail: string };

type Request = Pick<GatewayExchange, 'headers' | 'body'>;

type LinkRule = (req: Request, route: GatewayRouteKind) => LinkOutcome;

const LINK_RULES: Readonly<Record<SessionLink, LinkRule>> = {
  HEADER_RELAY_SESSION_ID: (req) => headerLink(req, RELAY_SESSION_HEADER),
  HEADER_CLAUDE_CODE_SESSION_ID: (req) => headerLink(req, CLAUDE_CODE_SESSION_HEADER),
  CODEX_CLIENT_METADATA_SESSION_ID: codexClientMetadataSessionLink,
  CODEX_PROMPT_CACHE_KEY: codexPromptCacheLink,
  CODEX_COMPACT_SESSION_HEADER: codexCompactHeaderLink,
  OPENAI_BODY_SESSION_ID: openAiBodySessionLink,
};

/** The links in the order they are tried. */
export function sessionChainLinks(options: SessionChainOptions = {}): SessionLink[] {
  const codex: SessionLink[] = options.codexClientMetadataSession ? ['CODEX_CLIENT_METADATA_SESSION_ID', 'CODEX_PROMPT_CACHE_KEY'] : ['CODEX_PROMPT_CACHE_KEY'];
  if (options.codexCompactSessionHeader) codex.push('CODEX_COMPACT_SESSION_HEADER');
  return ['HEADER_RELAY_SESSION_ID', 'HEADER_CLAUDE_CODE_SESSION_ID', ...codex, 'OPENAI_BODY_SESSION_ID'];
}

/** The links only a fix puts in the chain. */
const FIX_OF_LINK: Partial<Record<SessionLink, NonNullable<GatewaySessionResolution['fix']>>> = {
  CODEX_CLIENT_METADATA_SESSION_ID: 'codex-client-metadata-session',
  CODEX_COMPACT_SESSION_HEADER: 'codex-compact-session-header',
};

export function resolveGatewaySession(request: Request, route: GatewayRouteKind | GatewayRoute, options: SessionChainOptions = {}): GatewaySessionResolution {
  const kind = typeof route === 'string' ? route : route.kind;
  const links = sessionChainLinks(options);
  const rejected: RejectedLink[] = [];
  for (const link of links) {
    const outcome = LINK_RULES[link](request, kind);
    if (!outcome.ok) {
      rejected.push({ link, reason: outcome.reason, detail: outcome.detail });
      continue;
    }
    const resolution: GatewaySessionResolution = { sessionId: outcome.sessionId, link, links, rejected };
    const fix = FIX_OF_LINK[link];
    if (fix !== undefined) resolution.fix = fix;
    return resolution;
  }
  return { link: undefined, links, rejected };
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

/**
 * Why a request is not a Codex request whose body may name its session (`undefined` when it is):
 * the preconditions both Codex links share. `routing` names the link's routing and `unread` says what
 * its body field is not then, for the detail.
 */
function notCodexRequest(req: Request, route: GatewayRouteKind, routing: string, unread: string): LinkOutcome | undefined {
  // The compaction route (fix responses-compact-calls) takes Responses requests too.
  if (!isResponsesRoute(route)) {
    return { ok: false, reason: 'ROUTE_NOT_OPENAI_RESPONSES', detail: `Codex ${routing} routing applies to OpenAI Responses only, not ${route}` };
  }
  const installation = valueAtPath(req.body, ['client_metadata', 'x-codex-installation-id']);
  // A JSON string, not merely string-like, and not trimmed: a number does not mark a Codex request.
  if (typeof installation !== 'string' || installation === '') {
    return { ok: false, reason: 'CODEX_INSTALLATION_ID_MISSING', detail: `body.client_metadata["x-codex-installation-id"] is not a non-empty string, so ${unread}` };
  }
  return undefined;
}

/**
 * Fix `codex-client-metadata-session`: newer Codex sends the hook session id (the one its hooks
 * carry) in `client_metadata.session_id`, while `prompt_cache_key` is the rollout/thread id.
 */
function codexClientMetadataSessionLink(req: Request, route: GatewayRouteKind): LinkOutcome {
  return (
    notCodexRequest(req, route, 'client-metadata session', 'client_metadata.session_id is not a Codex session id') ??
    stringLikeAt(req, ['client_metadata', 'session_id'], 'CLIENT_METADATA_SESSION_ID_ABSENT', 'CLIENT_METADATA_SESSION_ID_NOT_STRING_LIKE')
  );
}

/** Codex sends no session header; with its client metadata present the prompt-cache key is the thread id. */
function codexPromptCacheLink(req: Request, route: GatewayRouteKind): LinkOutcome {
  return notCodexRequest(req, route, 'prompt-cache', 'prompt_cache_key is not a Codex thread id') ?? stringLikeAt(req, ['prompt_cache_key'], 'PROMPT_CACHE_KEY_ABSENT', 'PROMPT_CACHE_KEY_NOT_STRING_LIKE');
}

/**
 * Fix `codex-compact-session-header`: a compaction request names no session in its body, but Codex
 * sends its thread id in a `session_id` header. Only on that route: elsewhere a `session_id` header is
 * no known client's convention, and Codex's other requests say the same in their body.
 */
function codexCompactHeaderLink(req: Request, route: GatewayRouteKind): LinkOutcome {
  if (route !== 'OpenAiResponsesCompact') {
    return { ok: false, reason: 'ROUTE_NOT_RESPONSES_COMPACT', detail: `Codex's session_id header is read on its compaction requests only, not ${route}` };
  }
  return headerLink(req, CODEX_CONVERSATION_HEADER);
}

/** The session id a Codex link reads from a body path: a non-empty string, number or boolean. */
function stringLikeAt(req: Request, path: string[], absent: LinkRejection, notStringLike: LinkRejection): LinkOutcome {
  const at = `body.${path.join('.')}`;
  const value = valueAtPath(req.body, path);
  if (value === undefined) return { ok: false, reason: absent, detail: `Codex request without ${at}` };
  const sessionId = stringLike(value);
  if (sessionId === undefined) return { ok: false, reason: notStringLike, detail: `${at} is empty or not a string, number or boolean` };
  return { ok: true, sessionId };
}

/** PR #189: OpenAI-compatible clients (Hermes) put the session id in the body. Anthropic bodies never count. */
function openAiBodySessionLink(req: Request, route: GatewayRouteKind): LinkOutcome {
  if (route !== 'OpenAiChatCompletions' && !isResponsesRoute(route)) {
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
