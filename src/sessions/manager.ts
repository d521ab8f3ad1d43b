import type { AgentKind } from '../hooks/index.js';
import { mergeMetadata } from '../hooks/index.js';
import { gatewayLlmEvents, type GatewayLlmEvents } from '../gateway/llm-events.js';
import type { LlmGatewayStart } from '../gateway/llm-start.js';
import { TOOL_HINT_TTL_NS } from '../gateway/owner-resolution.js';
import { aliasStep, applyStartAlias, selectGatewaySession, type SessionAlias } from '../gateway/session-selection.js';
import { responseNotRead, type GatewayCallOutcome } from '../gateway/upstream-outcome.js';
import type { LineRef } from '../ingest/accounting.js';
import { formatRfc3339, type Nanos } from '../ingest/time.js';
import type { Json } from '../json/value.js';
import { MinHeap } from '../util/min-heap.js';
import { AlignmentState } from './alignment/alignment-state.js';
import { aliasForChildSession, pendingSubagentStart, subagentStartEventOf, type PendingSubagentStart } from './alignment/child-start.js';
import type { TranscriptReader } from './alignment/codex-child.js';
import { hermesExplicitAlias } from './alignment/hermes-child.js';
import { AttributionLog, type AliasDecision, type GatewayAttribution } from './attribution.js';
import { sessionConfigFromHeaders, type HeaderReader, type SessionConfig } from './config.js';
import { applyToSession } from './dispatch.js';
import type { AtofEmitter, ScopeHandle } from './emitter.js';
import { copyEvent, isTerminalInput, type SessionInput } from './events.js';
import type { HookDropReason } from './hook-drops.js';
import { isStartupProbeCall, prepareStartupProbe } from './alignment/claude-startup-probe.js';
import { closeGatewayLlm, openGatewayLlm, prepareGatewayCall } from './session-llms.js';
import { IDLE_TIMEOUT_NS, Session } from './session.js';

/**
 * The session manager (session.rs `SessionManager`): every session by id and the alignment state
 * between them, fed hook batches (§3.3) and gateway calls (§2.5 at arrival, §2.8–§2.9 at
 * completion). Maps keep insertion order, standing in for the live HashMap wherever the reference's
 * order is unspecified (sweeps, shutdown), so a replay is deterministic.
 */

export interface ManagerOptions {
  /** Source of Codex transcript first lines (§3.7.1); without one, transcripts are not consulted. */
  readTranscript?: TranscriptReader;
  /** Fix `json-null-fallthrough` in the session and alignment look-ups (HEAD `string_at_any`). */
  jsonStringFallThrough?: boolean;
  /** Fix `tool-end-name-arguments` (NeMo-Relay #205): a tool end whose id names no active tool may end the one with its name and arguments. */
  toolEndByArguments?: boolean;
  /** Fix `late-subagent-stop` (see Session.endSubagent). */
  lateSubagentStop?: boolean;
  /** Fix `claude-gateway-turn` (see Session.ensureTurnStartedForGateway). */
  claudeGatewayTurn?: boolean;
  /** Fix `codex-child-prompt` (see Session.startTurn). */
  codexChildPrompt?: boolean;
  /** Fix `claude-startup-probe` (see {@link SessionManager.beginGatewayCall}). */
  claudeStartupProbe?: boolean;
  /** Fix `idle-waits-for-tool-calls` (see {@link SessionManager.closeIdleSessions}). */
  idleWaitsForToolCalls?: boolean;
}

/** What the gateway knows about one exchange besides the start: for the attribution record. */
export interface GatewayCallInfo {
  captureId: string;
  origin?: LineRef;
  method: string;
  /** The URL path without query. */
  path: string;
  startedNs: Nanos;
  endedNs?: Nanos;
}

/** A gateway call between its arrival and its completion. */
export interface GatewayCall {
  /** The session the call was prepared on (after alias rewriting). */
  sessionId: string;
  ownerSubagentId?: string;
  llm?: ScopeHandle;
  events?: GatewayLlmEvents;
  attribution: GatewayAttribution;
  /** Fix `claude-startup-probe`: the session held nothing but this probe, and is let go when it completes. */
  pruneEmptySession?: boolean;
}

/** When a session's idle clock started: its last activity, or the opening of its turn. */
interface IdleClock {
  session: Session;
  since: Nanos;
  /**
   * Time added to the idle timeout before this clock runs out: 0, or (fix `idle-waits-for-tool-calls`)
   * what lifts it to the tool-hint TTL when the activity it counts from left an answer calling tools.
   */
  graceNs: Nanos;
}

/** When the clock runs out with a timeout of 0. */
const idleBase = (clock: IdleClock): Nanos => clock.since + clock.graceNs;

export class SessionManager {
  readonly sessions = new Map<string, Session>();
  readonly alignment: AlignmentState;
  readonly attributions = new AttributionLog();
  /**
   * Each session's idle clock, started at its last activity (and when it opens a turn), earliest first:
   * the sweeper asks at every record when the next session goes idle, and visiting every open session
   * each time made a log of thousands of concurrent sessions quadratic. Clocks that no longer count are
   * dropped as they reach the top (see canGoIdle).
   */
  private readonly idleClocks = new MinHeap<IdleClock>((a, b) => (idleBase(a) < idleBase(b) ? -1 : idleBase(a) > idleBase(b) ? 1 : 0));
  /** Creation order, which is the map's order (sessions are only ever added by createSession). */
  private readonly createdAt = new WeakMap<Session, number>();
  private created = 0;
  private readonly fallThrough: boolean;

  constructor(
    readonly emitter: AtofEmitter,
    private readonly options: ManagerOptions = {},
  ) {
    this.fallThrough = options.jsonStringFallThrough ?? false;
    this.alignment = new AlignmentState(this.fallThrough);
  }

  /**
   * `apply_events`: one hook's events, strictly in order (§3.3). Returns why the hook produced no
   * events when every one of them was dropped (the first one's reason), so the replay can say so.
   */
  applyHookEvents(events: readonly SessionInput[], readHeader: HeaderReader): HookDropReason | undefined {
    let firstDrop: HookDropReason | undefined;
    let dropped = 0;
    const drop = (reason: HookDropReason) => {
      firstDrop ??= reason;
      dropped++;
    };
    for (const original of events) {
      const config = sessionConfigFromHeaders(readHeader);
      let event = copyEvent(original);
      // 1. A child session start naming its parent is promoted or kept pending, not applied.
      if (event.type === 'AgentStarted') {
        const child = pendingSubagentStart(event, this.options.readTranscript, this.fallThrough);
        if (child) {
          event = child.pending.event;
          if (this.queueOrPromoteChildStart(child.childSessionId, child.pending, config)) continue;
        }
      }
      // 2–3. Alias routing, then a Hermes parent-side subagent start that names a child session.
      event = this.alignment.routeEvent(event);
      const explicit = event.type === 'SubagentStarted' ? hermesExplicitAlias(event, this.fallThrough) : undefined;
      if (explicit) event = { ...event, metadata: mergeMetadata(event.metadata, explicit.scopeMetadata) };
      const sessionId = event.sessionId;
      const isAgentStarted = event.type === 'AgentStarted';
      // 4. Something ending in a session nobody knows is a retry or a late duplicate.
      if (isTerminalInput(event) && !this.sessions.has(sessionId)) {
        drop('session_not_open');
        continue;
      }
      // 5. An explicit alias is refused (the whole event discarded) when the child already has work.
      if (explicit) {
        if (this.hasActivity(explicit.childSessionId)) {
          drop('alias_refused');
          continue;
        }
        this.sessions.delete(explicit.childSessionId);
        this.alignment.aliases.set(explicit.childSessionId, explicit.alias);
      }
      event = this.alignment.alignExplicitSubagentEnd(event);
      // 6. Apply, creating the session from this batch's headers; a gateway-created session learns its real kind.
      const session = this.sessions.get(sessionId) ?? this.createSession(sessionId, event.agentKind, config);
      if (isAgentStarted && session.agentKind === 'gateway' && event.agentKind !== 'gateway') session.agentKind = event.agentKind;
      const dropReason = applyToSession(session, event);
      if (dropReason !== undefined) drop(dropReason);
      const empty = session.isEmpty();
      // 7. A parent that just started unlocks the child starts waiting for it.
      if (isAgentStarted) {
        for (const [childId, pending] of this.alignment.takePendingForParent(sessionId)) this.promotePendingSubagent(childId, pending, config);
      }
      // 8. Empty sessions are not kept.
      if (empty) this.sessions.delete(sessionId);
    }
    return events.length > 0 && dropped === events.length ? firstDrop : undefined;
  }

  /**
   * A gateway request arrives (§2.5–§2.7): alias or pending-child resolution, session selection,
   * preparation on the session, and the LLM start under the resolved owner.
   */
  beginGatewayCall(original: LlmGatewayStart, outcome: GatewayCallOutcome, readHeader: HeaderReader, info: GatewayCallInfo): GatewayCall {
    const config = sessionConfigFromHeaders(readHeader);
    const { start, alias } = this.resolveStartAlias(original, config);
    const selection = selectGatewaySession(start.sessionId, this.sessions, start.provider);
    const session = this.sessions.get(selection.sessionKey) ?? this.createSession(selection.sessionKey, selection.agentKind ?? 'gateway', config);
    const probe = this.options.claudeStartupProbe === true && isStartupProbeCall(session, start);
    const { resolution, metadata } = probe ? prepareStartupProbe(session) : prepareGatewayCall(session, start);
    const events = probe ? undefined : gatewayLlmEvents(start, outcome, metadata);
    const llm = events ? openGatewayLlm(this.emitter, events.start, resolution.parentScopeUuid ?? session.stackTop()) : undefined;
    // Without a streaming codec the call is piped through unmanaged: in flight only for its preparation.
    if (outcome.kind === 'unmanaged-stream') session.finishGatewayCall();
    const attribution = this.attribution(original, outcome, info, alias, selection, resolution, session, llm);
    this.attributions.add(attribution);
    const call: GatewayCall = { sessionId: session.sessionId, attribution };
    // A session the probe alone holds goes once the probe is answered (HEAD prunes it the same way).
    if (probe && session.isEmpty()) call.pruneEmptySession = true;
    if (resolution.subagentId !== undefined) call.ownerSubagentId = resolution.subagentId;
    if (events && llm) Object.assign(call, { events, llm });
    return call;
  }

  /** The response completed (§2.8–§2.9): chunk marks and the LLM end, response hints, then the in-flight count. */
  finishGatewayCall(call: GatewayCall): void {
    if (call.llm && call.events) closeGatewayLlm(this.emitter, call.llm, call.events);
    if (call.events?.responseForHints !== undefined) this.recordGatewayResponseHints(call.sessionId, call.ownerSubagentId, call.events.responseForHints);
    const session = this.sessions.get(call.sessionId);
    session?.finishGatewayCall();
    if (call.pruneEmptySession && session?.isEmpty() && session.activeGatewayCalls === 0) this.sessions.delete(call.sessionId);
  }

  /**
   * The idle sweeper at `nowNs` (§3.10): closes idle turns, in the map's order; returns how many it
   * closed. Under fix `idle-waits-for-tool-calls`, a turn whose last answer asked for tools is idle only
   * after the tool-hint TTL (300 s), not the 30 s idle timeout: the agent is running the tools (a test
   * suite, a build), and a gateway without tool hooks sees nothing of it until the request that sends
   * their results. Closing the turn at 30 s split it there: the request and the rest of the turn went
   * to a new trajectory without the user's message, and the calls of the first had no results.
   */
  closeIdleSessions(nowNs: Nanos, timeoutNs: Nanos = IDLE_TIMEOUT_NS, reason = 'idle_timeout'): number {
    const due = new Set<Session>();
    for (let next = this.idleClocks.peek(); next !== undefined && nowNs - idleBase(next) >= timeoutNs; next = this.idleClocks.peek()) {
      this.idleClocks.pop();
      if (this.canGoIdle(next)) due.add(next.session);
    }
    const idle = [...due].sort((a, b) => this.createdAt.get(a)! - this.createdAt.get(b)!).map((session) => [session.sessionId, session] as const);
    for (const [sessionId, session] of idle) {
      const closedSubagents = session.closeTurnForReason(reason);
      if (session.isEmpty()) this.sessions.delete(sessionId);
      this.alignment.clearForEndedSubagents(sessionId, closedSubagents);
    }
    return idle.length;
  }

  /** The earliest record time at which some session becomes idle, if any can. */
  nextIdleAtNs(timeoutNs: Nanos = IDLE_TIMEOUT_NS): Nanos | undefined {
    for (let next = this.idleClocks.peek(); next !== undefined; next = this.idleClocks.peek()) {
      if (this.canGoIdle(next)) return idleBase(next) + timeoutNs;
      this.idleClocks.pop();
    }
    return undefined;
  }

  /** `close_all` (§3.10): alignment state cleared, every session closed, none kept. */
  closeAll(reason = 'gateway_shutdown'): void {
    this.alignment.clear();
    for (const session of this.sessions.values()) session.closeForShutdown(reason);
    this.sessions.clear();
  }

  private createSession(sessionId: string, agentKind: AgentKind, config: SessionConfig): Session {
    const session = new Session(sessionId, agentKind, config, this.emitter, this.emitter.newUuid(), {
      jsonStringFallThrough: this.fallThrough,
      toolEndByArguments: this.options.toolEndByArguments ?? false,
      lateSubagentStop: this.options.lateSubagentStop ?? false,
      claudeGatewayTurn: this.options.claudeGatewayTurn ?? false,
      codexChildPrompt: this.options.codexChildPrompt ?? false,
    });
    this.sessions.set(sessionId, session);
    this.createdAt.set(session, this.created++);
    session.onActivity = (s) => this.idleClocks.push({ session: s, since: s.lastActivityNs, graceNs: this.idleGraceNs(s) });
    return session;
  }

  /**
   * Whether an idle clock is still the session's own and can run out: the session is still in the map
   * and was not active since, it holds a turn, and nothing of it is in flight (a gateway call, a hook
   * LLM, a tool). A clock that cannot is dropped: whatever makes its session able to go idle again —
   * activity, the end of what was in flight, a new turn — starts a new one.
   */
  private canGoIdle(clock: IdleClock): boolean {
    const { session, since } = clock;
    return session.lastActivityNs === since && this.sessions.get(session.sessionId) === session && session.holdsQuietTurn();
  }

  /** Fix `idle-waits-for-tool-calls`: an answer calling tools lifts the idle timeout to the tool-hint TTL. */
  private idleGraceNs(session: Session): Nanos {
    if (this.options.idleWaitsForToolCalls !== true || !session.lastAnswerCalledTools) return 0n;
    return TOOL_HINT_TTL_NS > IDLE_TIMEOUT_NS ? TOOL_HINT_TTL_NS - IDLE_TIMEOUT_NS : 0n;
  }

  private hasActivity(sessionId: string): boolean {
    const session = this.sessions.get(sessionId);
    return session !== undefined && !session.isEmpty();
  }

  /** True when the child start was consumed (promoted now, or stored until its parent appears). */
  private queueOrPromoteChildStart(childSessionId: string, pending: PendingSubagentStart, config: SessionConfig): boolean {
    if (this.hasActivity(childSessionId)) return false;
    if (this.sessions.has(pending.context.parentSessionId)) {
      this.alignment.pending.delete(childSessionId);
      this.promotePendingSubagent(childSessionId, pending, config);
    } else {
      // Child first: drop any empty placeholder and wait for the parent hook or a gateway call.
      this.sessions.delete(childSessionId);
      this.alignment.pending.set(childSessionId, pending);
    }
    return true;
  }

  /**
   * The child becomes a subagent of its parent, which is created (with a synthetic start) when the
   * promotion is the first sign of it; refused when the child session already has activity.
   */
  private promotePendingSubagent(childSessionId: string, pending: PendingSubagentStart, config: SessionConfig): SessionAlias | undefined {
    if (this.hasActivity(childSessionId)) return undefined;
    this.sessions.delete(childSessionId);
    const parentId = pending.context.parentSessionId;
    const parent = this.sessions.get(parentId) ?? this.createSession(parentId, pending.event.agentKind, config);
    if (!parent.started && !parent.agentScope) {
      applyToSession(parent, {
        type: 'AgentStarted',
        sessionId: parentId,
        agentKind: pending.event.agentKind,
        eventName: 'implicit_parent_for_aligned_subagent',
        payload: null,
        metadata: null,
      });
    }
    applyToSession(parent, subagentStartEventOf(pending));
    const alias = aliasForChildSession(childSessionId, pending.context);
    this.alignment.aliases.set(childSessionId, alias);
    return alias;
  }

  private resolveStartAlias(start: LlmGatewayStart, config: SessionConfig): { start: LlmGatewayStart; alias: AliasDecision } {
    const step = aliasStep(start.sessionId, this.alignment.aliases, this.alignment.pending);
    switch (step.kind) {
      case 'no-session-id':
        return { start, alias: { rule: 'NO_SESSION_ID' } };
      case 'no-alias':
        return { start, alias: { rule: 'NO_ALIAS', sessionId: start.sessionId as string } };
      case 'alias': {
        const a = step.alias;
        return { start: applyStartAlias(start, a), alias: { rule: 'ALIAS_REWRITE', childSessionId: start.sessionId as string, parentSessionId: a.parentSessionId, subagentId: a.subagentId } };
      }
      case 'promote-pending': {
        const child = step.childSessionId;
        const pending = this.alignment.takePending(child) as PendingSubagentStart;
        const alias = this.promotePendingSubagent(child, pending, config);
        if (!alias) return { start, alias: { rule: 'PENDING_CHILD_DISCARDED', childSessionId: child, parentSessionId: pending.context.parentSessionId } };
        return { start: applyStartAlias(start, alias), alias: { rule: 'PENDING_CHILD_PROMOTED', childSessionId: child, parentSessionId: alias.parentSessionId, subagentId: alias.subagentId } };
      }
    }
  }

  /** `record_gateway_response_hints`: an aliased child's call reports to its parent, owned by the alias subagent by default. */
  private recordGatewayResponseHints(sessionId: string, ownerSubagentId: string | undefined, response: Json): void {
    const alias = this.alignment.aliases.get(sessionId);
    const target = alias ? alias.parentSessionId : sessionId;
    const owner = alias ? (ownerSubagentId ?? alias.subagentId) : ownerSubagentId;
    this.sessions.get(target)?.recordCompletedLlmResponse(response, owner);
  }

  private attribution(
    start: LlmGatewayStart,
    outcome: GatewayCallOutcome,
    info: GatewayCallInfo,
    alias: AliasDecision,
    selection: ReturnType<typeof selectGatewaySession>,
    resolution: ReturnType<typeof prepareGatewayCall>['resolution'],
    session: Session,
    llm: ScopeHandle | undefined,
  ): GatewayAttribution {
    const chain: GatewayAttribution['chain'] = { links: start.session.links, rejected: start.session.rejected };
    if (start.session.sessionId !== undefined) chain.sessionId = start.session.sessionId;
    if (start.session.link !== undefined) chain.link = start.session.link;
    if (start.session.fix !== undefined) chain.fix = start.session.fix;
    const owner: GatewayAttribution['owner'] = { rule: resolution.rule, status: resolution.status, skipped: resolution.skipped };
    if (resolution.source !== undefined) owner.source = resolution.source;
    if (resolution.subagentId !== undefined) owner.subagentId = resolution.subagentId;
    if (resolution.parentScopeUuid !== undefined) {
      owner.parentScopeUuid = resolution.parentScopeUuid;
      const parent = scopeWithUuid(session, resolution.parentScopeUuid, resolution.subagentId);
      if (parent) owner.parentScopeName = parent.name;
    }
    if (resolution.hint) owner.hintEventName = resolution.hint.eventName;
    if (resolution.rule === 'EXPLICIT_SUBAGENT' && start.subagentIdSource === 'codex-thread') owner.fix = 'codex-client-metadata-session';
    if (resolution.rule === 'EXPLICIT_SUBAGENT' && start.subagentIdSource === 'claude-code-agent') owner.fix = 'claude-code-agent-header';
    if (resolution.rule === 'STARTUP_PROBE') owner.fix = 'claude-startup-probe';
    const attribution: GatewayAttribution = {
      captureId: info.captureId,
      method: info.method,
      path: info.path,
      provider: start.provider,
      startedAt: formatRfc3339(info.startedNs),
      chain,
      alias,
      selection: { rule: selection.rule, sessionId: selection.sessionKey, createdSession: selection.createsSession },
      owner,
      outcome: outcome.kind,
    };
    if (selection.agentKind !== undefined) attribution.selection.agentKind = selection.agentKind;
    if (info.origin) attribution.origin = info.origin;
    if (info.endedNs !== undefined) attribution.endedAt = formatRfc3339(info.endedNs);
    if (llm) attribution.llmSpan = llm.uuid;
    const notRead = responseNotRead(outcome);
    if (notRead !== undefined) attribution.responseNotRead = notRead;
    if (outcome.kind === 'streamed' && outcome.fixes) attribution.answerFixes = [...outcome.fixes];
    return attribution;
  }
}

/** The session's turn, agent or subagent scope with this uuid (looked up by the subagent id the resolution names, when it names one). */
function scopeWithUuid(session: Session, uuid: string, subagentId: string | undefined): ScopeHandle | undefined {
  const named = subagentId === undefined ? undefined : session.subagents.get(subagentId);
  for (const s of [session.turnScope, session.agentScope, named]) if (s?.uuid === uuid) return s;
  for (const s of session.subagents.values()) if (s.uuid === uuid) return s;
  return undefined;
}
