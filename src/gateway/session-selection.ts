import type { Json } from '../json/value.js';
import type { LlmGatewayStart } from './llm-start.js';
import { mergeMetadata } from '../hooks/merge.js';
import { agentKindForProvider, type GatewayAgentKind } from './routes.js';

/**
 * Session selection for a gateway call (relay-cli.md §2.5), as pure steps over the state the session
 * layer holds. The session layer runs them in this order at request arrival:
 *   1. {@link aliasStep} on the chain's session id;
 *   2. if it says `promote-pending`, promote the pending child start (§3.7.1) itself and, when that
 *      succeeds, rewrite with {@link applyStartAlias} (a refused promotion discards the pending start
 *      and rewrites nothing);
 *   3. {@link selectGatewaySession} with the session ids that exist after step 2.
 */

/** A provider-created child session that is really a subagent of another session (§3.7). */
export interface SessionAlias {
  parentSessionId: string;
  subagentId: string;
  metadata: Json;
}

export type AliasStep =
  /** The chain found no session id: nothing to rewrite. */
  | { kind: 'no-session-id' }
  | { kind: 'no-alias' }
  /** The id is an aliased child: rewrite the start with this alias. */
  | { kind: 'alias'; alias: SessionAlias }
  /** A pending child start waits for this id: the session layer must try to promote it now. */
  | { kind: 'promote-pending'; childSessionId: string };

/**
 * `pendingChildSessionIds`: a Set of ids, or the session layer's map of pending starts itself (copying
 * its keys for every call made thousands of pending children quadratic).
 */
export function aliasStep(sessionId: string | undefined, aliases: ReadonlyMap<string, SessionAlias>, pendingChildSessionIds: Pick<ReadonlySet<string>, 'has'>): AliasStep {
  if (sessionId === undefined) return { kind: 'no-session-id' };
  const alias = aliases.get(sessionId);
  if (alias) return { kind: 'alias', alias };
  if (pendingChildSessionIds.has(sessionId)) return { kind: 'promote-pending', childSessionId: sessionId };
  return { kind: 'no-alias' };
}

/** The start as the parent session sees it: its session, the alias's subagent (over any header) and the alias metadata. */
export function applyStartAlias(start: LlmGatewayStart, alias: SessionAlias): LlmGatewayStart {
  const { subagentIdSource: _replaced, ...rest } = start;
  return { ...rest, sessionId: alias.parentSessionId, subagentId: alias.subagentId, metadata: mergeMetadata(start.metadata, alias.metadata) };
}

/** How the session key was chosen; the last two are CLI contract names shown by `explain`. */
export type SessionSelectionRule = 'SESSION_ID' | 'SINGLE_ACTIVE_SESSION' | 'GATEWAY_FALLBACK_SESSION';

export const GATEWAY_FALLBACK_SESSION_ID = 'gateway-gateway';

export interface SessionSelection {
  sessionKey: string;
  rule: SessionSelectionRule;
  /** True when no session with that key exists yet, so the call creates it. */
  createsSession: boolean;
  /** The agent kind of the session the call creates (inferred from the provider). */
  agentKind?: GatewayAgentKind;
}

/**
 * The (possibly rewritten) session id; else the only session the manager holds, whatever its state;
 * else the shared `gateway-gateway` session of all unattributed traffic.
 */
/** The sessions that exist, as selection reads them: a Set of ids, or the manager's map itself (not copied per call). */
export type ExistingSessions = Pick<ReadonlySet<string> | ReadonlyMap<string, unknown>, 'size' | 'has' | 'keys'>;

export function selectGatewaySession(sessionId: string | undefined, existingSessionIds: ExistingSessions, provider: string): SessionSelection {
  let sessionKey: string;
  let rule: SessionSelectionRule;
  if (sessionId !== undefined) {
    sessionKey = sessionId;
    rule = 'SESSION_ID';
  } else if (existingSessionIds.size === 1) {
    sessionKey = existingSessionIds.keys().next().value as string;
    rule = 'SINGLE_ACTIVE_SESSION';
  } else {
    sessionKey = GATEWAY_FALLBACK_SESSION_ID;
    rule = 'GATEWAY_FALLBACK_SESSION';
  }
  const createsSession = !existingSessionIds.has(sessionKey);
  return createsSession ? { sessionKey, rule, createsSession, agentKind: agentKindForProvider(provider) } : { sessionKey, rule, createsSession };
}
