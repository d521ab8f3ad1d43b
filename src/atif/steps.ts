import type { AtofEvent } from '../ingest/atof.js';
import { profileModelName, profileToolCallId, profileToolResultAnnotation } from '../ingest/atof.js';
import { formatRfc3339 } from '../ingest/time.js';
import { getOwn, isNumber, isObject, type Json, type JsonObject } from '../json/value.js';
import { anthropicCitationTextApplies, anthropicServerToolResults, isTokenCountCall } from '../providers/anthropic.js';
import { atifContentValue, closedContentParts, isAtifContentParts, unwrapLlmRequest } from '../providers/content.js';
import { requestToolResults, responsesOutputItems, type RequestToolResult, type ResponsesOutputItems } from '../providers/tool-results.js';
import { splitCompactionContinuation } from '../providers/compaction-continuation.js';
import { splitSystemReminders } from '../providers/system-reminders.js';
import { isResponsesCompactCall } from '../providers/responses-compaction.js';
import { extractUserMessage, requestReasoningEffort, requestReasoningObjectEffort } from '../providers/request.js';
import { blocksLeftOut, readContentParts, type ImagePlacer, type PartReader, type ProviderDocument, type ProviderImage } from '../providers/images.js';
import type { ResponseReadings } from '../providers/readings.js';
import { emptyToolArgumentsApply, normalizeToolArguments, responsesCallIdsDiffer, responsesCustomToolCallsApply, responsesWebSearchCallsApply, responsesWebSearchSources } from '../providers/tool-calls.js';
import type { ProviderRules } from '../providers/rules.js';
import { responseReasoning } from '../providers/reasoning.js';
import { anthropicTokenAccountingApplies, extractMetrics, fillMissingMetrics, providerReportedCostApplies, responsesCachedTokensApply, withAnnotatedCost, withOptimizationSummary, withRelayExtra, isOptimizationContributionMark, type Metrics } from '../providers/usage.js';
import type { PrepassLink } from './correlation.js';
import { buildAncestry, buildInvocation, delegationToolCallId, eventExtra } from './extras.js';
import type { FixName, FixSet } from '../profiles/fixes.js';
import { pushTo } from '../util/group-by.js';
import { ListIndex } from './list-index.js';
import { REQUEST_RESULT_SOURCE } from './cleanup.js';
import { ANNOTATION_KEY, mergeObservationResult, resultsByCallId } from './observations.js';
import { stepModelName } from './step-model.js';
import { guardrailBlock, isRelayTelemetryMark, responseCacheMark } from './relay-marks.js';
import { isHermesRequestSummary, isHermesResponseSummary } from '../hooks/hermes-llm.js';
import { cursorAgentText, hermesTurnTextMark, markPrompt, turnAnswer, turnModel, turnPrompt } from './hook-turns.js';
import { UserTurns, type RepeatedTurn } from './user-turns.js';
import { scopeRole, type AgentNode } from './tree.js';
import type { Ancestry, Invocation, ObservationResult, Step, SubagentRef, ToolCall } from './types.js';

/** The fixes that write a step of what Claude Code put in a user message. */
type InjectedFix = 'compaction-continuation' | 'system-reminder-steps';

/** Read-only facts a state machine consults (the reference's EventLookupMaps). */
export interface Lookups {
  /** Scope uuid → its start event (the last one, when there are several). */
  starts: ReadonlyMap<string, AtofEvent>;
  prepass: ReadonlyMap<string, PrepassLink>;
  suppressed: ReadonlySet<string>;
  supplemental: ReadonlyMap<string, Metrics>;
  fixes: FixSet;
  /** Provider-shape rules of the active fixes. */
  rules: ProviderRules;
  /** Responses as the dedupe pass read them (shared: not to be changed). */
  readings: ResponseReadings;
  /** LLM span uuid → whether any of its end events carries a response. */
  llmEnds: ReadonlyMap<string, boolean>;
  /** LLM span uuid → the model its start names (profile, else request). */
  llmStartModels: ReadonlyMap<string, string>;
  /** Fix `llm-optimization-summary`: LLM span uuids whose end carries an optimization summary. */
  optimizedLlms: ReadonlySet<string>;
  /** Fix `response-cache-marks`: LLM span uuid → the cache hit noted on its agent step (relay-marks.ts responseCacheMark). */
  cacheHits: ReadonlyMap<string, JsonObject>;
  /** Fix `hook-turn-steps`: Claude Code subagent scope uuid → the task its Task/Agent call gave it. */
  delegatedPrompts?: ReadonlyMap<string, string>;
  /** Fix `image-parts`: makes the ATIF image part of an image a request sends (see atif/images.ts). */
  images?: ImagePlacer;
  /** Fix `document-blocks`: makes the text part of a document a request sends, or leaves it out (counted). */
  documents?: PartReader['document'];
}

/** How a tool end found (or failed to find) its tool call; explain renders these. */
export type ToolLinkRule = 'EXPLICIT_ID' | 'START_RECORD' | 'PREPASS_EXPLICIT_ID' | 'NAME_ARGUMENTS_ORDINAL' | 'UNIQUE_NAME' | 'NO_MATCH';

export interface ToolLink {
  toolUuid: string;
  name: string;
  rule: ToolLinkRule;
  /** For START_RECORD: how the tool start found the id (SYNTHETIC_UUID when it made one up). */
  via?: ToolLinkRule | 'SYNTHETIC_UUID';
  sourceCallId?: string;
  /** How the observation result was placed when its batch was flushed. */
  placement?: 'ATTACHED' | 'ATTACHED_EARLIER' | 'DEFERRED_THEN_ATTACHED' | 'STANDALONE' | 'DEFERRED_STANDALONE' | 'NO_DATA';
  /** The step that received the result. */
  step?: Step;
}

/** Which events produced a step (for `explain --step`). */
export interface StepOrigin {
  kind: 'llm-start' | 'llm-end' | 'mark' | 'guardrail' | 'dispatch' | 'standalone-observations' | 'deferred-observations' | 'turn-prompt' | 'turn-tools' | 'turn-answer' | 'turn-text';
  /** The uuids of those events (a guardrail step: the guardrail scope's, then the rejection mark's it absorbed). */
  events: string[];
  /** The fixes of the active profile that changed this step (explain names them). */
  fixes?: FixName[];
  /** An agent step that holds its span's request (no user step was written for it): the LLM start produced it too. */
  request?: boolean;
}

interface PendingAgent {
  step?: Step;
  ancestry?: Ancestry;
  invocation?: Invocation;
  /** A request whose user step was not written (no-repeated-user-step). */
  llmRequest?: Json;
  llmResponse?: Json;
  toolAncestry: Ancestry[];
  toolInvocations: Invocation[];
  knownIds: string[];
}

/** The turn under way, while hook-turn-steps may still have to write what its hooks say. */
interface OpenTurn {
  start: AtofEvent;
  /** The prompt no step holds yet: an LLM start's user step stands for it, or it is written itself. */
  prompt?: string;
  /** Whether an LLM start of the turn was read (then its calls, not the tool hooks, hold the turn's tools). */
  requested: boolean;
  /** Whether an LLM end wrote an agent step in the turn (then that step, not the stop hook, answered). */
  answered: boolean;
  /** The agent step that holds the tools of a turn no request speaks for. */
  toolStep?: Step;
  /** The fix the held prompt came from besides hook-turn-steps (a child thread's prompt mark). */
  promptFix?: FixName;
  /** How many steps were written when the turn started: where its held prompt goes, ahead of its marks. */
  firstStep: number;
  /** The turn's last answer from an LLM end (a Hermes post_llm_call gives it its text when it has none). */
  lastAnswer?: Step;
  /** Cursor thoughts (afterAgentThought) no agent step holds yet, and the first one's mark. */
  thoughts?: { texts: string[]; first: AtofEvent; marks: string[] };
}

interface Deferred {
  result: ObservationResult;
  timestamp?: string;
  link?: ToolLink;
}

/** The fix that kept a request's user step out of the trajectory, by why (explain --step names it). */
const STASH_FIX: Record<RepeatedTurn | 'hermes-summary' | 'compaction', FixName> = {
  'hermes-summary': 'hermes-summary-messages',
  compaction: 'responses-compact-calls',
  continuation: 'no-repeated-user-step',
  'reminder-continuation': 'tool-result-reminder-continuation',
  retry: 'no-repeated-user-step',
  'error-retry': 'retry-after-error-answer',
};

/** Lookups into the lists a step builds up (scans would be quadratic in a step's parallel tool calls). */
const knownIdIndex = new ListIndex<string>((id) => id);
const callsById = new ListIndex<ToolCall>((c) => c.tool_call_id);
const callsByName = new ListIndex<ToolCall>((c) => c.function_name);
const NO_CALLS: readonly ToolCall[] = Object.freeze([]);

/** The reference's per-conversion state machine: events in timestamp order in, ATIF steps out. */
export class StepBuilder {
  readonly steps: Step[] = [];
  readonly origins = new Map<Step, StepOrigin>();
  readonly toolLinks: ToolLink[] = [];
  /** LLM spans whose agent step lost its `extra`: another LLM end replaced it before finalisation (quirk Q1). */
  readonly extraDropped: string[] = [];
  private lastToolCallMap = new Map<string, string>();
  private toolScopeCallIds = new Map<string, string>();
  private toolStartRules = new Map<string, ToolLinkRule | 'SYNTHETIC_UUID'>();
  private activeToolCallId: string | undefined;
  private pending: Array<{ result: PendingResult; link?: ToolLink }> = [];
  private pendingTs: string | undefined;
  private deferred = new Map<string, Deferred[]>();
  private deferredMeta = new Map<string, Array<[Ancestry, Invocation]>>();
  private reasoningEffort: Json | undefined;
  /** The pending effort was read from the request's `reasoning` object (fix `responses-reasoning-effort`). */
  private reasoningEffortFromObject = false;
  private current: PendingAgent = { toolAncestry: [], toolInvocations: [], knownIds: [] };
  /** Requests of LLM starts that wrote no user step, by span uuid, for that span's agent step. */
  private readonly stashedRequests = new Map<string, { body: Json; why: RepeatedTurn | 'hermes-summary' | 'compaction' }>();
  /** Tool results whose parts closed-content-parts closed: the step that takes one names the fix. */
  private readonly closedResults = new WeakSet<ObservationResult>();
  private readonly userTurns: UserTurns | undefined;
  private readonly hookTurns: boolean;
  /** Whether a request's tool results are read (request-tool-results, request-tool-result-content). */
  private readonly requestResults: boolean;
  private openTurn: OpenTurn | undefined;
  /**
   * Fix earlier-step-tool-events: the agent steps that stopped being current, by the ids of their tool calls
   * (the latest step wins), so a tool event of such a call finds the step that called it.
   */
  private readonly callSteps: Map<string, Step> | undefined;
  /**
   * Retired steps with a call that has no result with content yet, until an answer that calls tools
   * comes: the next main request sends those results back, and a utility call may come before it.
   */
  private unanswered: Step[] = [];
  /**
   * Fixes `image-parts` and `document-blocks`: the lookups' readers of images and documents, noting in
   * `partsRead` which fix read a block (the step it was read for names the fix).
   */
  private readonly parts: PartReader | undefined;
  private readonly partsRead = new Set<'image-parts' | 'document-blocks'>();
  /** Fix guardrail-rejection-step: the last rejection written, whose mark from llm_call_execute follows it. */
  private guardrailRejection: { parent: string | undefined; reason: string; step: Step } | undefined;

  /** `agentUuid`: the agent whose steps these are, in tree mode (a subagent's own scope is then a turn of it). */
  constructor(
    private readonly lookups: Lookups,
    private readonly agentUuid?: string,
  ) {
    if (lookups.fixes.has('no-repeated-user-step')) {
      this.userTurns = new UserTurns(lookups.llmEnds, lookups.fixes.has('retry-after-error-answer'), lookups.fixes.has('tool-result-reminder-continuation'));
    }
    this.hookTurns = lookups.fixes.has('hook-turn-steps');
    this.requestResults = lookups.fixes.has('request-tool-results') || lookups.fixes.has('request-tool-result-content');
    if (lookups.fixes.has('earlier-step-tool-events')) this.callSteps = new Map();
    const { images, documents } = lookups;
    if (images || documents) {
      // Made outside the builder, not as closures over `this` here: with those, the export worker's
      // young-generation collections took three times as long (0.23 → 0.7 s on the 100 MB bench
      // stream, --trace-gc; about a tenth of the run's CPU), though no image was read.
      this.parts = partReader(this.partsRead, images, documents);
    }
  }

  /** The step leaves the current position: remember which calls it holds (earlier-step-tool-events). */
  private retire(step: Step | undefined): void {
    if (!this.callSteps || !step?.tool_calls) return;
    for (const c of step.tool_calls) if (c.tool_call_id !== '') this.callSteps.set(c.tool_call_id, step);
    if (!this.requestResults || this.unanswered.includes(step)) return;
    const done = new Set((step.observation?.results ?? []).filter((r) => r.content !== undefined).map((r) => r.source_call_id));
    if (step.tool_calls.some((c) => c.tool_call_id !== '' && !done.has(c.tool_call_id))) this.unanswered.push(step);
  }

  /**
   * The earlier agent step that holds the call `id`, when it is not the current one: another LLM call
   * (a Claude Code Haiku call for a title, a topic or a Bash command's prefix) ended between the answer
   * that called the tool and the tool's hooks, so the current step is that call's answer.
   */
  private earlierStep(id: string): Step | undefined {
    const step = this.callSteps?.get(id);
    return step !== undefined && step !== this.current.step ? step : undefined;
  }

  private markFix(step: Step, fix: FixName): void {
    const origin = this.origins.get(step);
    if (origin && !origin.fixes?.includes(fix)) (origin.fixes ??= []).push(fix);
  }

  handle(e: AtofEvent): void {
    if (e.category === 'llm' && this.lookups.suppressed.has(e.uuid)) return;
    // Fix count-tokens-calls: a token count is no inference and writes no step.
    if (e.category === 'llm' && this.lookups.rules.tokenCountCalls && isTokenCountCall(e.name)) return;
    if (e.category === 'agent' && e.kind === 'scope') return this.hookTurns ? this.turnScope(e) : undefined;
    if (e.kind === 'mark') return this.mark(e);
    if (e.category === 'llm') return e.scopeCategory === 'start' ? this.llmStart(e) : this.llmEnd(e);
    if (e.category === 'tool') return e.scopeCategory === 'start' ? this.toolStart(e) : this.toolEnd(e);
    if (e.category === 'guardrail' && e.scopeCategory === 'end' && this.lookups.fixes.has('guardrail-rejection-step')) return this.guardrailEnd(e);
  }

  /**
   * Fix `guardrail-rejection-step`: a conditional-execution guardrail that stopped a call is a system
   * step saying so and why, where it happened. relay-0.3 reads no guardrail scope; NeMo-Relay's
   * llm_call_execute then emits a mark named after the call with `{rejected, rejection_reason}`
   * (which relay-0.3 writes as a system step named after the call), but its preflight
   * llm_conditional_execution and a failed guardrail emit none: the blocked request left no trace.
   */
  private guardrailEnd(e: AtofEvent): void {
    const block = guardrailBlock(e, this.lookups.starts.get(e.uuid));
    if (!block) return; // a guardrail that let the call through is no step, as before
    this.flush();
    const extra: JsonObject = {
      ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject,
      guardrail: block.detail,
      invocation: buildInvocation(this.lookups.starts.get(e.uuid)?.ts, e.ts, e.uuid) as unknown as JsonObject,
    };
    const step: Step = { extra, message: block.message, source: 'system', step_id: 0, timestamp: formatRfc3339(e.ts) };
    this.push(step, { kind: 'guardrail', events: [e.uuid] });
    this.markFix(step, 'guardrail-rejection-step');
    if (block.reason !== undefined) this.guardrailRejection = { parent: e.parentUuid, reason: block.reason, step };
  }

  private push(step: Step, origin: StepOrigin): void {
    this.steps.push(step);
    this.origins.set(step, origin);
  }

  // ---- LLM -----------------------------------------------------------------------------------

  private llmStart(e: AtofEvent): void {
    this.flush();
    if (e.data !== undefined && this.requestResults) this.takeRequestToolResults(e, e.data);
    this.finalizeCurrent();
    this.toolScopeCallIds.clear();
    this.toolStartRules.clear();
    this.activeToolCallId = undefined;
    if (e.data === undefined) return this.writeTurnPrompt();
    if (this.openTurn) this.openTurn.requested = true;
    const body = unwrapLlmRequest(e.data);
    if (body === null && this.lookups.fixes.has('null-request-user-step')) return this.nullRequest();
    let effort = requestReasoningEffort(body);
    // Fix responses-reasoning-effort: a Responses request says its effort in its `reasoning` object.
    const objectEffort = effort === undefined && this.lookups.fixes.has('responses-reasoning-effort') ? requestReasoningObjectEffort(body) : undefined;
    if (objectEffort !== undefined) effort = objectEffort;
    this.reasoningEffortFromObject = objectEffort !== undefined;
    const scalar = typeof effort === 'string' || isNumber(effort);
    this.reasoningEffort = scalar || !this.lookups.fixes.has('scalar-reasoning-effort') ? effort : undefined;
    // Fix responses-compact-calls: a compaction request sends the conversation so far to be compacted,
    // which relay-0.3 would write again as what the user said (its latest user message).
    if (this.lookups.rules.responsesCompaction && isResponsesCompactCall(e.name)) {
      this.stashedRequests.set(e.uuid, { body, why: 'compaction' });
      return;
    }
    const repeated = this.userTurns?.atStart(e, body);
    if (repeated !== undefined) {
      this.stashedRequests.set(e.uuid, { body, why: repeated });
      return this.writeTurnPrompt();
    }
    // Fix hermes-summary-messages: a Hermes request summary (no exact body was sent) holds no user
    // message; relay-0.3 wrote its JSON as what the user said. It goes to the answer's llm_request.
    if (this.lookups.fixes.has('hermes-summary-messages') && isHermesRequestSummary(body)) {
      this.stashedRequests.set(e.uuid, { body, why: 'hermes-summary' });
      return this.writeTurnPrompt();
    }
    this.partsRead.clear();
    let rest: Json | undefined = extractUserMessage(body, this.parts).value;
    const partFixes = [...this.partsRead];
    // The request holds the turn's prompt (its latest user message): the hook's is not written again.
    if (this.openTurn) this.openTurn.prompt = undefined;
    // What Claude Code put in the user's message for the model is a step of its own, before the user's.
    const injected: Array<{ value: Json; fix: InjectedFix }> = [];
    const continuation = this.lookups.fixes.has('compaction-continuation') ? splitCompactionContinuation(rest) : undefined;
    if (continuation !== undefined) {
      injected.push({ value: continuation.taken, fix: 'compaction-continuation' });
      rest = continuation.rest;
    }
    const reminders = rest !== undefined && this.lookups.fixes.has('system-reminder-steps') ? splitSystemReminders(rest) : undefined;
    if (reminders !== undefined) {
      injected.push({ value: reminders.taken, fix: 'system-reminder-steps' });
      rest = reminders.rest;
    }
    // The request goes on the user's step, or on the last injected one when nothing of the user's is left.
    injected.forEach(({ value, fix }, i) => this.injectedStep(e, value, fix, rest === undefined && i === injected.length - 1 ? body : undefined));
    if (rest === undefined) return;
    const step = this.requestStep(e, rest, { ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject, llm_request: body });
    for (const fix of partFixes) this.markFix(step, fix);
  }

  /** A step of what an LLM request sent (a user step unless the caller makes it another). */
  private requestStep(e: AtofEvent, message: Json, extra: JsonObject): Step {
    const step: Step = { extra, message: this.closedMessage(message), source: 'user', step_id: 0, timestamp: formatRfc3339(e.ts) };
    this.push(step, { kind: 'llm-start', events: [e.uuid] });
    if (step.message !== message) this.markFix(step, 'closed-content-parts');
    return step;
  }

  /**
   * A step of context Claude Code put in a user message, not typed by the user; `request`: the
   * request, kept here when nothing of the user's is beside it.
   * - Fix `compaction-continuation`: the summary it sends as the first user message after a compaction
   *   (relay-0.3 writes it in the user step beside the user's next prompt, or as the user step of a turn
   *   the user never spoke in, after an automatic compaction) is a user step marked `is_copied_context`
   *   (ATIF v1.5: earlier context carried across a summarisation boundary, left out of training data).
   * - Fix `system-reminder-steps`: its `<system-reminder>` parts (CLAUDE.md and the date before the
   *   first prompt, todo nudges, file-change notices) are a system step of an ATIF v1.7 §VII context
   *   injection (`extra.context_management {type: injection, boundary: append}`); relay-0.3 writes
   *   them in the user's step, so its first prompt read as the project's whole CLAUDE.md.
   */
  private injectedStep(e: AtofEvent, value: Json, fix: InjectedFix, request: Json | undefined): void {
    const extra: JsonObject = { ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject };
    if (fix === 'system-reminder-steps') extra.context_management = { boundary: 'append', type: 'injection' };
    if (request !== undefined) extra.llm_request = request;
    const step = this.requestStep(e, value, extra);
    if (fix === 'compaction-continuation') step.is_copied_context = true;
    else step.source = 'system';
    this.markFix(step, fix);
  }

  /**
   * Fix `null-request-user-step`: a request whose body was not read (the gateway's `null`: a recorder
   * kept no request body, or one it could not decode or parse) says nothing the user said, so it
   * writes no user step `""`; with hook-turn-steps the turn's prompt the hook reported is written
   * there instead, which that empty step used to stand for and hide. Its answer is the turn's still
   * (the request counts as the turn's), and no reasoning effort of an earlier request carries over.
   */
  private nullRequest(): void {
    this.reasoningEffort = undefined;
    const turn = this.openTurn;
    const prompt = turn?.prompt;
    this.writeTurnPrompt();
    const written = prompt !== undefined ? this.steps[this.steps.length - 1] : undefined;
    if (written) this.markFix(written, 'null-request-user-step');
  }

  /**
   * Fix `anthropic-server-tools`: the results of the server and MCP tools an Anthropic answer called
   * are in the answer itself, so its step has them as its observation at once.
   */
  private attachServerToolResults(step: Step, data: Json): void {
    let took = false;
    for (const result of anthropicServerToolResults(data)) {
      if (!callsById.has(step.tool_calls ?? NO_CALLS, result.callId)) continue;
      const extra: JsonObject = { source: 'llm_response', type: result.type };
      if (result.isError) extra.is_error = true;
      this.mergeResult(step, { content: this.closedMessage(atifContentValue(result.content)), extra, source_call_id: result.callId });
      took = true;
    }
    if (took || step.tool_calls?.some((c) => c.extra?.type === 'server_tool_use' || c.extra?.type === 'mcp_tool_use')) this.markFix(step, 'anthropic-server-tools');
  }

  /**
   * Fix `responses-web-search-calls`: the web searches the answer ran take their sources at once as
   * their results (OpenAI ran them; nothing is sent back for them), as Anthropic's server tools do.
   */
  private attachWebSearchResults(step: Step, data: Json): void {
    for (const result of responsesWebSearchSources(data, this.lookups.rules.responsesCustomToolCalls)) {
      if (!callsById.has(step.tool_calls ?? NO_CALLS, result.callId)) continue;
      this.mergeResult(step, { content: result.content, extra: { source: 'llm_response', type: 'web_search_call' }, source_call_id: result.callId });
    }
    this.markFix(step, 'responses-web-search-calls');
  }

  /**
   * Fix `request-tool-results`: the current answer's calls that no tool event answered take their
   * results from this request, which sends them back to the model (a log of the gateway alone has no
   * tool events at all). A result a tool event gave is never replaced; `extra.source` says where the
   * result was read. Fix `request-tool-result-content`: a tool event's result without content (its
   * value was no text, so it went to `extra.tool_result`, or the tool end had none) takes as content
   * the text or parts this request sends for its call: what the model read.
   */
  private takeRequestToolResults(e: AtofEvent, data: Json): void {
    let sent: Map<string, RequestToolResult> | undefined;
    const read = () => (sent ??= requestToolResults(unwrapLlmRequest(data)));
    if (this.current.step) this.takeRequestToolResultsFor(this.current.step, e, read);
    // earlier-step-tool-events: a step another LLM call replaced before this request sent its results.
    for (const step of this.unanswered) if (step !== this.current.step && this.takeRequestToolResultsFor(step, e, read)) this.markFix(step, 'earlier-step-tool-events');
  }

  /** Whether the request gave the step a result or content. */
  private takeRequestToolResultsFor(step: Step, e: AtofEvent, read: () => Map<string, RequestToolResult>): boolean {
    if (!step.tool_calls || step.tool_calls.length === 0) return false;
    const calls = step.tool_calls;
    const answered = this.lookups.fixes.has('request-tool-results') ? new Set(step.observation?.results.map((r) => r.source_call_id)) : undefined;
    const open = answered ? calls.filter((c) => c.tool_call_id !== '' && !answered.has(c.tool_call_id)) : [];
    const bare = this.lookups.fixes.has('request-tool-result-content') ? (step.observation?.results ?? []).filter((r) => r.content === undefined && !!r.source_call_id && callsById.has(calls, r.source_call_id)) : [];
    if (open.length === 0 && bare.length === 0) return false;
    const sent = read();
    let [took, readItems, readParts] = [false, false, false];
    this.partsRead.clear();
    for (const call of open) {
      const result = sent.get(call.tool_call_id);
      if (!result) continue;
      const extra: JsonObject = { event_uuid: e.uuid, source: REQUEST_RESULT_SOURCE };
      if (result.isError) extra.is_error = true;
      const parts = this.imageParts(result.output);
      const items = parts === undefined ? this.outputItems(result.output) : undefined;
      if (parts !== undefined) {
        // Fixes image-parts, document-blocks: the text and images the tool returned, its images as
        // files. An image left out (stdout: no directory for its file) or a document (no ATIF part)
        // stays in the output as sent, as responses-tool-output-items keeps it.
        if (blocksLeftOut(result.output, parts)) extra.tool_result = result.output;
        this.mergeResult(step, parts.length === 0 ? { extra, source_call_id: call.tool_call_id } : { content: this.closedMessage(parts), extra, source_call_id: call.tool_call_id });
        readParts = true;
      } else if (items) {
        // The text is the content; an image or file it leaves out stays in the items as sent.
        if (!items.onlyText) extra.tool_result = result.output;
        this.mergeResult(step, items.text === undefined ? { extra, source_call_id: call.tool_call_id } : { content: items.text, extra, source_call_id: call.tool_call_id });
        readItems = true;
      } else {
        this.mergeResult(step, { content: this.closedMessage(atifContentValue(result.output)), extra, source_call_id: call.tool_call_id });
      }
      took = true;
    }
    if (took) this.markFix(step, 'request-tool-results');
    let filled = false;
    for (const r of bare) {
      const output = sent.get(r.source_call_id as string)?.output;
      if (output === undefined) continue;
      const parts = this.imageParts(output);
      const items = parts === undefined ? this.outputItems(output) : undefined;
      // Only text (or, fixes image-parts and document-blocks, text and images as files): a result the model got as
      // JSON-less blocks (an image as base64 data) is no ATIF content, and the tool's own value is
      // in extra.tool_result already.
      const text = parts !== undefined ? (parts.length > 0 ? parts : undefined) : items ? items.text : typeof output === 'string' || isAtifContentParts(output) ? output : undefined;
      if (text === undefined) continue;
      readParts ||= parts !== undefined;
      r.content = this.closedMessage(text);
      r.extra = { ...(r.extra ?? {}), content_source: REQUEST_RESULT_SOURCE };
      filled = true;
      readItems ||= items !== undefined;
    }
    if (filled) this.markFix(step, 'request-tool-result-content');
    if (readItems) this.markFix(step, 'responses-tool-output-items');
    if (readParts) for (const fix of this.partsRead) this.markFix(step, fix);
    return took || filled;
  }

  /**
   * Fixes `image-parts`, `document-blocks`: a tool output sent back as text, image and document blocks
   * (an Anthropic tool_result's content, a Responses output of input_text, input_image and input_file
   * items) as ATIF parts; undefined when it holds none the active fixes read (or blocks of other kinds).
   */
  private imageParts(output: Json): Json[] | undefined {
    return this.parts ? readContentParts(output, this.parts) : undefined;
  }

  /**
   * Fix `responses-tool-output-items`: a Responses tool output sent as content items (text, image,
   * file) is read as its text, not written as the items' JSON.
   */
  private outputItems(output: Json): ResponsesOutputItems | undefined {
    return this.lookups.fixes.has('responses-tool-output-items') ? responsesOutputItems(output) : undefined;
  }

  /**
   * A message as written: with closed-content-parts, parts keep only ATIF's keys (the request or
   * response in `extra` keeps them all). A message array is always ATIF parts: the extractors
   * return no other (providers/content.ts `atifContentValue`), so it is not checked again here.
   */
  private closedMessage(message: Json): Json {
    return Array.isArray(message) && this.lookups.fixes.has('closed-content-parts') ? closedContentParts(message) : message;
  }

  private llmEnd(e: AtofEvent): void {
    this.flush();
    this.userTurns?.atEnd(e);
    if (e.data === undefined) return;
    this.writeTurnPrompt(); // an answer without its request in the input
    const data = e.data;
    const readings = this.lookups.readings;
    const toolCalls = readings.toolCallsOf(data);
    this.lastToolCallMap.clear();
    const knownIds: string[] = [];
    for (const c of toolCalls ?? []) {
      if (c.function_name !== '') this.lastToolCallMap.set(c.function_name, c.tool_call_id);
      knownIds.push(c.tool_call_id);
    }
    const message = readings.messageOf(data);
    // Fix hermes-summary-messages: a Hermes response summary (counts, usage, finish reason) is no
    // answer text; relay-0.3 wrote its JSON as the message. It stays in extra.llm_response.
    const summary = message.branch === 'RESP_WHOLE_BODY' && this.lookups.fixes.has('hermes-summary-messages') && isHermesResponseSummary(e.metadata);
    const step: Step = { step_id: 0, source: 'agent', message: summary ? '' : this.closedMessage(message.value), timestamp: formatRfc3339(e.ts) };
    const profileModel = profileModelName(e);
    const model = this.lookups.fixes.has('response-model') ? stepModelName(e, this.lookups.llmStartModels.get(e.uuid)) : profileModel;
    if (model !== undefined) step.model_name = model;
    if (this.reasoningEffort !== undefined) step.reasoning_effort = this.reasoningEffort;
    const effortFromObject = this.reasoningEffort !== undefined && this.reasoningEffortFromObject;
    this.reasoningEffort = undefined;
    this.reasoningEffortFromObject = false;
    const reasoning = responseReasoning(data, this.lookups.rules);
    if (reasoning !== undefined) step.reasoning_content = reasoning;
    // A copy: a tool start may add a call to the step's list, and the readings are shared.
    if (toolCalls) step.tool_calls = [...toolCalls];
    let metrics = mergedMetrics(extractMetrics(data, this.lookups.rules), this.lookups.supplemental.get(e.uuid));
    // Fix annotated-response-cost: after the response's own cost and a merged partner's, the cost
    // NeMo-Relay 0.8 wrote on the end's codec annotation (its price-table estimate).
    let annotatedCost = false;
    if (this.lookups.rules.annotatedResponseCost) ({ metrics, applied: annotatedCost } = withAnnotatedCost(metrics, e.categoryProfile));
    // Fix llm-optimization-summary: what a plugin's optimization saved on this call, as HEAD writes it.
    let optimized = false;
    if (this.lookups.rules.llmOptimizationSummary) ({ metrics, applied: optimized } = withOptimizationSummary(metrics, e.categoryProfile));
    // Fix response-cache-marks: the call was served from NeMo-Relay's cache. Its usage is the stored
    // response's, as NeMo-Relay keeps it (a reuse is shape-identical to a live call); the note says so,
    // with the tokens and cost the hit saved, so a reader can tell them from tokens spent.
    const cacheHit = this.lookups.cacheHits.get(e.uuid);
    if (cacheHit !== undefined) metrics = withRelayExtra(metrics, 'response_cache', cacheHit);
    if (metrics) step.metrics = metrics;
    step.llm_call_count = 1;
    this.push(step, { kind: 'llm-end', events: [e.uuid] });
    if (cacheHit !== undefined) this.markFix(step, 'response-cache-marks');
    if (this.openTurn) [this.openTurn.answered, this.openTurn.lastAnswer] = [true, step];
    if (this.lookups.rules.anthropicServerTools && step.tool_calls) this.attachServerToolResults(step, data);
    if (this.lookups.rules.responsesWebSearchCalls && step.tool_calls && responsesWebSearchCallsApply(data)) this.attachWebSearchResults(step, data);
    if (model !== profileModel) this.markFix(step, 'response-model');
    if (effortFromObject) this.markFix(step, 'responses-reasoning-effort');
    if (message.branch === 'RESP_ANTHROPIC_TEXT_BLOCKS') this.markFix(step, 'anthropic-tool-use');
    if (message.branch === 'RESP_ANTHROPIC_TEXT_BLOCKS' && this.lookups.rules.anthropicCitationText && anthropicCitationTextApplies(data)) this.markFix(step, 'anthropic-citation-text');
    if (message.branch === 'RESP_CHOICES_REFUSAL') this.markFix(step, 'chat-refusal-message');
    if (message.branch === 'RESP_RESPONSES_REFUSAL') this.markFix(step, 'responses-refusal-message');
    if (message.branch === 'RESP_ANTHROPIC_REFUSAL') this.markFix(step, 'anthropic-refusal-message');
    if (message.branch === 'RESP_RESPONSES_REASONING_ONLY') this.markFix(step, 'responses-reasoning-only');
    if (message.branch === 'RESP_RESPONSES_COMPACTION') this.markFix(step, 'responses-compact-calls');
    if (message.branch === 'RESP_EMPTY_ANSWER') this.markFix(step, 'empty-answer-message');
    if (this.lookups.rules.responsesCustomToolCalls && responsesCustomToolCallsApply(data)) this.markFix(step, 'responses-custom-tool-calls');
    if (this.lookups.rules.emptyToolArguments && emptyToolArgumentsApply(data, toolCalls, this.lookups.rules)) this.markFix(step, 'empty-tool-arguments');
    if (this.lookups.rules.anthropicTokenAccounting && anthropicTokenAccountingApplies(data)) this.markFix(step, 'anthropic-token-accounting');
    // Only a step with a cached count can owe it to the fix: the comparison is skipped on every other LLM end.
    if (this.lookups.rules.responsesCachedTokens && step.metrics?.cached_tokens !== undefined && responsesCachedTokensApply(data)) this.markFix(step, 'responses-cached-tokens');
    if (this.lookups.rules.providerReportedCost && step.metrics?.cost_usd !== undefined && providerReportedCostApplies(data)) this.markFix(step, 'provider-reported-cost');
    if (annotatedCost) this.markFix(step, 'annotated-response-cost');
    if (optimized) this.markFix(step, 'llm-optimization-summary');
    if (reasoning !== undefined && responseReasoning(data) === undefined) this.markFix(step, 'provider-reasoning');
    if (message.branch === 'RESP_RESPONSES_FUNCTION_CALLS_ONLY' || (this.lookups.fixes.has('responses-function-calls') && responsesCallIdsDiffer(data))) {
      this.markFix(step, 'responses-function-calls');
    }
    if (summary) this.markFix(step, 'hermes-summary-messages');
    else if (step.message !== message.value) this.markFix(step, 'closed-content-parts');
    this.replaceCurrent();
    const stashed = this.stashedRequests.get(e.uuid);
    this.stashedRequests.delete(e.uuid);
    const request = stashed?.body;
    if (stashed !== undefined) {
      this.markFix(step, STASH_FIX[stashed.why]);
      // Its request (extra.llm_request) is the span's start's, which wrote no user step: explain --step names that event too.
      const origin = this.origins.get(step);
      if (origin) origin.request = true;
    }
    this.retire(this.current.step);
    // A new round of calls: the results of earlier rounds were sent with the request it answers, or never.
    if (step.tool_calls && step.tool_calls.length > 0) this.unanswered = [];
    this.current = {
      step,
      ancestry: buildAncestry(e, this.lookups.starts),
      invocation: buildInvocation(this.lookups.starts.get(e.uuid)?.ts, e.ts, e.uuid),
      llmRequest: request,
      llmResponse: data,
      toolAncestry: [],
      toolInvocations: [],
      knownIds,
    };
    for (const c of step.tool_calls ?? []) {
      const deferred = this.deferred.get(c.tool_call_id);
      if (deferred) {
        this.deferred.delete(c.tool_call_id);
        step.observation ??= { results: [] };
        for (const d of deferred) {
          if (d.link) [d.link.placement, d.link.step] = ['DEFERRED_THEN_ATTACHED', step];
          this.mergeResult(step, d.result);
        }
      }
      const meta = this.deferredMeta.get(c.tool_call_id);
      if (meta) {
        this.deferredMeta.delete(c.tool_call_id);
        for (const [a, i] of meta) {
          this.current.toolAncestry.push(a);
          this.current.toolInvocations.push(i);
        }
      }
    }
  }

  /**
   * An LLM end takes over as the current agent step. At the seed the previous one is dropped
   * without being finalised (quirk Q1: it keeps no `extra`); keep-interleaved-extra finalises it.
   */
  private replaceCurrent(): void {
    const replaced = this.current.step && this.current.ancestry ? this.current.step : undefined;
    if (!replaced) return;
    if (this.lookups.fixes.has('keep-interleaved-extra')) {
      this.finalizeCurrent();
      this.markFix(replaced, 'keep-interleaved-extra');
    } else {
      const uuid = this.origins.get(replaced)?.events[0];
      if (uuid !== undefined) this.extraDropped.push(uuid);
    }
  }

  /** Writes the current agent step's `extra` (ancestry, invocation, response, tool metadata) and releases it. */
  private finalizeCurrent(): void {
    const cur = this.current;
    this.retire(cur.step);
    if (!cur.step || !cur.ancestry) return;
    const pairs = cur.toolAncestry.map((a, i) => [a, cur.toolInvocations[i]] as const);
    if (cur.knownIds.length > 0 && pairs.length > 0) {
      const rank = (inv: Invocation) => {
        const idx = inv.invocation_id === undefined ? -1 : knownIdIndex.indexOf(cur.knownIds, inv.invocation_id);
        return idx < 0 ? Number.MAX_SAFE_INTEGER : idx;
      };
      pairs.sort((x, y) => rank(x[1]) - rank(y[1]));
    }
    const extra: JsonObject = { ancestry: cur.ancestry as unknown as JsonObject };
    if (cur.invocation) extra.invocation = cur.invocation as unknown as JsonObject;
    if (cur.llmRequest !== undefined) extra.llm_request = cur.llmRequest;
    if (cur.llmResponse !== undefined) extra.llm_response = cur.llmResponse;
    if (pairs.length > 0) {
      extra.tool_ancestry = pairs.map((p) => p[0] as unknown as JsonObject);
      extra.tool_invocations = pairs.map((p) => p[1] as unknown as JsonObject);
    }
    cur.step.extra = extra;
    this.current = { toolAncestry: [], toolInvocations: [], knownIds: cur.knownIds };
  }

  // ---- tools ---------------------------------------------------------------------------------

  private uniqueIdByName(name: string): string | undefined {
    const calls = this.current.step?.tool_calls ?? NO_CALLS;
    return callsByName.count(calls, name) === 1 ? callsByName.find(calls, name)!.tool_call_id : undefined;
  }

  private toolStart(e: AtofEvent): void {
    this.writeTurnPrompt(); // a turn's tool before any request of it: none holds its prompt
    this.openTurnToolStep(e);
    const step = this.current.step;
    const found = this.resolveToolStart(e);
    let id = found?.id;
    let via: ToolLinkRule | 'SYNTHETIC_UUID' | undefined = found?.rule;
    if (id === undefined && step) {
      const sameName = callsByName.count(step.tool_calls ?? NO_CALLS, e.name);
      // A synthetic id (the tool's uuid) only when it cannot be confused with one of several same-name calls.
      if (sameName <= 1) [id, via] = [e.uuid, 'SYNTHETIC_UUID'];
    }
    if (id === undefined) return;
    if (via !== undefined) this.toolStartRules.set(e.uuid, via);
    this.toolScopeCallIds.set(e.uuid, id);
    if (!step) return;
    // The call is an earlier step's (an LLM call answered in between): no copy of it on the current step.
    if (!knownIdIndex.has(this.current.knownIds, id) && !callsById.has(step.tool_calls ?? NO_CALLS, id) && this.earlierStep(id)) {
      this.activeToolCallId = id;
      return;
    }
    if (!knownIdIndex.has(this.current.knownIds, id)) {
      const calls = (step.tool_calls ??= []);
      if (!callsById.has(calls, id)) {
        const args: Json = e.data === undefined ? {} : e.data;
        calls.push({
          arguments: this.lookups.fixes.has('object-arguments') ? normalizeToolArguments(args) : args,
          extra: eventExtra(e),
          function_name: e.name,
          tool_call_id: id,
        });
        if (e.name !== '') this.lastToolCallMap.set(e.name, id);
      }
      this.current.knownIds.push(id);
    }
    this.activeToolCallId = id;
  }

  /** The id a tool event names or was given: its own explicit id, the record of its start, the pre-pass. */
  private knownToolId(e: AtofEvent): { id: string; rule: ToolLinkRule } | undefined {
    const explicit = profileToolCallId(e);
    if (explicit !== undefined) return { id: explicit, rule: 'EXPLICIT_ID' };
    const recorded = this.toolScopeCallIds.get(e.uuid);
    if (recorded !== undefined) return { id: recorded, rule: 'START_RECORD' };
    const pre = this.lookups.prepass.get(e.uuid);
    if (pre) return { id: pre.id, rule: pre.rule === 'EXPLICIT_ID' ? 'PREPASS_EXPLICIT_ID' : 'NAME_ARGUMENTS_ORDINAL' };
    return undefined;
  }

  private resolveToolStart(e: AtofEvent): { id: string; rule: ToolLinkRule } | undefined {
    const known = this.knownToolId(e);
    if (known) return known;
    const unique = this.uniqueIdByName(e.name);
    return unique === undefined ? undefined : { id: unique, rule: 'UNIQUE_NAME' };
  }

  private resolveToolEnd(e: AtofEvent): { id?: string; rule: ToolLinkRule } {
    const known = this.knownToolId(e);
    if (known) return known;
    const candidate = this.uniqueIdByName(e.name);
    if (
      candidate !== undefined &&
      (knownIdIndex.has(this.current.knownIds, candidate) ||
        [...this.lastToolCallMap.values()].includes(candidate) ||
        this.deferred.has(candidate) ||
        this.deferredMeta.has(candidate))
    ) {
      return { id: candidate, rule: 'UNIQUE_NAME' };
    }
    return { rule: 'NO_MATCH' };
  }

  private toolEnd(e: AtofEvent): void {
    this.writeTurnPrompt();
    const { id, rule } = this.resolveToolEnd(e);
    const link: ToolLink = { toolUuid: e.uuid, name: e.name, rule, sourceCallId: id };
    if (rule === 'START_RECORD') link.via = this.toolStartRules.get(e.uuid);
    this.toolLinks.push(link);
    // Fix tool-result-annotation: an annotated end has a result even without data (a null result).
    const annotation = this.lookups.fixes.has('tool-result-annotation') ? profileToolResultAnnotation(e) : undefined;
    if (e.data !== undefined || annotation !== undefined) {
      this.pendingTs ??= formatRfc3339(e.ts);
      const result = this.toolResult(e, e.data, id);
      if (annotation !== undefined) result.annotation = annotation;
      this.pending.push({ result, link });
    } else {
      link.placement = 'NO_DATA';
    }
    if (this.activeToolCallId === id) this.activeToolCallId = undefined;
    if (id === undefined) return;
    const ancestry = buildAncestry(e, this.lookups.starts);
    const invocation = buildInvocation(this.lookups.starts.get(e.uuid)?.ts, e.ts, id);
    const earlier = this.current.step && knownIdIndex.has(this.current.knownIds, id) ? undefined : this.earlierStep(id);
    if (this.current.step && knownIdIndex.has(this.current.knownIds, id)) {
      this.current.toolAncestry.push(ancestry);
      this.current.toolInvocations.push(invocation);
    } else if (earlier) {
      // That step is finalised: its metadata lists are extended where finalizeCurrent put them.
      const extra = (earlier.extra ??= {});
      ((extra.tool_ancestry ??= []) as Json[]).push(ancestry as unknown as JsonObject);
      ((extra.tool_invocations ??= []) as Json[]).push(invocation as unknown as JsonObject);
      this.markFix(earlier, 'earlier-step-tool-events');
    } else {
      pushTo(this.deferredMeta, id, [ancestry, invocation]);
    }
  }

  /**
   * The result of a tool end's data. Content is the raw value at the seed; with structured-tool-results
   * only strings and part arrays, other values are kept aside for `extra.tool_result` (see finishResult).
   * Built whole, keys in sorted order: the printer writes it without copying. No data (an annotated
   * end, fix tool-result-annotation): no content.
   */
  private toolResult(e: AtofEvent, data: Json | undefined, id: string | undefined): PendingResult {
    const extra = eventExtra(e);
    if (data === undefined) return id === undefined ? { extra } : { extra, source_call_id: id };
    const asContent = !this.lookups.fixes.has('structured-tool-results') || typeof data === 'string' || isAtifContentParts(data);
    const r: PendingResult = data === null ? { extra } : asContent ? { content: data, extra } : { extra, structured: data };
    // Parts with provider keys: the closed parts are the content, the parts as sent go to extra.tool_result.
    // (Only ATIF parts: without structured-tool-results, any array is written as content, as at the seed.)
    const closed = asContent && this.lookups.fixes.has('closed-content-parts') && isAtifContentParts(data) ? closedContentParts(data) : data;
    if (closed !== data) {
      [r.content, r.structured] = [closed, data];
      this.closedResults.add(r);
    }
    if (id !== undefined) r.source_call_id = id;
    return r;
  }

  private mergeResult(step: Step, result: ObservationResult): void {
    if (this.closedResults.has(result)) this.markFix(step, 'closed-content-parts');
    step.observation ??= { results: [] };
    mergeObservationResult(step.observation, result, this.lookups.fixes.has('structured-tool-results'));
    // The annotation went with its result, unless the call's result already held another event's value.
    const annotation = result.extra?.[ANNOTATION_KEY];
    if (annotation !== undefined) {
      const held = result.source_call_id === undefined ? result : resultsByCallId.find(step.observation.results, result.source_call_id);
      if (held?.extra?.[ANNOTATION_KEY] === annotation) this.markFix(step, 'tool-result-annotation');
    }
  }

  /** A step of results that stand alone names the fixes that shaped them (explain --step). */
  private markStandalone(step: Step, results: readonly ObservationResult[]): void {
    if (results.some((r) => this.closedResults.has(r))) this.markFix(step, 'closed-content-parts');
    if (results.some((r) => r.extra?.[ANNOTATION_KEY] !== undefined)) this.markFix(step, 'tool-result-annotation');
  }

  /** Routes the pending batch: attach to the current step, defer until a later LLM end names the id, or stand alone. */
  private flush(): void {
    if (this.pending.length === 0) return;
    const ts = this.pendingTs;
    this.pendingTs = undefined;
    const batch = this.pending;
    this.pending = [];
    const attached: ObservationResult[] = [];
    const standalone: Array<{ result: ObservationResult; link?: ToolLink }> = [];
    for (const item of batch) {
      const r = finishResult(item.result);
      if (this.closedResults.has(item.result)) this.closedResults.add(r);
      const id = r.source_call_id;
      if (id === undefined) {
        if (item.link) item.link.placement = 'STANDALONE';
        standalone.push({ result: r, link: item.link });
      } else if (this.current.step?.tool_calls && callsById.has(this.current.step.tool_calls, id)) {
        if (item.link) [item.link.placement, item.link.step] = ['ATTACHED', this.current.step];
        attached.push(r);
      } else if (this.earlierStep(id)) {
        const earlier = this.earlierStep(id)!;
        if (item.link) [item.link.placement, item.link.step] = ['ATTACHED_EARLIER', earlier];
        this.mergeResult(earlier, r);
        this.markFix(earlier, 'earlier-step-tool-events');
      } else {
        const d: Deferred = { result: r, timestamp: ts, link: item.link };
        pushTo(this.deferred, id, d);
      }
    }
    if (attached.length > 0 && this.current.step) for (const r of attached) this.mergeResult(this.current.step, r);
    if (standalone.length > 0) {
      const step: Step = { message: '', observation: { results: standalone.map((s) => s.result) }, source: 'system', step_id: 0, timestamp: ts };
      for (const s of standalone) if (s.link) s.link.step = step;
      this.push(
        step,
        { kind: 'standalone-observations', events: standalone.map((s) => s.link?.toolUuid).filter((u): u is string => !!u) },
      );
      this.markStandalone(step, standalone.map((x) => x.result));
    }
  }

  // ---- marks and subagents -------------------------------------------------------------------

  private mark(e: AtofEvent): void {
    const hookName = isObject(e.metadata) ? getOwn(e.metadata, 'hook_event_name') : undefined;
    if (e.name === 'llm.chunk' || hookName === 'llm.chunk') return;
    // Fix llm-optimization-summary: a plugin's optimization contribution, recorded under its LLM call, is
    // in the summary that call's end carries (its contributions), which the agent step keeps: no system
    // step between the call's user and agent steps, and, like a chunk mark, no flush (HEAD's exporter
    // reads no mark). A contribution whose call ended without a summary is still a step.
    if (e.parentUuid !== undefined && this.lookups.optimizedLlms.has(e.parentUuid) && isOptimizationContributionMark(e.name, e.raw.data_schema)) return;
    // Fix relay-telemetry-marks: a metric mark or a log mark is a recording for NeMo-Relay's OTel
    // exporters, not a step (0.8's ATIF exporter reads no mark); no flush either, as for a chunk mark.
    if (hookName === undefined && this.lookups.fixes.has('relay-telemetry-marks') && isRelayTelemetryMark(e)) return;
    // Fix guardrail-rejection-step: the mark llm_call_execute emits right after the guardrail that
    // rejected the call (named after the call, `{rejected: true, rejection_reason}`) says what that
    // guardrail's step says already.
    if (this.guardrailRejection && e.parentUuid === this.guardrailRejection.parent && isObject(e.data) && getOwn(e.data, 'rejected') === true && getOwn(e.data, 'rejection_reason') === this.guardrailRejection.reason) {
      // explain --step names it among the events of the guardrail's step, which stands for it.
      this.origins.get(this.guardrailRejection.step)?.events.push(e.uuid);
      this.guardrailRejection = undefined;
      return;
    }
    // Fix response-cache-marks: a miss or a bypass is the cache's telemetry (the call ran as without a
    // cache); a hit is noted on its call's agent step. Neither is a step, nor flushes.
    if (hookName === undefined && this.lookups.fixes.has('response-cache-marks')) {
      const cache = responseCacheMark(e);
      if (cache && (cache.status !== 'hit' || (e.parentUuid !== undefined && this.lookups.cacheHits.has(e.parentUuid)))) return;
    }
    this.flush();
    const data = e.data;
    if (data === undefined || (isObject(data) && Object.keys(data).length === 0)) return;
    if (this.childPromptAsTurnPrompt(e)) return;
    // Both halves of these fixes answer to their names: the replay writes the marks, the steps read them.
    if (this.hookTurns && this.lookups.fixes.has('cursor-agent-text') && this.cursorTextMark(e)) return;
    if (this.hookTurns && this.lookups.fixes.has('hermes-turn-text') && this.hermesTextMark(e)) return;
    const message = typeof hookName === 'string' && hookName !== '' ? hookName : e.name;
    const extra: JsonObject = {
      ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject,
      event_payload: data,
      invocation: { framework: 'nemo_relay', invocation_id: e.uuid, status: 'completed' },
    };
    this.push({ extra, message, source: 'system', step_id: 0, timestamp: formatRfc3339(e.ts) }, { kind: 'mark', events: [e.uuid] });
  }

  /**
   * With hook-turn-steps, a child thread's prompt mark directly under this trajectory's own subagent
   * scope (fix `codex-child-prompt` puts it there) is the subagent turn's prompt, held as a prompt
   * hook's is (a user step unless a request of the turn holds it), not a system step: it is the task
   * the child was given. Only before the turn's first request, and when no prompt is held already.
   */
  private childPromptAsTurnPrompt(e: AtofEvent): boolean {
    const turn = this.openTurn;
    if (!turn || e.name !== 'prompt_submitted' || e.parentUuid !== turn.start.uuid || turn.start.uuid !== this.agentUuid) return false;
    if (turn.requested || turn.prompt !== undefined || scopeRole(turn.start) !== 'subagent') return false;
    const prompt = markPrompt(e);
    if (prompt === undefined) return false;
    turn.prompt = prompt;
    turn.promptFix = 'codex-child-prompt';
    return true;
  }

  /**
   * A compaction mark whose run a fix moved to a child trajectory (compaction-steps): the turn's held
   * prompt (`/compact`) is written first, as the run's request would have made it, then the mark's step.
   */
  compactionMark(e: AtofEvent): void {
    this.writeTurnPrompt();
    this.handle(e);
  }

  /**
   * Fix `responses-compact-calls`: the start of a call to OpenAI's compaction endpoint whose events
   * were moved to a child trajectory is where the agent's context was compacted: a system step there
   * (the compaction mark's step for Claude Code), which `attachCompaction` declares the boundary and
   * refers to the run from. Its message names the endpoint as the call was made.
   */
  compactionCall(e: AtofEvent): void {
    // The turn's held prompt stays held: Codex may compact before it sends the prompt, and the request
    // that does holds it then (writing it here would write it twice).
    this.flush();
    const path = isObject(e.metadata) ? getOwn(e.metadata, 'gateway_path') : undefined;
    const extra: JsonObject = {
      ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject,
      invocation: { framework: 'nemo_relay', invocation_id: e.uuid, status: 'completed' },
    };
    const message = `Context compacted (POST ${typeof path === 'string' ? path : '/v1/responses/compact'})`;
    this.push({ extra, message, source: 'system', step_id: 0, timestamp: formatRfc3339(e.ts) }, { kind: 'llm-start', events: [e.uuid], fixes: ['responses-compact-calls'] });
  }

  /**
   * With hook-turn-steps, a Cursor answer or thought mark (fix `cursor-agent-text`) in a turn no
   * captured request speaks for: the answer is an agent step with that message (the turn's tool
   * results come before it, and a tool after it opens a new tool step), a thought is held as the
   * reasoning_content of the turn's next agent step. In a turn a request speaks for, its response
   * holds them, so the mark writes nothing; outside a turn it is a system step as any mark.
   */
  private cursorTextMark(e: AtofEvent): boolean {
    const said = cursorAgentText(e);
    const turn = this.openTurn;
    if (said === undefined || !turn) return false;
    if (turn.requested) return true;
    if (said.kind === 'thought') {
      const thoughts = (turn.thoughts ??= { texts: [], first: e, marks: [] });
      thoughts.texts.push(said.text);
      thoughts.marks.push(e.uuid);
      return true;
    }
    this.writeTurnPrompt();
    this.flush();
    this.writeDeferred();
    this.finalizeCurrent();
    const step: Step = { extra: { ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject }, message: said.text, source: 'agent', step_id: 0, timestamp: formatRfc3339(e.ts) };
    this.takeThoughts(step);
    this.push(step, { kind: 'turn-text', events: [e.uuid], fixes: ['hook-turn-steps', 'cursor-agent-text'] });
    turn.answered = true;
    turn.toolStep = undefined;
    return true;
  }

  /**
   * With hook-turn-steps, a Hermes turn-text mark (fix `hermes-turn-text`). Hermes has no prompt hook:
   * its turns open implicitly, so its pre_llm_call's user_message is the prompt of the turn it is
   * under (held as a prompt hook's is: a user step at the turn's start unless a request of the turn
   * holds it). Its post_llm_call's assistant_response is the text of the turn's last answer when that
   * answer has none and calls no tool (a summary response), or, in a turn no LLM call answered, an
   * agent step of its own; an answer with text is left as it is. A mark under no turn of this
   * trajectory is a system step, as any mark; one its turn cannot use writes nothing.
   */
  private hermesTextMark(e: AtofEvent): boolean {
    const said = hermesTurnTextMark(e);
    if (said === undefined) return false;
    const parent = e.parentUuid === undefined ? undefined : this.lookups.starts.get(e.parentUuid);
    const turn = this.openTurn;
    if (turn !== undefined && turn.start.uuid === e.parentUuid) {
      if (said.kind === 'prompt' && turn.prompt === undefined && !turn.requested) [turn.prompt, turn.promptFix] = [said.text, 'hermes-turn-text'];
      else if (said.kind === 'answer') this.hermesAnswer(e, turn, said.text);
      return true;
    }
    if (parent === undefined || parent.category !== 'agent' || scopeRole(parent) !== 'turn') return false;
    if (said.kind === 'answer') return false;
    this.writeTurnPrompt();
    this.openTurn = { start: parent, prompt: said.text, promptFix: 'hermes-turn-text', requested: false, answered: false, firstStep: this.steps.length };
    return true;
  }

  private hermesAnswer(e: AtofEvent, turn: OpenTurn, text: string): void {
    const last = turn.lastAnswer;
    if (last !== undefined) {
      if (last.message !== '' || (last.tool_calls?.length ?? 0) > 0) return;
      last.message = text;
      this.markFix(last, 'hermes-turn-text');
      return;
    }
    this.writeTurnPrompt();
    this.flush();
    this.writeDeferred();
    this.finalizeCurrent();
    const step: Step = { extra: { ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject }, message: text, source: 'agent', step_id: 0, timestamp: formatRfc3339(e.ts) };
    this.push(step, { kind: 'turn-text', events: [e.uuid], fixes: ['hook-turn-steps', 'hermes-turn-text'] });
    turn.answered = true;
    turn.toolStep = undefined;
  }

  /** The turn's held Cursor thoughts as a step's reasoning_content (blank line between two). */
  private takeThoughts(step: Step): void {
    const turn = this.openTurn;
    if (!turn?.thoughts) return;
    step.reasoning_content = turn.thoughts.texts.join('\n\n');
    turn.thoughts = undefined;
    this.markFix(step, 'cursor-agent-text');
  }

  /** A direct child agent starts: attach a ref to the delegating tool call, or synthesize a dispatch step. */
  subagentStart(child: AgentNode, e: AtofEvent): void {
    this.writeTurnPrompt();
    const candidate = delegationToolCallId(e.metadata) ?? delegationToolCallId(e.data) ?? this.activeToolCallId;
    const accepted = candidate !== undefined && knownIdIndex.has(this.current.knownIds, candidate) ? candidate : undefined;
    this.flush();
    const ref: SubagentRef = { trajectory_id: child.uuid, extra: { name: child.name, scope_uuid: child.uuid } };
    if (child.sessionId !== undefined) ref.session_id = child.sessionId;
    const step = this.current.step;
    if (accepted !== undefined && step?.tool_calls && callsById.has(step.tool_calls, accepted)) {
      step.observation ??= { results: [] };
      const existing = resultsByCallId.find(step.observation.results, accepted);
      if (existing) (existing.subagent_trajectory_ref ??= []).push(ref);
      else step.observation.results.push({ source_call_id: accepted, subagent_trajectory_ref: [ref], extra: eventExtra(e) });
      return;
    }
    this.finalizeCurrent();
    const id = `subagent:${child.uuid}`;
    const args: JsonObject = { name: child.name };
    if (e.data !== undefined) args.payload = e.data;
    if (child.sessionId !== undefined) args.session_id = child.sessionId;
    const call: ToolCall = { tool_call_id: id, function_name: child.name, arguments: args, extra: eventExtra(e) };
    this.push(
      {
        step_id: 0,
        source: 'agent',
        message: '',
        timestamp: formatRfc3339(e.ts),
        tool_calls: [call],
        observation: { results: [{ source_call_id: id, subagent_trajectory_ref: [{ ...ref }], extra: eventExtra(e) }] },
        llm_call_count: 0,
      },
      { kind: 'dispatch', events: [e.uuid] },
    );
  }

  // ---- turns (hook-turn-steps) ------------------------------------------------------------

  /**
   * A turn starts (its prompt is held until the turn shows whether a request holds it) or ends. A
   * subagent's own scope is one turn of it: its prompt is the task the delegating call gave it (Claude
   * Code's Task/Agent `prompt`, see delegatedPrompts), then its tools and its stop hook's answer
   * (Claude Code SubagentStop) as a turn's.
   */
  private turnScope(e: AtofEvent): void {
    if (e.scopeCategory === 'start') {
      const ownSubagent = e.uuid === this.agentUuid && scopeRole(e) === 'subagent';
      const prompt = turnPrompt(e) ?? (ownSubagent ? this.lookups.delegatedPrompts?.get(e.uuid) : undefined);
      if (prompt === undefined && !ownSubagent) return;
      this.writeTurnPrompt(); // a turn before it that nothing happened in
      this.openTurn = { start: e, prompt, requested: false, answered: false, firstStep: this.steps.length };
      return;
    }
    const turn = this.openTurn;
    if (!turn || turn.start.uuid !== e.uuid) return;
    this.writeTurnPrompt();
    this.writeThoughts();
    this.openTurn = undefined;
    const answer = turnAnswer(e);
    if (answer === undefined || turn.answered) return;
    // The turn's tool results come before its answer: no LLM end of the turn is left to claim them.
    this.flush();
    this.writeDeferred();
    const step: Step = { extra: { ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject }, message: answer, source: 'agent', step_id: 0, timestamp: formatRfc3339(e.ts) };
    const model = turnModel(e);
    if (model !== undefined) step.model_name = model;
    this.push(step, { kind: 'turn-answer', events: [e.uuid], fixes: ['hook-turn-steps'] });
  }

  /**
   * Held thoughts no answer followed before the turn's next tool step or its end: an agent step of
   * their own at the first one's time (the tool step cannot hold them: ATIF allows no
   * reasoning_content on a step of llm_call_count 0).
   */
  private writeThoughts(): void {
    const thoughts = this.openTurn?.thoughts;
    if (thoughts === undefined) return;
    const e = thoughts.first;
    this.flush();
    this.writeDeferred();
    this.finalizeCurrent();
    const step: Step = { extra: { ancestry: buildAncestry(e, this.lookups.starts) as unknown as JsonObject }, message: '', source: 'agent', step_id: 0, timestamp: formatRfc3339(e.ts) };
    this.push(step, { kind: 'turn-text', events: thoughts.marks, fixes: ['hook-turn-steps'] });
    this.takeThoughts(step);
  }

  /**
   * The held prompt of the turn under way as a user step at the turn's start, where an LLM start would
   * write its user step: what is pending goes to the step before it, which is then finalised.
   */
  private writeTurnPrompt(): void {
    const turn = this.openTurn;
    if (turn?.prompt === undefined) return;
    const { start, prompt, promptFix } = turn;
    turn.prompt = undefined;
    this.flush();
    this.finalizeCurrent();
    const step: Step = { extra: { ancestry: buildAncestry(start, this.lookups.starts) as unknown as JsonObject }, message: prompt, source: 'user', step_id: 0, timestamp: formatRfc3339(start.ts) };
    this.push(step, { kind: 'turn-prompt', events: [start.uuid], fixes: promptFix ? ['hook-turn-steps', promptFix] : ['hook-turn-steps'] });
    // The prompt is written once the turn shows no request holds it (its first tool, a subagent, its
    // end): hook marks read before that (Cursor's beforeReadFile, a Notification) were written first,
    // yet came after the prompt. It goes back to the turn's start, ahead of them, so the steps stay in
    // the order (and timestamps) of the hooks. Only marks are passed over: they hold no tool call.
    const from = turn.firstStep;
    const last = this.steps.length - 1;
    if (from < last && this.steps.slice(from, last).every((s) => this.origins.get(s)?.kind === 'mark')) {
      this.steps.splice(last, 1);
      this.steps.splice(from, 0, step);
    }
  }

  /**
   * The first tool of a turn no request speaks for opens an agent step of no LLM call (as a dispatch
   * step is) that becomes the current step: the turn's tool starts add their calls to it and their
   * ends attach as its observation, as they do to an answer's calls.
   */
  private openTurnToolStep(e: AtofEvent): void {
    const turn = this.openTurn;
    if (!turn || turn.requested || turn.toolStep) return;
    this.writeThoughts();
    this.flush();
    this.finalizeCurrent();
    const step: Step = { step_id: 0, source: 'agent', message: '', timestamp: formatRfc3339(e.ts), llm_call_count: 0 };
    this.push(step, { kind: 'turn-tools', events: [turn.start.uuid], fixes: ['hook-turn-steps'] });
    this.current = { step, ancestry: buildAncestry(turn.start, this.lookups.starts), toolAncestry: [], toolInvocations: [], knownIds: [] };
    turn.toolStep = step;
  }

  // ---- end -----------------------------------------------------------------------------------

  /** Flush, emit leftover deferred results as one standalone step, finalise. Cleanup and numbering follow. */
  finish(): Step[] {
    this.writeTurnPrompt();
    this.flush();
    this.writeDeferred();
    this.finalizeCurrent();
    return this.steps;
  }

  /** Deferred results that no LLM end claimed, as one standalone step. */
  private writeDeferred(): void {
    if (this.deferred.size > 0) {
      const all = [...this.deferred.values()].flat();
      this.deferred.clear();
      // Stable sort by the batch timestamp text; ties keep first-deferred order (the reference uses hash order).
      const keyed = all.map((d, i) => ({ d, i }));
      keyed.sort((a, b) => cmpOptString(a.d.timestamp, b.d.timestamp) || a.i - b.i);
      if (keyed.length > 0) {
        this.deferredMeta.clear();
        const results = keyed.map(({ d }) => {
          const r = { ...d.result };
          delete r.source_call_id;
          return r;
        });
        const step: Step = { message: '', observation: { results }, source: 'system', step_id: 0, timestamp: keyed.find((k) => k.d.timestamp !== undefined)?.d.timestamp };
        for (const { d } of keyed) if (d.link) [d.link.placement, d.link.step] = ['DEFERRED_STANDALONE', step];
        this.push(
          step,
          { kind: 'deferred-observations', events: keyed.map((k) => k.d.link?.toolUuid).filter((u): u is string => !!u) },
        );
        this.markStandalone(step, keyed.map((k) => k.d.result));
      }
    }
  }
}

/** A tool end's result before its batch is flushed: what goes to `extra` later is kept aside. */
type PendingResult = ObservationResult & { structured?: Json; annotation?: Json };

/**
 * Moves a structured value (kept aside by toolResult) into `extra.tool_result`, and the tool end's
 * annotation (fix tool-result-annotation) into `extra.tool_result_annotation`, in that (sorted) order.
 */
function finishResult(r: PendingResult): ObservationResult {
  if (r.structured === undefined && r.annotation === undefined) return r;
  const { structured, annotation, ...rest } = r;
  rest.extra = { ...(rest.extra ?? {}) };
  if (structured !== undefined) rest.extra.tool_result = structured;
  if (annotation !== undefined) rest.extra[ANNOTATION_KEY] = annotation;
  return rest;
}

function cmpOptString(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

function mergedMetrics(primary: Metrics | undefined, supplemental: Metrics | undefined): Metrics | undefined {
  if (!supplemental) return primary;
  // A copy that keeps JsonNumber instances (structuredClone would turn them into plain objects).
  if (!primary) {
    const copy: Metrics = {};
    fillMissingMetrics(copy, supplemental);
    return copy;
  }
  fillMissingMetrics(primary, supplemental);
  return primary;
}

/**
 * Fixes `image-parts`, `document-blocks`: the reader of a builder's images and documents, noting in
 * `read` which fix read a block.
 */
function partReader(read: Set<'image-parts' | 'document-blocks'>, images: ImagePlacer | undefined, documents: PartReader['document'] | undefined): PartReader {
  const parts: PartReader = {};
  if (images) parts.image = (image: ProviderImage) => (read.add('image-parts'), images(image));
  if (documents) parts.document = (document: ProviderDocument) => (read.add('document-blocks'), documents(document));
  return parts;
}
