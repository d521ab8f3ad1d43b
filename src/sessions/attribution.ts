import type { OwnerRule } from '../gateway/owner-resolution.js';
import type { GatewaySessionResolution, RejectedLink, SessionLink } from '../gateway/session-chain.js';
import type { SessionSelectionRule } from '../gateway/session-selection.js';
import type { GatewayCallOutcome } from '../gateway/upstream-outcome.js';
import type { LineRef } from '../ingest/accounting.js';
import { pushTo } from '../util/group-by.js';
import type { FixName } from '../profiles/fixes.js';

/**
 * How a gateway call was attributed, recorded as data while the replay runs (like the dedupe
 * decisions), so `explain --request` renders what happened instead of re-deriving it.
 */

/** What §2.5 step 2 did with the chain's session id. Names are part of the CLI's contract. */
export type AliasDecision =
  | { rule: 'NO_SESSION_ID' }
  | { rule: 'NO_ALIAS'; sessionId: string }
  /** The id is a child session aliased to a parent's subagent: the call moves there. */
  | { rule: 'ALIAS_REWRITE'; childSessionId: string; parentSessionId: string; subagentId: string }
  /** A child start was pending for the id: promoted now, then rewritten as an alias. */
  | { rule: 'PENDING_CHILD_PROMOTED'; childSessionId: string; parentSessionId: string; subagentId: string }
  /** A child start was pending but the child already had activity: the pending start is discarded. */
  | { rule: 'PENDING_CHILD_DISCARDED'; childSessionId: string; parentSessionId: string };

export interface OwnerDecision {
  rule: OwnerRule;
  /** `llm_correlation_status` as written on the LLM start. */
  status: string;
  source?: string;
  subagentId?: string;
  /** The LLM's parent scope. */
  parentScopeUuid?: string;
  parentScopeName?: string;
  /** Why each earlier rule did not apply, in order. */
  skipped: Array<{ rule: OwnerRule; reason: string }>;
  /** The hook event whose hint was consumed. */
  hintEventName?: string;
  /**
   * Set when the explicit subagent id came from a Codex child thread's `client_metadata.thread_id`
   * (fix `codex-client-metadata-session`) or Claude Code's `x-claude-code-agent-id` header (fix
   * `claude-code-agent-header`), not from the `x-nemo-relay-subagent-id` header; or the call was
   * Claude Code's startup probe (fix `claude-startup-probe`, owner rule STARTUP_PROBE).
   */
  fix?: 'codex-client-metadata-session' | 'claude-code-agent-header' | 'claude-startup-probe';
}

export interface GatewayAttribution {
  captureId: string;
  origin?: LineRef;
  method: string;
  path: string;
  provider: string;
  /** RFC 3339 request arrival and response completion (absent when the call never completed). */
  startedAt: string;
  endedAt?: string;
  /**
   * `links`: every link of the chain, in the order they were tried (the profile's chain); `rejected`:
   * why each link before `link` (all of them when none applied) did not apply; `fix`: the fix whose
   * link chose the session id, when one did.
   */
  chain: { sessionId?: string; link?: SessionLink; links: SessionLink[]; rejected: RejectedLink[]; fix?: GatewaySessionResolution['fix'] };
  alias: AliasDecision;
  selection: { rule: SessionSelectionRule; sessionId: string; createdSession: boolean; agentKind?: string };
  owner: OwnerDecision;
  outcome: GatewayCallOutcome['kind'];
  /** Why the response was not read in full, when it was not (see `responseNotRead`): the output alone does not say. */
  responseNotRead?: string;
  /**
   * The fixes whose branches changed the streamed answer as it was read (the SSE assembly's, and
   * stream-error-body), in the order they first did; absent when none did. `explain --step` names
   * them on the agent step of this call's LLM end (the step alone cannot tell).
   */
  answerFixes?: FixName[];
  /** The LLM span uuid; absent for an unmanaged stream, which emits no LLM events. */
  llmSpan?: string;
  /**
   * The LLM span's events that came after their top-level scope had been written (as live, the
   * exporter is gone by then): they are in no trajectory. Decided by the grouping `convert` does, not
   * by the replay, and noted here by whoever grouped ({@link AttributionLog.noteLate}).
   */
  lateEvents?: Array<'start' | 'end'>;
}

/** Every attribution in timeline order, indexed by capture id (ids may repeat) and by LLM span uuid. */
export class AttributionLog {
  readonly all: GatewayAttribution[] = [];
  private readonly byCaptureId = new Map<string, GatewayAttribution[]>();
  private readonly byLlmSpan = new Map<string, GatewayAttribution>();

  add(attribution: GatewayAttribution): void {
    this.all.push(attribution);
    pushTo(this.byCaptureId, attribution.captureId, attribution);
    if (attribution.llmSpan !== undefined) this.byLlmSpan.set(attribution.llmSpan, attribution);
  }

  forCapture(captureId: string): GatewayAttribution[] {
    return this.byCaptureId.get(captureId) ?? [];
  }

  forLlmSpan(uuid: string): GatewayAttribution | undefined {
    return this.byLlmSpan.get(uuid);
  }

  /** Notes that the event `scopeCategory` of the LLM span `uuid` came too late for the output; events of other spans are no gateway call's. */
  noteLate(uuid: string, scopeCategory: 'start' | 'end'): void {
    const attribution = this.byLlmSpan.get(uuid);
    if (!attribution) return;
    const before = attribution.lateEvents ?? [];
    attribution.lateEvents = (['start', 'end'] as const).filter((c) => c === scopeCategory || before.includes(c));
  }

  llmSpans(): string[] {
    return [...this.byLlmSpan.keys()];
  }
}
