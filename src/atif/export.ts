import type { AtofEvent } from '../ingest/atof.js';
import { parseUuid } from '../ingest/uuid.js';
import { getOwn, isNumber, isObject, type JsonObject } from '../json/value.js';
import { dedupeFixOptions } from '../dedupe/fix-options.js';
import { runDedupe, type DedupeOptions, type DedupeResult } from '../dedupe/pass.js';
import { ResponseReadings } from '../providers/readings.js';
import { optimizationSummary } from '../providers/usage.js';
import type { ProviderRules } from '../providers/rules.js';
import { removeProjectedDuplicates, pruneSubagentRefs, renumber, type ToolStepDecision } from './cleanup.js';
import { correlateToolCalls } from './correlation.js';
import type { FixName, FixSet } from '../profiles/fixes.js';
import { delegatedPrompts } from './hook-turns.js';
import { finalMetrics } from './metrics.js';
import { attachCompaction, claudeUtilityEvents, compactCallRuns, compactionRuns, UTILITY_SUFFIX, type CompactionRun } from './side-runs.js';
import { startModelName } from './step-model.js';
import { RESPONSE_CACHE_MARK, responseCacheMark } from './relay-marks.js';
import { StepBuilder, type Lookups, type StepOrigin, type ToolLink } from './steps.js';
import { AgentTree, isStepEvent, type AgentNode } from './tree.js';
import { sessionAgent, withSessionAgent, type AgentField } from './agent-identity.js';
import { ImageStore, type ImageOutcome } from './images.js';

export type { AgentField };
import type { AgentInfo, Step, Trajectory } from './types.js';

export interface ExportOptions {
  sessionId: string;
  agent: AgentInfo;
  /** The `agent` fields the user did not give, which fix `agent-identity` takes from the session. */
  agentFromSession?: readonly AgentField[];
  fixes: FixSet;
  /** Overrides of the dedupe options; the options the active fixes imply apply underneath. */
  dedupe?: DedupeOptions;
  /**
   * Fix `image-parts`: whether image files can be written beside the trajectory (`-o DIR/`, `-o FILE`);
   * false on stdout, where an image of data is left out of its message. Default: true.
   */
  imageFiles?: boolean;
}

/** What one agent's state machine produced, kept for explain. */
export interface AgentConversion {
  agentUuid?: string;
  trajectoryId: string;
  origins: Map<Step, StepOrigin>;
  toolLinks: ToolLink[];
  toolSteps: ToolStepDecision[];
  /** LLM spans whose agent step lost its `extra` (W_EXTRA_DROPPED_INTERLEAVED). */
  extraDropped: string[];
}

export interface ExportResult {
  /** Undefined when the trajectory had no steps and empty trajectories are not written. */
  trajectory?: Trajectory;
  mode: 'tree' | 'flat';
  dedupe: DedupeResult;
  conversions: AgentConversion[];
  /** Fix `image-parts`: the image files the trajectory refers to, and the images left out. */
  images?: ImageOutcome;
}

/** An agent's events in timeline order; the starts of its direct children are among them, mapped to the child. */
interface AgentBucket {
  items: AtofEvent[];
  childStarts: Map<AtofEvent, AgentNode>;
}

/** Timestamp order; ties keep timeline order (the reference's stable sort). */
export function sortEvents(events: readonly AtofEvent[]): AtofEvent[] {
  const order = (a: AtofEvent, b: AtofEvent) => (a.ts !== b.ts ? (a.ts < b.ts ? -1 : 1) : a.seq - b.seq);
  // Live streams are nearly always in order already: one linear check spares the sort.
  for (let i = 1; i < events.length; i++) if (order(events[i - 1], events[i]) > 0) return [...events].sort(order);
  return [...events];
}

/** Fix agent-identity: the agent fields the user left unset, from the session's events (see withSessionAgent). */
function identified(t: Trajectory, events: readonly AtofEvent[], opts: ExportOptions): Trajectory {
  const fields = opts.agentFromSession ?? [];
  return opts.fixes.has('agent-identity') && fields.length > 0 ? withSessionAgent(t, sessionAgent(events), fields) : t;
}

/** The reference exporter (`events_to_trajectory`): one trajectory from one event list. */
export function eventsToTrajectory(events: readonly AtofEvent[], opts: ExportOptions): ExportResult {
  const sorted = sortEvents(events);
  const tree = new AgentTree(sorted);
  const rules = providerRules(opts.fixes);
  // Responses are read once for the dedupe pass, the tool-call pre-pass and the steps.
  const readings = new ResponseReadings(rules);
  const dedupe = runDedupe(sorted, { ...dedupeFixOptions(opts.fixes, rules), readings, ...opts.dedupe });
  const starts = new Map<string, AtofEvent>();
  const llmEnds = new Map<string, boolean>();
  const llmStartModels = new Map<string, string>();
  // Fix llm-optimization-summary: the LLM spans whose end carries an optimization summary (their
  // contribution marks, which come before the end, are in it).
  const optimizedLlms = new Set<string>();
  // Fix response-cache-marks: the cache marks, read once the LLM spans' ends are known.
  const cacheMarks: AtofEvent[] = [];
  const cacheFix = opts.fixes.has('response-cache-marks');
  for (const e of sorted) {
    if (cacheFix && e.kind === 'mark' && e.name === RESPONSE_CACHE_MARK) cacheMarks.push(e);
    if (rules.llmOptimizationSummary && e.category === 'llm' && e.scopeCategory === 'end' && optimizationSummary(e.categoryProfile)) optimizedLlms.add(e.uuid);
    // Whether any end of the span carries a response: a later end without one does not undo it.
    if (e.category === 'llm' && e.scopeCategory === 'end' && (e.data !== undefined || !llmEnds.has(e.uuid))) llmEnds.set(e.uuid, e.data !== undefined);
    if (e.scopeCategory !== 'start') continue;
    starts.set(e.uuid, e);
    const model = e.category === 'llm' ? startModelName(e) : undefined;
    if (model !== undefined) llmStartModels.set(e.uuid, model);
  }
  // A hit under an LLM span whose answer writes an agent step is noted on that step (the mark is
  // emitted inside the call, before its end); a hit anywhere else stays a system step.
  const cacheHits = new Map<string, JsonObject>();
  for (const e of cacheMarks) {
    const mark = responseCacheMark(e);
    if (mark?.status === 'hit' && e.parentUuid !== undefined && llmEnds.get(e.parentUuid) === true && !dedupe.suppressed.has(e.parentUuid)) cacheHits.set(e.parentUuid, mark.note);
  }
  const base: Omit<Lookups, 'prepass'> = { starts, suppressed: dedupe.suppressed, supplemental: dedupe.supplemental, fixes: opts.fixes, rules, readings, llmEnds, llmStartModels, optimizedLlms, cacheHits };
  if (opts.fixes.has('hook-turn-steps')) base.delegatedPrompts = delegatedPrompts(sorted);
  // One store for the whole conversion (subagents and side runs too): each image is one file.
  const images = opts.fixes.has('image-parts') || opts.fixes.has('document-blocks') ? new ImageStore(opts.imageFiles !== false) : undefined;
  if (images && opts.fixes.has('image-parts')) base.images = images.place;
  if (images && opts.fixes.has('document-blocks')) base.documents = images.document;
  const conversions: AgentConversion[] = [];
  const rootUuid = tree.chooseRoot(parseUuid(opts.sessionId));
  // hook-turn-steps reads a turn's own start and end, which a turn nested in an agent does not own.
  const turnsHeld = opts.fixes.has('hook-turn-steps');
  const owners = rootUuid === undefined ? [] : sorted.map((e) => tree.owner(e) ?? (turnsHeld ? tree.turnHolder(e) : undefined));
  const treeUsable = rootUuid !== undefined && sorted.every((e, i) => e.category === 'agent' || !isStepEvent(e) || owners[i] !== undefined);

  if (!treeUsable) {
    const lookups: Lookups = { ...base, prepass: correlateToolCalls(sorted, readings) };
    const builder = new StepBuilder(lookups);
    for (const e of sorted) builder.handle(e);
    const { steps, decisions } = finishSteps(builder);
    conversions.push({ trajectoryId: opts.sessionId, origins: builder.origins, toolLinks: builder.toolLinks, toolSteps: decisions, extraDropped: builder.extraDropped });
    const trajectory = identified(assemble(opts.sessionId, opts.sessionId, opts.agent, steps, opts.fixes), sorted, opts);
    return { trajectory: keepTrajectory(trajectory, opts.fixes), mode: 'flat', dedupe, conversions, images: images?.outcome() };
  }

  // One pass buckets the timeline per agent: its own events, plus the starts of its direct children.
  const perAgent = new Map<string, AgentBucket>();
  const bucket = (agent: string) => {
    let b = perAgent.get(agent);
    if (!b) perAgent.set(agent, (b = { items: [], childStarts: new Map() }));
    return b;
  };
  sorted.forEach((e, i) => {
    const childNode = e.scopeCategory === 'start' && e.category === 'agent' ? tree.nodes.get(e.uuid) : undefined;
    if (childNode?.parentAgent !== undefined) {
      const b = bucket(childNode.parentAgent);
      b.items.push(e);
      b.childStarts.set(e, childNode);
    }
    const owner = owners[i]; // a child's own start is owned by the child, where it is ignored
    if (owner !== undefined) bucket(owner).items.push(e);
  });
  const convert = (agentUuid: string, children: Trajectory[]): Trajectory => {
    const isRoot = agentUuid === rootUuid;
    const bucketed = perAgent.get(agentUuid) ?? { items: [], childStarts: new Map() };
    const { childStarts } = bucketed;
    // Fix claude-utility-calls: Claude Code's calls beside the conversation become a child trajectory of their own;
    // fix compaction-steps: so does each compaction run, which its compaction mark's step then refers to.
    const utility = opts.fixes.has('claude-utility-calls') ? claudeUtilityEvents(starts.get(agentUuid), bucketed.items) : undefined;
    const afterUtility = utility ? bucketed.items.filter((e) => !utility.has(e)) : bucketed.items;
    // Fix responses-compact-calls: so does each call to OpenAI's compaction endpoint, whose start writes the boundary.
    const runs: CompactionRun[] = opts.fixes.has('compaction-steps') ? compactionRuns(starts.get(agentUuid), afterUtility, llmEnds) : [];
    if (opts.fixes.has('responses-compact-calls')) runs.push(...compactCallRuns(afterUtility));
    const runMarks = new Map(runs.map((r) => [r.mark, r]));
    // A compaction call's start stays in the agent's timeline: it writes the boundary step there.
    const moved = new Set(runs.flatMap((r) => r.events).filter((e) => !runMarks.has(e)));
    const items = moved.size > 0 ? afterUtility.filter((e) => !moved.has(e)) : afterUtility;
    const own = childStarts.size === 0 ? items : items.filter((e) => !childStarts.has(e));
    const builder = new StepBuilder({ ...base, prepass: correlateToolCalls(own, readings) }, agentUuid);
    for (const e of items) {
      const child = childStarts.get(e);
      const run = runMarks.get(e);
      if (child) builder.subagentStart(child, e);
      else if (run?.call) builder.compactionCall(e);
      else if (run) builder.compactionMark(e);
      else builder.handle(e);
    }
    const finished = finishSteps(builder);
    const node = tree.nodes.get(agentUuid)!;
    const kept = children.filter((t) => {
      if (opts.fixes.has('no-empty-trajectories')) return t.steps.length > 0;
      return t.steps.length > 0 || !tree.nodes.get(t.trajectory_id)?.referencedByParent;
    });
    const sessionId = isRoot ? opts.sessionId : (node.sessionId ?? opts.sessionId);
    runs.forEach((run, i) => {
      const fix = run.call ? 'responses-compact-calls' : 'compaction-steps';
      const child = sideTrajectory(`${agentUuid}-compaction-${i + 1}`, sessionId, run.events, fix, { compaction_run: true });
      attachCompaction(finished.steps, builder.origins, run.mark, child, fix);
      kept.push(child);
    });
    const steps = pruneSubagentRefs(finished.steps, new Set(kept.map((c) => c.trajectory_id)), opts.fixes.has('structured-tool-results'), opts.fixes.has('tool-result-annotation'));
    renumber(steps);
    const trajectoryId = isRoot ? opts.sessionId : agentUuid;
    conversions.push({ agentUuid, trajectoryId, origins: builder.origins, toolLinks: builder.toolLinks, toolSteps: finished.decisions, extraDropped: builder.extraDropped });
    // The utility calls are referred to by no step, so their trajectory joins after the pruning of refs.
    if (utility) {
      const child = sideTrajectory(`${agentUuid}${UTILITY_SUFFIX}`, sessionId, [...utility], 'claude-utility-calls', { claude_code_utility_calls: true });
      // Each step is marked too, as peers mark utility calls (atifact's extra.utility): a reader that
      // flattens subagent trajectories can still leave them out.
      for (const step of child.steps) step.extra = { ...step.extra, utility: true };
      kept.push(child);
    }
    return assemble(sessionId, trajectoryId, opts.agent, steps, opts.fixes, kept);
  };
  /** Events a fix moved out of an agent's steps, converted on their own (explain finds them by the trajectory id); `extra` says what they are. */
  const sideTrajectory = (trajectoryId: string, sessionId: string, events: AtofEvent[], fix: FixName, extra: JsonObject): Trajectory => {
    const builder = new StepBuilder({ ...base, prepass: correlateToolCalls(events, readings) });
    for (const e of events) builder.handle(e);
    const { steps, decisions } = finishSteps(builder);
    // Every step here was moved by the fix: explain --step names it.
    for (const origin of builder.origins.values()) if (!origin.fixes?.includes(fix)) (origin.fixes ??= []).push(fix);
    conversions.push({ trajectoryId, origins: builder.origins, toolLinks: builder.toolLinks, toolSteps: decisions, extraDropped: builder.extraDropped });
    const t = assemble(sessionId, trajectoryId, opts.agent, steps, opts.fixes);
    t.extra = extra;
    return t;
  };
  // Children before parents (post-order), without recursion: agent nesting can be thousands deep.
  // A parent_uuid cycle can make an agent its own ancestor: each agent is entered once, and a child
  // met again on the way down is left out rather than looping.
  const done = new Map<string, Trajectory>();
  const entered = new Set<string>([rootUuid]);
  const childrenOf = new Map<string, string[]>();
  const stack: Array<{ uuid: string; expanded: boolean }> = [{ uuid: rootUuid, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const node = tree.nodes.get(top.uuid)!;
    if (!top.expanded) {
      const fresh = node.children.filter((c) => !entered.has(c));
      fresh.forEach((c) => entered.add(c));
      childrenOf.set(top.uuid, fresh);
      stack.push({ uuid: top.uuid, expanded: true });
      for (let i = fresh.length - 1; i >= 0; i--) stack.push({ uuid: fresh[i], expanded: false });
      continue;
    }
    const kids = childrenOf.get(top.uuid)!;
    const children = kids.map((c) => done.get(c)!);
    kids.forEach((c) => done.delete(c));
    done.set(top.uuid, convert(top.uuid, children));
  }
  const trajectory = identified(done.get(rootUuid)!, sorted, opts);
  const session = opts.fixes.has('agent-session-extra') ? agentSession(starts.get(rootUuid)) : undefined;
  if (session) trajectory.extra = withAgentSession(trajectory.extra, session);
  return { trajectory: keepTrajectory(trajectory, opts.fixes), mode: 'tree', dedupe, conversions, images: images?.outcome() };
}

/**
 * Fix `agent-session-extra`: the coding agent's own session a trajectory belongs to, from its root
 * scope's metadata, where NeMo-Relay HEAD's ATIF exporter writes it (#437: root `extra.nemo_relay`
 * with `session_id`, `session_instance_id` and `user_id`, each when the metadata holds it as a
 * string). The session layer also writes `agent_kind` on every turn and agent scope and `turn_index`
 * on a turn (relay-cli.md §3.5); they are kept beside. A Claude Code or Codex session is one
 * trajectory per turn, each named by its turn scope's uuid: without this, only the raw events of
 * `extra.observed_events` (which `--no-observed-events` leaves out) said which turns were of one
 * session. Undefined when the root scope's metadata holds none of these.
 */
function agentSession(start: AtofEvent | undefined): JsonObject | undefined {
  const metadata = start?.metadata;
  if (!isObject(metadata)) return undefined;
  const out: JsonObject = {};
  // Sorted key order, as the printer writes it.
  for (const key of SESSION_KEYS) {
    const value = getOwn(metadata, key);
    if (value === undefined) continue;
    if (key === 'turn_index' ? isNumber(value) : typeof value === 'string' && value !== '') out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const SESSION_KEYS = ['agent_kind', 'session_id', 'session_instance_id', 'turn_index', 'user_id'] as const;

/** The trajectory's extra with the session merged into its `nemo_relay` object (kept, not replaced, as HEAD does). */
function withAgentSession(extra: JsonObject | undefined, session: JsonObject): JsonObject {
  const existing = extra ? getOwn(extra, 'nemo_relay') : undefined;
  return { ...extra, nemo_relay: isObject(existing) ? { ...existing, ...session } : session };
}

/** The provider-shape rules the active fixes switch on. */
export function providerRules(fixes: FixSet): ProviderRules {
  return {
    anthropicMessages: fixes.has('anthropic-tool-use'),
    responsesFunctionCalls: fixes.has('responses-function-calls'),
    responsesCustomToolCalls: fixes.has('responses-custom-tool-calls'),
    responsesWebSearchCalls: fixes.has('responses-web-search-calls'),
    anthropicServerTools: fixes.has('anthropic-server-tools'),
    anthropicCitationText: fixes.has('anthropic-citation-text'),
    anthropicTokenAccounting: fixes.has('anthropic-token-accounting'),
    responsesCachedTokens: fixes.has('responses-cached-tokens'),
    providerReportedCost: fixes.has('provider-reported-cost'),
    annotatedResponseCost: fixes.has('annotated-response-cost'),
    llmOptimizationSummary: fixes.has('llm-optimization-summary'),
    tokenCountCalls: fixes.has('count-tokens-calls'),
    providerReasoning: fixes.has('provider-reasoning'),
    chatRefusal: fixes.has('chat-refusal-message'),
    responsesRefusal: fixes.has('responses-refusal-message'),
    responsesReasoningOnly: fixes.has('responses-reasoning-only'),
    emptyAnswer: fixes.has('empty-answer-message'),
    anthropicRefusal: fixes.has('anthropic-refusal-message'),
    emptyToolArguments: fixes.has('empty-tool-arguments'),
    responsesCompaction: fixes.has('responses-compact-calls'),
  };
}

function finishSteps(builder: StepBuilder): { steps: Step[]; decisions: ToolStepDecision[] } {
  const result = removeProjectedDuplicates(builder.finish());
  renumber(result.steps);
  return result;
}

function keepTrajectory(t: Trajectory, fixes: FixSet): Trajectory | undefined {
  return fixes.has('no-empty-trajectories') && t.steps.length === 0 ? undefined : t;
}

function assemble(sessionId: string, trajectoryId: string, agent: AgentInfo, steps: Step[], fixes: FixSet, children: Trajectory[] = []): Trajectory {
  const t: Trajectory = {
    schema_version: 'ATIF-v1.7',
    session_id: sessionId,
    trajectory_id: trajectoryId,
    agent: structuredClone(agent),
    steps,
    final_metrics: finalMetrics(steps, fixes.has('final-metrics-per-field'), fixes.has('llm-optimization-summary'), fixes.has('response-cache-marks')),
  };
  if (children.length > 0) t.subagent_trajectories = children;
  return t;
}
