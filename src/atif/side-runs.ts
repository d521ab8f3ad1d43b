import type { AtofEvent } from '../ingest/atof.js';
import { getOwn, isObject, type JsonObject } from '../json/value.js';
import { carriesTools, isClaudeUtilityRequest } from '../providers/anthropic.js';
import { unwrapLlmRequest } from '../providers/content.js';
import { isResponsesCompactCall, isResponsesCompaction } from '../providers/responses-compaction.js';
import type { FixName } from '../profiles/fixes.js';
import type { StepOrigin } from './steps.js';
import type { ObservationResult, Step, Trajectory } from './types.js';

/**
 * LLM calls an agent makes that are not turns of its conversation, which fixes move out of its
 * steps into child trajectories of their own (tree mode): Claude Code's utility calls, the
 * compaction run that follows a compaction mark, and a call to OpenAI's compaction endpoint.
 */

/** The trajectory id of an agent's utility calls: the agent's own id and this suffix. */
export const UTILITY_SUFFIX = '-claude-code-utility';

/**
 * Fix `claude-utility-calls`: the events of a Claude Code agent's utility calls (its LLM spans whose
 * request is a one-shot call beside the conversation, {@link isClaudeUtilityRequest}, with their
 * marks), in timeline order; undefined when the agent is no Claude Code agent or made none. Claude
 * Code sends them on the session it works in, so the gateway puts them in the turn: relay-0.3 writes
 * each as a user step (the user's prompt again, for topic detection) and an agent step (its JSON
 * verdict) among the conversation's own steps.
 */
export function claudeUtilityEvents(agentStart: AtofEvent | undefined, items: readonly AtofEvent[]): Set<AtofEvent> | undefined {
  if (!isClaudeCodeAgent(agentStart)) return undefined;
  const spans = new Set<string>();
  let conversation = false;
  for (const e of items) {
    if (e.category !== 'llm' || e.scopeCategory !== 'start' || e.data === undefined) continue;
    const body = unwrapLlmRequest(e.data);
    if (isClaudeUtilityRequest(body)) spans.add(e.uuid);
    else if (carriesTools(body)) conversation = true;
  }
  // Told apart only beside the conversation's own calls: where no call carries tools (a capture that
  // left them out), a tool-less call may be the conversation itself, and nothing is moved.
  if (spans.size === 0 || !conversation) return undefined;
  return new Set(items.filter((e) => spans.has(e.uuid) || isMarkOf(e, spans)));
}

/** An agent scope the session layer wrote for Claude Code (`agent_kind` on every turn and agent scope). */
const isClaudeCodeAgent = (start: AtofEvent | undefined) => isObject(start?.metadata) && getOwn(start.metadata, 'agent_kind') === 'claude-code';

const isMarkOf = (e: AtofEvent, spans: ReadonlySet<string>) => e.kind === 'mark' && e.parentUuid !== undefined && spans.has(e.parentUuid);

/**
 * A compaction mark and the events of the LLM call that made its summary; for a call to OpenAI's
 * compaction endpoint (`call`), the call's own start stands where the mark would.
 */
export interface CompactionRun {
  mark: AtofEvent;
  events: AtofEvent[];
  /** Fix `responses-compact-calls`: the run is a compaction endpoint call, `mark` its LLM start. */
  call?: true;
}

/**
 * Fix `compaction-steps`: each compaction mark of a Claude Code agent (the session layer's
 * `compaction` mark of a PreCompact hook, NeMo-Relay HEAD's canonical `compaction` mark) that writes
 * a system step, with the first LLM call after it in the agent's timeline that answered (its start,
 * end and marks): the call that wrote the summary (Claude Code compacts before it goes on; the agent's
 * utility calls are taken out first). Claude Code sends that request with the whole history and a closing
 * instruction ("Your task is to create a detailed summary of the conversation so far…"), which
 * relay-0.3 writes as a user step and the summary as an agent step, as if the user had asked for it.
 * A mark with no answered call after it (the gateway did not see the run) yields none.
 */
export function compactionRuns(agentStart: AtofEvent | undefined, items: readonly AtofEvent[], llmEnds: ReadonlyMap<string, boolean>): CompactionRun[] {
  const runs: CompactionRun[] = [];
  // Only where the next call is known to be the run: Claude Code waits for it before going on.
  if (!isClaudeCodeAgent(agentStart)) return runs;
  let pending: AtofEvent | undefined;
  for (const e of items) {
    if (isCompactionMark(e)) pending = e;
    else if (pending && e.category === 'llm' && e.scopeCategory === 'start' && llmEnds.get(e.uuid) === true) {
      const spans = new Set([e.uuid]);
      runs.push({ mark: pending, events: items.filter((x) => (x.category === 'llm' && x.uuid === e.uuid) || isMarkOf(x, spans)) });
      pending = undefined;
    }
  }
  return runs;
}

/**
 * Fix `responses-compact-calls`: each call to OpenAI's compaction endpoint answered with a compaction (Codex's remote
 * compaction) in an agent's timeline, with its events. The call is itself the compaction: no mark
 * comes before it (Codex has no compaction hook), and its answer is the compacted window, so whatever
 * agent made it, it is a run of its own and its start is where the context was replaced.
 */
export function compactCallRuns(items: readonly AtofEvent[]): CompactionRun[] {
  // Only a call answered with the compacted window compacted anything: an error answer (a 400 for an
  // input too large, a 429) replaced no context, and stays an ordinary call of the agent.
  const compacted = new Set(items.filter((e) => e.category === 'llm' && e.scopeCategory === 'end' && e.data !== undefined && isResponsesCompaction(e.data)).map((e) => e.uuid));
  const starts = items.filter((e) => e.category === 'llm' && e.scopeCategory === 'start' && isResponsesCompactCall(e.name) && compacted.has(e.uuid));
  return starts.map((start) => {
    const spans = new Set([start.uuid]);
    return { mark: start, events: items.filter((x) => (x.category === 'llm' && x.uuid === start.uuid) || isMarkOf(x, spans)), call: true };
  });
}

/** A mark that says the agent's context is being compacted, and that the exporter writes as a system step. */
function isCompactionMark(e: AtofEvent): boolean {
  if (e.kind !== 'mark') return false;
  const hook = isObject(e.metadata) ? getOwn(e.metadata, 'hook_event_name') : undefined;
  const named = e.name.toLowerCase() === 'compaction' || (typeof hook === 'string' && hook.toLowerCase() === 'precompact');
  // A mark without data writes no step (StepBuilder.mark), so there would be nothing to refer to the run.
  return named && e.data !== undefined && !(isObject(e.data) && Object.keys(e.data).length === 0);
}

/**
 * The compaction mark's system step declares the boundary as ATIF v1.7 §VII describes it:
 * `extra.context_management {type: "compaction", boundary: "replace"}` (the agent goes on from the
 * summary alone), the summary as its observation's content (the run's last agent message) and a ref
 * to the run's trajectory, embedded beside the agent's subagents.
 */
export function attachCompaction(steps: readonly Step[], origins: Map<Step, StepOrigin>, mark: AtofEvent, run: Trajectory, fix: FixName = 'compaction-steps'): void {
  // A compaction call's step (responses-compact-calls) comes from its LLM start, a mark's from the mark.
  const kind = fix === 'compaction-steps' ? 'mark' : 'llm-start';
  const step = steps.find((s) => {
    const origin = origins.get(s);
    return origin?.kind === kind && origin.events[0] === mark.uuid;
  });
  if (!step) return;
  const management: JsonObject = { boundary: 'replace', type: 'compaction' };
  step.extra = { ...step.extra, context_management: management };
  const result: ObservationResult = { subagent_trajectory_ref: [{ trajectory_id: run.trajectory_id }] };
  const summary = [...run.steps].reverse().find((s) => s.source === 'agent')?.message;
  if (summary !== undefined && summary !== '') result.content = summary;
  step.observation = { results: [result] };
  const origin = origins.get(step)!;
  if (!origin.fixes?.includes(fix)) (origin.fixes ??= []).push(fix);
}
