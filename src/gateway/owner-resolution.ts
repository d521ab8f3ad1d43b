import type { Nanos } from '../ingest/time.js';
import type { Json } from '../json/value.js';
import { matchingPendingHintIndex, moveHintFile } from './llm-hint-index.js';
import type { SubagentIdSource } from './identifiers.js';
import type { HintMatchTarget, LlmHint } from './llm-hints.js';
import { llmOwnerMetadata } from './owner-metadata.js';
import { requestAffinityKey, type RequestAffinityMap } from './request-affinity.js';

/**
 * LLM owner resolution (relay-cli.md §2.6): which scope is a gateway LLM call's parent. A function
 * over a snapshot of one session's correlation state, returning the decision and the next state; the
 * session layer owns the state and applies it. The one part changed in place is the request affinity
 * map, the session's own (see RequestAffinityMap). Time is the record timeline (ns).
 */

export const LLM_HINT_TTL_NS = 300_000_000_000n;
export const TOOL_HINT_TTL_NS = 300_000_000_000n;
export const LAST_OWNER_TTL_NS = 300_000_000_000n;

export interface ActiveSubagent {
  scopeUuid: string;
  /** The subagent scope's metadata (owner metadata is filtered from it). */
  metadata?: Json;
}

export interface PendingLlmHint {
  hint: LlmHint;
  insertedAtNs: Nanos;
}

/** How the sticky owner was set; it decides the status and source when it is used. */
export type StickyOwnerSource = 'llm' | 'tool' | 'subagent-start';

export interface StickyOwner {
  subagentId: string;
  updatedAtNs: Nanos;
  source: StickyOwnerSource;
}

export interface OwnerState<ToolHint extends { insertedAtNs: Nanos } = { insertedAtNs: Nanos }> {
  /** Active subagents by id, in the session's order. */
  subagents: ReadonlyMap<string, ActiveSubagent>;
  /** The open turn scope, else the agent scope. */
  rootWorkScopeUuid?: string;
  pendingLlmHints: readonly PendingLlmHint[];
  /** Tool hints only age out here (§3.8 reads them). */
  pendingToolHints: readonly ToolHint[];
  /**
   * No pending hint, LLM or tool, was inserted before this (a bound; absent: not known). While it is
   * younger than the TTLs no hint has expired, and the cleanup does not go through the lists: it runs at
   * every call, tool and hint, and going through thousands of pending hints each time was quadratic.
   */
  oldestHintNs?: Nanos;
  stickyOwner?: StickyOwner;
  requestAffinity: RequestAffinityMap;
}

/** Rule names for `explain`; statuses are the `llm_correlation_status` values. */
export type OwnerRule = 'EXPLICIT_SUBAGENT' | 'SINGLE_HINT' | 'MATCHED_HINT' | 'REQUEST_AFFINITY' | 'STICKY_OWNER' | 'SOLE_SUBAGENT' | 'FALLBACK' | 'STARTUP_PROBE';

export interface OwnerResolution {
  rule: OwnerRule;
  /** The LLM's parent scope; undefined only when the session has neither a turn nor an agent scope. */
  parentScopeUuid?: string;
  /** The owner subagent, when the parent is one. */
  subagentId?: string;
  status: string;
  source?: string;
  /** The consumed hint. */
  hint?: LlmHint;
  ownerMetadata: Json;
  /** Why each earlier rule did not apply. */
  skipped: Array<{ rule: OwnerRule; reason: string }>;
}

export interface OwnerTarget extends HintMatchTarget {
  /** The parsed request body (the affinity key source). */
  content: Json;
  /** Where `subagentId` came from, for the reason this rule did not apply; none for a session alias's subagent. */
  subagentIdSource?: SubagentIdSource;
}

/** How the skip reason names where an explicit subagent id came from. */
const SUBAGENT_ID_FROM: Record<SubagentIdSource, string> = {
  header: ' (from the x-nemo-relay-subagent-id header)',
  'codex-thread': ' (from the Codex client_metadata.thread_id)',
  'claude-code-agent': ' (from the x-claude-code-agent-id header)',
};

const STICKY_STATUS: Record<StickyOwnerSource, { status: string; source?: string }> = {
  llm: { status: 'sticky_last_owner' },
  tool: { status: 'recent_tool_owner', source: 'tool_owner' },
  'subagent-start': { status: 'subagent_start', source: 'subagent_start' },
};

function age(now: Nanos, then: Nanos): Nanos {
  return now > then ? now - then : 0n;
}

/** The shorter of the two hint TTLs: a hint younger than this has expired from neither list. */
const HINT_TTL_NS = LLM_HINT_TTL_NS < TOOL_HINT_TTL_NS ? LLM_HINT_TTL_NS : TOOL_HINT_TTL_NS;

/** `cleanup_correlation_state`: hints older than 300 s go; the sticky owner goes when strictly older. */
export function cleanupCorrelationState<T extends { insertedAtNs: Nanos }>(state: OwnerState<T>, nowNs: Nanos): OwnerState<T> {
  const next: OwnerState<T> = { ...state };
  if (state.oldestHintNs === undefined || age(nowNs, state.oldestHintNs) > HINT_TTL_NS) {
    next.pendingLlmHints = unexpired(state.pendingLlmHints, nowNs, LLM_HINT_TTL_NS);
    moveHintFile(state.pendingLlmHints, next.pendingLlmHints);
    next.pendingToolHints = unexpired(state.pendingToolHints, nowNs, TOOL_HINT_TTL_NS);
    const oldest = oldestInsertion(next.pendingLlmHints, next.pendingToolHints);
    if (oldest === undefined) delete next.oldestHintNs;
    else next.oldestHintNs = oldest;
  }
  if (state.stickyOwner && age(nowNs, state.stickyOwner.updatedAtNs) > LAST_OWNER_TTL_NS) delete next.stickyOwner;
  return next;
}

/** The earliest insertion time of the hints; undefined when there are none. */
function oldestInsertion(...lists: ReadonlyArray<readonly { insertedAtNs: Nanos }[]>): Nanos | undefined {
  let oldest: Nanos | undefined;
  for (const hints of lists) for (const h of hints) if (oldest === undefined || h.insertedAtNs < oldest) oldest = h.insertedAtNs;
  return oldest;
}

/** The hints younger than `ttl`: the list itself when none has expired (it runs at every call and tool). */
function unexpired<T extends { insertedAtNs: Nanos }>(hints: readonly T[], nowNs: Nanos, ttl: Nanos): readonly T[] {
  const alive = (h: T) => age(nowNs, h.insertedAtNs) <= ttl;
  return hints.every(alive) ? hints : hints.filter(alive);
}

export function resolveLlmOwner<T extends { insertedAtNs: Nanos }>(
  snapshot: OwnerState<T>,
  target: OwnerTarget,
  nowNs: Nanos,
): { resolution: OwnerResolution; state: OwnerState<T> } {
  let state = cleanupCorrelationState(snapshot, nowNs);
  const skipped: OwnerResolution['skipped'] = [];
  const owned = (subagentId: string): Pick<OwnerResolution, 'parentScopeUuid' | 'subagentId' | 'ownerMetadata'> => {
    const scope = state.subagents.get(subagentId) as ActiveSubagent;
    return { parentScopeUuid: scope.scopeUuid, subagentId, ownerMetadata: llmOwnerMetadata(scope.metadata) };
  };
  const stickTo = (subagentId: string | undefined): void => {
    state = withSticky(state, subagentId === undefined ? undefined : { subagentId, updatedAtNs: nowNs, source: 'llm' });
  };
  const done = (resolution: Omit<OwnerResolution, 'skipped'>) => ({ resolution: { ...resolution, skipped }, state });

  // 1. An explicit subagent header naming an active subagent.
  if (target.subagentId !== undefined && state.subagents.has(target.subagentId)) {
    stickTo(target.subagentId);
    return done({ rule: 'EXPLICIT_SUBAGENT', ...owned(target.subagentId), status: 'explicit', source: 'gateway_header' });
  }
  const from = target.subagentIdSource === undefined ? '' : SUBAGENT_ID_FROM[target.subagentIdSource];
  skipped.push({ rule: 'EXPLICIT_SUBAGENT', reason: target.subagentId === undefined ? 'no x-nemo-relay-subagent-id header' : `subagent ${target.subagentId}${from} is not active` });

  // 2–3. A sole pending hint (any score), else the unique best-scoring one.
  const hints = state.pendingLlmHints;
  const hintIndex = hints.length === 1 ? 0 : matchingPendingHintIndex(hints, target);
  if (hintIndex !== undefined) {
    const hint = hints[hintIndex].hint;
    const rule: OwnerRule = hints.length === 1 ? 'SINGLE_HINT' : 'MATCHED_HINT';
    if (rule === 'MATCHED_HINT') skipped.push({ rule: 'SINGLE_HINT', reason: `${hints.length} pending LLM hints` });
    state = { ...state, pendingLlmHints: hints.filter((_, i) => i !== hintIndex) };
    moveHintFile(hints, state.pendingLlmHints, hints[hintIndex]);
    const hinted = hint.subagentId ?? hint.agentId;
    const base = { rule, status: rule === 'SINGLE_HINT' ? 'single_hint' : 'matched_hint', source: hint.eventName, hint };
    if (hinted !== undefined && state.subagents.has(hinted)) {
      stickTo(hinted);
      return done({ ...base, ...owned(hinted) });
    }
    // A hint for the root (or an inactive subagent) attaches to the turn and clears the sticky owner.
    if (state.rootWorkScopeUuid !== undefined) stickTo(undefined);
    return done({ ...base, parentScopeUuid: state.rootWorkScopeUuid, ownerMetadata: null });
  }
  skipped.push({ rule: 'SINGLE_HINT', reason: hints.length === 0 ? 'no pending LLM hint' : `${hints.length} pending LLM hints` });
  skipped.push({ rule: 'MATCHED_HINT', reason: hints.length === 0 ? 'no pending LLM hint' : 'no hint has a unique best positive score' });

  // 4. Request affinity learned from an earlier confidently owned call with the same task text.
  const key = requestAffinityKey(target.content);
  const affinityOwner = key === undefined ? undefined : state.requestAffinity.get(key);
  if (key !== undefined && typeof affinityOwner === 'string') {
    if (state.subagents.has(affinityOwner)) {
      stickTo(affinityOwner);
      return done({ rule: 'REQUEST_AFFINITY', ...owned(affinityOwner), status: 'request_affinity', source: 'request_payload' });
    }
    state.requestAffinity.delete(key);
  }
  skipped.push({ rule: 'REQUEST_AFFINITY', reason: affinityReason(key, affinityOwner) });

  // 5. The sticky owner, while its subagent is active.
  const sticky = state.stickyOwner;
  if (sticky && state.subagents.has(sticky.subagentId)) {
    const { status, source } = STICKY_STATUS[sticky.source];
    const resolution: Omit<OwnerResolution, 'skipped'> = { rule: 'STICKY_OWNER', ...owned(sticky.subagentId), status };
    if (source !== undefined) resolution.source = source;
    return done(resolution);
  }
  skipped.push({ rule: 'STICKY_OWNER', reason: sticky ? `sticky owner ${sticky.subagentId} is no longer active` : 'no sticky owner' });

  // 6. The only active subagent.
  if (state.subagents.size === 1) {
    const only = state.subagents.keys().next().value as string;
    stickTo(only);
    return done({ rule: 'SOLE_SUBAGENT', ...owned(only), status: 'active_subagent' });
  }
  skipped.push({ rule: 'SOLE_SUBAGENT', reason: `${state.subagents.size} active subagents` });

  // 7. The turn (or agent) scope; pending hints left over make it ambiguous.
  return done({
    rule: 'FALLBACK',
    parentScopeUuid: state.rootWorkScopeUuid,
    status: state.pendingLlmHints.length === 0 ? 'agent_fallback' : 'ambiguous_fallback',
    ownerMetadata: null,
  });
}

function withSticky<T extends { insertedAtNs: Nanos }>(state: OwnerState<T>, sticky: StickyOwner | undefined): OwnerState<T> {
  const next = { ...state };
  if (sticky) next.stickyOwner = sticky;
  else delete next.stickyOwner;
  return next;
}

function affinityReason(key: string | undefined, owner: string | null | undefined): string {
  if (key === undefined) return 'the request has no affinity key (no user task text of 24+ characters)';
  if (owner === undefined) return 'no owner learned for this task text';
  if (owner === null) return 'the task text is ambiguous (claimed by two subagents)';
  return `affinity owner ${owner} is no longer active (forgotten)`;
}
