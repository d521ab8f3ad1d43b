import type { AgentKind } from '../hooks/index.js';
import { mergeMetadata } from '../hooks/index.js';
import type { LlmHint } from '../gateway/llm-hints.js';
import type { LlmGatewayStart } from '../gateway/llm-start.js';
import { llmOwnerMetadata } from '../gateway/owner-metadata.js';
import { cleanupCorrelationState, type ActiveSubagent, type OwnerState, type PendingLlmHint, type StickyOwner, type StickyOwnerSource } from '../gateway/owner-resolution.js';
import { messagesTaskText } from '../gateway/request-affinity.js';
import { toolHintsFromResponse } from '../gateway/response-tool-hints.js';
import type { Nanos } from '../ingest/time.js';
import type { Json, JsonObject } from '../json/value.js';
import { IndexedMap } from '../util/indexed-map.js';
import { aliasedTurnSubagentId } from './alignment/alias-routing.js';
import type { SessionConfig } from './config.js';
import type { AtofEmitter, ScopeHandle } from './emitter.js';
import { payloadOf, type SessionInput, type SessionInputOf } from './events.js';
import type { HookDropReason } from './hook-drops.js';
import type { ActiveToolIdentity } from './session-tools.js';
import { ToolHintList, type PendingToolHint } from './tool-hint-list.js';

/**
 * One session's state and scope lifecycle (relay-cli.md §3.2, §3.5, §3.6; session.rs `Session`).
 * Tool, LLM and gateway handlers live beside it (session-tools.ts, session-llms.ts) and work on
 * this state; everything here emits through the shared emitter at the replay's current moment.
 */


/** Harnesses with a meaningful session boundary get a session agent scope; Claude Code and Codex only turns. */
export function emitsSessionAgentScope(kind: AgentKind): boolean {
  return kind !== 'claude-code' && kind !== 'codex';
}

export const IDLE_TIMEOUT_NS = 30_000_000_000n;

/** The raw-log fixes that change what a session does with its events (none: the relay-0.3 session). */
export interface SessionFixes {
  /** Fix `json-null-fallthrough`: multi-path string look-ups skip a null or unusable first candidate. */
  jsonStringFallThrough?: boolean;
  /** Fix `late-subagent-stop`: a Claude Code subagent stop that comes with no turn open and names no known subagent is dropped. */
  lateSubagentStop?: boolean;
  /** Fix `tool-end-name-arguments`: a tool end whose id names no active tool may end the one with its name and arguments. */
  toolEndByArguments?: boolean;
  /** Fix `claude-gateway-turn`: a Claude Code Anthropic request with no turn open opens the turn, which its prompt hook then joins. */
  claudeGatewayTurn?: boolean;
  /** Fix `codex-child-prompt`: an aliased child thread's prompt mark goes under that child's subagent scope. */
  codexChildPrompt?: boolean;
}

export class Session {
  started = false;
  sessionMetadata: Json = null;
  agentScope?: ScopeHandle;
  turnScope?: ScopeHandle;
  /** Told when a turn opens: the manager's idle sweep visits only sessions that have one. */
  /** Called when the idle clock restarts (`touch`) and when a turn opens: from then on the session may go idle. */
  onActivity?: (session: Session) => void;
  turnIndex = 0;
  /** Set when a root-owned LLM completed in the open turn; boxed because the response may be JSON null. */
  lastTurnLlmOutput?: { value: Json };
  readonly subagents = new Map<string, ScopeHandle>();
  /**
   * The active subagents as owner resolution reads them, kept beside `subagents` (same order): rebuilt
   * for every call and tool, it made a session with thousands of open subagents quadratic.
   */
  private readonly activeSubagents = new Map<string, ActiveSubagent>();
  readonly completedSubagents = new Set<string>();
  /** Subagents an aliased child session's own end closed (Hermes `on_session_end`), whose parent's stop is still to come. */
  private readonly closedByChild = new Set<string>();
  /** Hook-observed LLM calls (Hermes), by api_call_id. */
  readonly hookLlms = new Map<string, ScopeHandle>();
  readonly tools = new Map<string, ScopeHandle>();
  /** Fix `tool-end-name-arguments`: what each active tool started with, by the same ids as `tools` (kept only with the fix). */
  readonly toolIdentities = new Map<string, ActiveToolIdentity>();
  // A new hint is appended in place (a copy per hint made a turn with thousands of them quadratic);
  // anything else replaces the list. Owner resolution hands back these arrays or new ones (see applyOwnerState).
  pendingLlmHints: PendingLlmHint[] = [];
  /**
   * Whether the last answer this session's turn got (a gateway response, a Hermes hook LLM end) asked
   * for tools: the agent is running them and its next request will carry their results. Read by the
   * idle sweep under fix `idle-waits-for-tool-calls`; cleared with the correlation state.
   */
  lastAnswerCalledTools = false;
  /** Pending tool hints, filed for matching (see ToolHintList); owner resolution reads them as `pendingToolHints`. */
  readonly toolHints = new ToolHintList();
  /** No pending hint was inserted before this (see OwnerState.oldestHintNs): kept by noteHintInserted and the cleanup. */
  oldestHintNs?: Nanos;
  /** Learned into and forgotten from in place; each task text filed under its owner, whose close forgets it. */
  readonly requestAffinity = new IndexedMap<string | null>((_, owner) => owner ?? undefined);
  stickyOwner?: StickyOwner;
  lastActivityNs: Nanos;
  activeGatewayCalls = 0;
  /** The session's scope stack above its root: the agent scope and the open turn, as pushed. */
  private readonly stack: ScopeHandle[] = [];

  constructor(
    readonly sessionId: string,
    public agentKind: AgentKind,
    readonly config: SessionConfig,
    readonly emitter: AtofEmitter,
    /** The implicit root of the session's scope stack: referenced as a parent, never emitted. */
    readonly rootUuid: string,
    fixes: SessionFixes = {},
  ) {
    this.lastActivityNs = emitter.moment.atNs;
    this.jsonStringFallThrough = fixes.jsonStringFallThrough ?? false;
    this.toolEndByArguments = fixes.toolEndByArguments ?? false;
    this.lateSubagentStop = fixes.lateSubagentStop ?? false;
    this.gatewayRequestTurns = fixes.claudeGatewayTurn ?? false;
    this.childPromptInSubagent = fixes.codexChildPrompt ?? false;
  }

  /** Fix `codex-child-prompt`: see {@link startTurn}. */
  private readonly childPromptInSubagent: boolean;

  /** Fix `claude-gateway-turn`: see {@link ensureTurnStartedForGateway}. */
  private readonly gatewayRequestTurns: boolean;
  /** The open turn was opened by a gateway request, and no prompt hook has joined it yet. */
  private gatewayRequestTurnOpen = false;

  /** Fix `json-null-fallthrough`: multi-path string look-ups skip a null or unusable first candidate. */
  readonly jsonStringFallThrough: boolean;
  /** Fix `tool-end-name-arguments` (see session-tools.ts activeToolByNameAndArguments). */
  readonly toolEndByArguments: boolean;
  /** Fix `late-subagent-stop`: see {@link endSubagent}. */
  private readonly lateSubagentStop: boolean;

  get nowNs(): Nanos {
    return this.emitter.moment.atNs;
  }

  /** A child session can become a subagent only while nothing has been opened for it (§3.3). */
  isEmpty(): boolean {
    return !this.started && !this.agentScope && !this.turnScope && this.subagents.size === 0 && this.hookLlms.size === 0 && this.tools.size === 0;
  }

  /**
   * Holds a turn with nothing in flight (no gateway call, hook LLM or tool): such a turn is idle once
   * the idle timeout has passed since the last activity (the manager keeps that clock).
   */
  holdsQuietTurn(): boolean {
    return this.turnScope !== undefined && this.activeGatewayCalls === 0 && this.hookLlms.size === 0 && this.tools.size === 0;
  }

  touch(): void {
    this.lastActivityNs = this.nowNs;
    this.onActivity?.(this);
  }

  beginGatewayCall(): void {
    this.touch();
    this.activeGatewayCalls++;
  }

  finishGatewayCall(): void {
    this.touch();
    if (this.activeGatewayCalls > 0) this.activeGatewayCalls--;
  }

  /** The turn scope, else the session agent scope: where unowned work attaches. */
  rootWorkScope(): ScopeHandle | undefined {
    return this.turnScope ?? this.agentScope;
  }

  /** The parent a runtime call without an explicit parent gets: the top of the session stack. */
  stackTop(): string {
    return this.stack[this.stack.length - 1]?.uuid ?? this.rootUuid;
  }

  // ── session agent scope and turns ─────────────────────────────────────────────────────────────

  /** `scope_metadata`: process config, session metadata, the event's, then the identity keys (nulls skipped). */
  scopeMetadata(eventMetadata: Json): Json {
    const identity: JsonObject = {
      session_id: this.sessionId,
      agent_kind: this.agentKind,
      gateway_config_profile: this.config.profile ?? null,
      plugin_config: this.config.pluginConfig ?? null,
      gateway_mode: this.config.gatewayMode ?? null,
    };
    return mergeMetadata(mergeMetadata(mergeMetadata(this.config.metadata ?? null, this.sessionMetadata), eventMetadata), identity);
  }

  startAgent(event: SessionInputOf<'AgentStarted'>): void {
    this.agentKind = event.agentKind;
    this.started = true;
    this.sessionMetadata = mergeMetadata(this.sessionMetadata, event.metadata);
    this.ensureAgentStarted(event.metadata);
  }

  ensureAgentStarted(eventMetadata: Json): void {
    if (this.agentScope || !emitsSessionAgentScope(this.agentKind)) return;
    const metadata = mergeMetadata(this.scopeMetadata(eventMetadata), { nemo_relay_scope_role: 'session' });
    this.agentScope = this.push({ parentUuid: this.stackTop(), name: this.agentKind, category: 'agent', data: null, metadata });
  }

  /**
   * PromptSubmitted: a new user turn (the previous one is superseded), or only a mark for an aliased
   * child. relay-0.3 (as NeMo-Relay HEAD) puts that mark at the top of the parent's stack, its turn:
   * the child thread's task (a Codex collab_spawn child's UserPromptSubmit) became a system step
   * "UserPromptSubmit" of the parent's trajectory. With fix `codex-child-prompt` the mark goes under
   * the child's own subagent scope when it is active, so the task is the child's.
   */
  startTurn(event: SessionInputOf<'PromptSubmitted'>): void {
    const aliasedChild = aliasedTurnSubagentId(event.metadata, this.jsonStringFallThrough);
    if (aliasedChild !== undefined) {
      this.ensureTurnStarted(event.metadata);
      const childScope = this.childPromptInSubagent ? this.subagents.get(aliasedChild) : undefined;
      if (childScope) this.emitter.mark(childScope.uuid, 'prompt_submitted', payloadOf(event), event.metadata);
      else this.mark('prompt_submitted', event);
      return;
    }
    if (this.turnScope && this.gatewayRequestTurnOpen) {
      // The turn the prompt's own request opened (fix `claude-gateway-turn`): the prompt joins it.
      this.gatewayRequestTurnOpen = false;
      this.mark('prompt_submitted', event);
      return;
    }
    if (this.turnScope) this.closeTurnForReason('superseded_by_next_turn');
    this.openTurn(event.metadata, event.payload, 'user_prompt');
  }

  ensureTurnStarted(eventMetadata: Json): void {
    if (!this.turnScope) this.openTurn(eventMetadata, null, 'implicit');
  }

  /**
   * The turn a gateway call needs, when none is open. relay-0.3 opens an implicit one, which the
   * prompt hook then supersedes: when Claude Code's request reached the gateway before its
   * UserPromptSubmit did (hooks forwarded asynchronously, a recorder's coarse or skewed times), the
   * call was left in a turn closed under it and its answer came after its trajectory was written,
   * lost. With fix `claude-gateway-turn` (NeMo-Relay after 0.3, #224: sessions `ensure_turn_started_for_gateway`),
   * an Anthropic Messages request in a Claude Code session opens the turn itself, with the user's
   * task text as its input (`{"prompt": …}`, turn_source `gateway_request`), and the prompt hook
   * that follows only marks it.
   */
  ensureTurnStartedForGateway(start: LlmGatewayStart): void {
    if (this.turnScope) return;
    const prompt = this.gatewayRequestTurns && this.agentKind === 'claude-code' && start.provider === 'anthropic.messages' ? messagesTaskText(start.request.content) : undefined;
    if (prompt === undefined) {
      this.openTurn(null, null, 'implicit');
      return;
    }
    this.openTurn(start.metadata, { prompt }, 'gateway_request');
    this.gatewayRequestTurnOpen = true;
  }

  private openTurn(eventMetadata: Json, input: Json, source: 'user_prompt' | 'implicit' | 'gateway_request'): void {
    this.gatewayRequestTurnOpen = false;
    this.ensureAgentStarted(eventMetadata);
    this.turnIndex++;
    const metadata = mergeMetadata(this.scopeMetadata(eventMetadata), { nemo_relay_scope_role: 'turn', turn_index: this.turnIndex, turn_source: source });
    this.turnScope = this.push({ parentUuid: this.agentScope?.uuid ?? this.stackTop(), name: `${this.agentKind}-turn`, category: 'agent', data: input, metadata });
    this.onActivity?.(this);
    this.lastTurnLlmOutput = undefined;
  }

  /** TurnEnded: closes the aliased child's subagent, else the turn (its output per §3.5.2). */
  endTurn(event: SessionInputOf<'TurnEnded'>): HookDropReason | undefined {
    const subagentId = aliasedTurnSubagentId(event.metadata, this.jsonStringFallThrough);
    if (subagentId !== undefined) {
      if (!this.closeSubagentScope(subagentId, event.payload)) return 'subagent_not_open';
      this.closedByChild.add(subagentId);
      return undefined;
    }
    if (!this.turnScope) return 'turn_not_open';
    this.closeTurn(event.payload, 'closed_by_turn_end');
    return undefined;
  }

  /** Closes the turn with `{"status": reason}` as its default output; returns the subagents it closed. */
  closeTurnForReason(reason: string): string[] {
    return this.closeTurn({ status: reason }, reason);
  }

  /**
   * In order: hook LLMs, tools, subagents (reverse start order), then the turn itself with the last
   * root-owned LLM response as output when there was one. Gateway LLM calls are not closed here.
   */
  private closeTurn(output: Json, reason: string): string[] {
    if (!this.turnScope) return [];
    const status = { status: reason };
    for (const [id, handle] of [...this.hookLlms]) {
      this.hookLlms.delete(id);
      this.emitter.endScope(handle, { data: status, metadata: status });
    }
    for (const [id, handle] of [...this.tools]) {
      this.tools.delete(id);
      this.emitter.endScope(handle, { data: status, metadata: status });
    }
    this.toolIdentities.clear();
    const closed = this.subagentOrder.reverse();
    for (const id of closed) this.closeSubagentScope(id, status);
    const turnOutput = this.lastTurnLlmOutput ? this.lastTurnLlmOutput.value : output;
    this.lastTurnLlmOutput = undefined;
    this.clearCorrelationState();
    this.pop(this.turnScope, turnOutput);
    this.turnScope = undefined;
    this.gatewayRequestTurnOpen = false;
    return closed;
  }

  /** AgentEnded: a no-op for a session that never started; else the turn, then the agent scope. */
  endAgent(event: SessionInputOf<'AgentEnded'>): HookDropReason | undefined {
    if (!this.started && !this.agentScope && !this.turnScope) return 'session_not_open';
    this.closeTurnForReason('closed_by_agent_end');
    this.clearCorrelationState();
    this.closeAgentScope(event.payload);
    this.started = false;
    return undefined;
  }

  /** `close_all` at gateway shutdown: sessions with an agent or turn scope are closed with the reason. */
  closeForShutdown(reason: string): void {
    if (!this.agentScope && !this.turnScope) return;
    this.closeTurnForReason(reason);
    this.clearCorrelationState();
    this.closeAgentScope({ status: reason });
    this.started = false;
  }

  private closeAgentScope(output: Json): void {
    if (!this.agentScope) return;
    this.pop(this.agentScope, output);
    this.agentScope = undefined;
  }

  // ── subagents ─────────────────────────────────────────────────────────────────────────────────

  /** Start order of the active subagents (closed in reverse at turn close): `subagents` keeps it. */
  get subagentOrder(): string[] {
    return [...this.subagents.keys()];
  }

  /** A subagent scope under the turn; a duplicate start is ignored; a start beside active siblings claims the next unhinted LLM. */
  startSubagent(event: SessionInputOf<'SubagentStarted'>): void {
    this.ensureTurnStarted(event.metadata);
    if (this.subagents.has(event.subagentId)) return;
    const hasSibling = this.subagents.size > 0;
    const turn = this.turnScope as ScopeHandle;
    const metadata = mergeMetadata(event.metadata, { nemo_relay_scope_role: 'subagent' });
    // Each subagent runs on its own stack seeded with the turn, so its parent is the turn explicitly.
    const scope = this.emitter.startScope({ parentUuid: turn.uuid, name: `subagent:${event.subagentId}`, category: 'agent', data: event.payload, metadata });
    this.completedSubagents.delete(event.subagentId);
    this.closedByChild.delete(event.subagentId);
    if (hasSibling) this.setStickyOwner(event.subagentId, 'subagent-start');
    this.subagents.set(event.subagentId, scope);
    this.activeSubagents.set(event.subagentId, { scopeUuid: scope.uuid, metadata: scope.metadata });
  }

  /**
   * SubagentEnded: ignored once completed; a mark when it never started; else the scope closes.
   * Claude Code reports the stop of a subagent it ran in the background when that subagent
   * finishes, which may be after the turn that started it ended: relay-0.3 opens a turn for it (a
   * trajectory of one "SubagentStop" system step, closed only at the end of input). With fix
   * `late-subagent-stop` (NeMo-Relay after 0.3, #213) such a stop, unknown and with no turn open in
   * a Claude Code session, is dropped; with a turn open it is still the mark.
   */
  endSubagent(event: SessionInputOf<'SubagentEnded'>): HookDropReason | undefined {
    // The parent's stop of a Hermes delegation its child session's end already closed: the second end
    // of one subagent, ignored as live (NeMo-Relay HEAD end_subagent), said apart from a stray stop.
    if (this.completedSubagents.has(event.subagentId)) return this.closedByChild.delete(event.subagentId) ? 'subagent_closed_by_child' : 'subagent_not_open';
    if (this.lateSubagentStop && !this.turnScope && !this.subagents.has(event.subagentId) && this.agentKind === 'claude-code') return 'subagent_stop_after_turn';
    this.ensureTurnStarted(event.metadata);
    if (!this.subagents.has(event.subagentId)) {
      this.mark('subagent_end_without_start', event);
      return undefined;
    }
    this.closeSubagentScope(event.subagentId, event.payload);
    return undefined;
  }

  /** Closes one subagent and forgets what pointed at it (tool hints, affinity, sticky owner). */
  closeSubagentScope(subagentId: string, output: Json): boolean {
    const scope = this.subagents.get(subagentId);
    if (!scope) return false;
    this.subagents.delete(subagentId);
    this.activeSubagents.delete(subagentId);
    this.emitter.endScope(scope, { data: output });
    this.completedSubagents.add(subagentId);
    this.toolHints.retain((p) => p.hint.subagentId !== subagentId);
    // Only this subagent's task texts are visited: going through the whole map at every close made a
    // turn of thousands of subagents quadratic.
    for (const key of this.requestAffinity.keysIn(subagentId)) this.requestAffinity.delete(key);
    if (this.stickyOwner?.subagentId === subagentId) this.stickyOwner = undefined;
    return true;
  }

  // ── marks ─────────────────────────────────────────────────────────────────────────────────────

  /** A mark under the turn (opened implicitly if needed) carrying the hook payload and metadata. */
  mark(name: string, event: SessionInput): void {
    this.ensureTurnStarted(event.metadata);
    this.emitter.mark(this.stackTop(), name, payloadOf(event), event.metadata);
  }

  // ── correlation state ─────────────────────────────────────────────────────────────────────────

  setStickyOwner(subagentId: string | undefined, source: StickyOwnerSource): void {
    if (source === 'llm') {
      // An LLM resolution always overwrites, so a root-owned LLM clears the sticky owner.
      this.stickyOwner = subagentId === undefined ? undefined : { subagentId, updatedAtNs: this.nowNs, source };
    } else if (subagentId !== undefined) {
      this.stickyOwner = { subagentId, updatedAtNs: this.nowNs, source };
    }
  }

  /** TTL expiry of hints and the sticky owner, on the record clock. */
  cleanupCorrelationState(): void {
    this.applyOwnerState(cleanupCorrelationState(this.ownerSnapshot(), this.nowNs));
  }

  clearCorrelationState(): void {
    this.lastAnswerCalledTools = false;
    this.pendingLlmHints = [];
    this.toolHints.clear();
    this.oldestHintNs = undefined;
    this.requestAffinity.clear();
    this.stickyOwner = undefined;
  }

  addLlmHint(hint: LlmHint): void {
    this.noteHintInserted();
    this.pendingLlmHints.push({ hint, insertedAtNs: this.nowNs });
  }

  /** Tool calls a response (or a hint payload) proposes, remembered for the tool hooks that follow. */
  addToolHintsFromResponse(response: Json, ownerSubagentId: string | undefined): void {
    this.cleanupCorrelationState();
    const hints = toolHintsFromResponse(response, ownerSubagentId, this.jsonStringFallThrough);
    this.lastAnswerCalledTools = hints.length > 0;
    if (hints.length === 0) return;
    this.noteHintInserted();
    for (const hint of hints) this.toolHints.push({ hint, insertedAtNs: this.nowNs });
  }

  /**
   * Before a hint is inserted now: keeps `oldestHintNs` at or before every insertion time (the record
   * clock may stand earlier than a hint already pending). Left unknown while hints are pending: the next
   * cleanup finds it.
   */
  private noteHintInserted(): void {
    const now = this.nowNs;
    if (this.oldestHintNs !== undefined) {
      if (now < this.oldestHintNs) this.oldestHintNs = now;
    } else if (this.pendingLlmHints.length === 0 && this.toolHints.length === 0) {
      this.oldestHintNs = now;
    }
  }

  /** A root-owned response becomes the turn's output; every response may leave tool hints. */
  recordCompletedLlmResponse(response: Json, ownerSubagentId: string | undefined): void {
    if (ownerSubagentId === undefined) this.recordTurnLlmOutput(response);
    this.addToolHintsFromResponse(response, ownerSubagentId);
  }

  recordTurnLlmOutput(response: Json): void {
    if (this.turnScope) this.lastTurnLlmOutput = { value: response };
  }

  /** The owner subagent's provider fields that LLM spans carry (Codex thread, Hermes bridge). */
  subagentLlmMetadata(subagentId: string): Json {
    const scope = this.subagents.get(subagentId);
    return scope ? llmOwnerMetadata(scope.metadata) : null;
  }

  /** The correlation state as the pure owner-resolution functions read it. */
  ownerSnapshot(): OwnerState<PendingToolHint> {
    const state: OwnerState<PendingToolHint> = {
      subagents: this.activeSubagents,
      pendingLlmHints: this.pendingLlmHints,
      pendingToolHints: this.toolHints.items,
      requestAffinity: this.requestAffinity,
    };
    const root = this.rootWorkScope();
    if (root) state.rootWorkScopeUuid = root.uuid;
    if (this.stickyOwner) state.stickyOwner = this.stickyOwner;
    if (this.oldestHintNs !== undefined) state.oldestHintNs = this.oldestHintNs;
    return state;
  }

  /**
   * The state owner resolution returned. Its lists are taken as they are: owner resolution never
   * changes a list, it returns this session's own or new ones, which this session then owns (and may
   * append to). The affinity map is the session's own, changed in place.
   */
  applyOwnerState(state: OwnerState<PendingToolHint>): void {
    this.pendingLlmHints = state.pendingLlmHints as PendingLlmHint[];
    this.toolHints.replaceWith(state.pendingToolHints);
    this.oldestHintNs = state.oldestHintNs;
    this.stickyOwner = state.stickyOwner;
  }

  // ── the session stack ─────────────────────────────────────────────────────────────────────────

  private push(start: Parameters<AtofEmitter['startScope']>[0]): ScopeHandle {
    const scope = this.emitter.startScope(start);
    this.stack.push(scope);
    return scope;
  }

  private pop(scope: ScopeHandle, output: Json): void {
    const at = this.stack.findIndex((s) => s.uuid === scope.uuid);
    if (at >= 0) this.stack.splice(at, 1);
    this.emitter.endScope(scope, { data: output });
  }
}
