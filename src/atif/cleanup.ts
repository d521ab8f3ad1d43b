import { canonicalJson } from '../json/stringify.js';
import { ANNOTATION_KEY } from './observations.js';
import type { ObservationResult, Step, ToolCall } from './types.js';

export type ToolStepRule =
  | 'TOOLSTEP_BOUNDARY'
  | 'TOOLSTEP_KEPT_NOT_PROJECTION_SHAPED'
  | 'TOOLSTEP_KEPT_NO_KEYED_CALLS'
  | 'TOOLSTEP_KEPT_NOT_ALL_OBSERVED_LATER'
  | 'TOOLSTEP_REMOVED_PROJECTED_DUPLICATE';

export interface ToolStepDecision {
  step: Step;
  rule: ToolStepRule;
  detail?: string;
}

const callKey = (c: { tool_call_id: string; function_name: string; arguments: unknown }) =>
  `${c.tool_call_id}\u0000${c.function_name}\u0000${canonicalJson(c.arguments as never)}`;

/** `extra.source` of a result read from the next request (fix request-tool-results), not from a tool event. */
export const REQUEST_RESULT_SOURCE = 'llm_request';

function notProjectionShaped(s: Step): string | undefined {
  if (s.message !== '') return 'MESSAGE_NOT_EMPTY';
  // Results read from the next request do not count: a projection is told apart as without them.
  if (s.observation && !s.observation.results.every((r) => r.extra?.source === REQUEST_RESULT_SOURCE)) return 'HAS_OBSERVATION';
  if (s.reasoning_content !== undefined) return 'HAS_REASONING_CONTENT';
  if (s.reasoning_effort !== undefined) return 'HAS_REASONING_EFFORT';
  if (s.llm_call_count !== 1) return 'LLM_CALL_COUNT_NOT_ONE';
  if (!s.tool_calls || s.tool_calls.length === 0) return 'NO_TOOL_CALLS';
  return undefined;
}

/**
 * Removes "projected" agent steps: content-less, observation-less steps whose keyed tool calls all
 * reappear, observed, in a later agent step of the same run of agent steps. Walks backwards; any
 * non-agent step ends the run (its decision: TOOLSTEP_BOUNDARY). Returns the kept steps and a decision
 * per step, for `explain --step`.
 */
export function removeProjectedDuplicates(steps: Step[]): { steps: Step[]; decisions: ToolStepDecision[] } {
  const observedLater = new ObservedCalls();
  const keep = steps.map(() => true);
  const decisions: ToolStepDecision[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    if (s.source !== 'agent') {
      decisions.push({ step: s, rule: 'TOOLSTEP_BOUNDARY' });
      observedLater.clear();
      continue;
    }
    const keyed = (s.tool_calls ?? []).filter((c) => c.tool_call_id !== '');
    const reason = notProjectionShaped(s);
    if (reason) decisions.push({ step: s, rule: 'TOOLSTEP_KEPT_NOT_PROJECTION_SHAPED', detail: reason });
    else if (keyed.length === 0) decisions.push({ step: s, rule: 'TOOLSTEP_KEPT_NO_KEYED_CALLS' });
    else {
      const missing = keyed.filter((c) => !observedLater.has(c)).map((c) => c.tool_call_id);
      if (missing.length === 0) {
        keep[i] = false;
        decisions.push({ step: s, rule: 'TOOLSTEP_REMOVED_PROJECTED_DUPLICATE' });
      } else {
        decisions.push({ step: s, rule: 'TOOLSTEP_KEPT_NOT_ALL_OBSERVED_LATER', detail: missing.join(', ') });
      }
    }
    if (keyed.length === 0 || !s.observation) continue;
    const observed = new Set(s.observation.results.map((r) => r.source_call_id));
    for (const c of keyed) if (observed.has(c.tool_call_id)) observedLater.add(c);
  }
  return { steps: steps.filter((_, i) => keep[i]), decisions: decisions.reverse() };
}

/**
 * The observed tool calls of the later agent steps of a run, compared by {@link callKey}. Keys print
 * the arguments, so they are made only once a projection-shaped step is checked against them, which
 * most runs never need.
 */
class ObservedCalls {
  private readonly calls: ToolCall[] = [];
  private keys: Set<string> | undefined;

  add(c: ToolCall): void {
    this.calls.push(c);
    this.keys?.add(callKey(c));
  }

  has(c: ToolCall): boolean {
    this.keys ??= new Set(this.calls.map(callKey));
    return this.keys.has(callKey(c));
  }

  clear(): void {
    this.calls.length = 0;
    this.keys = undefined;
  }
}

/**
 * Tree-mode pruning: drops refs to children that were not kept, results left with neither content
 * nor refs (nor, with structured results, a tool_result; nor, with tool-result-annotation, an
 * annotation), emptied observations, and the system or dispatch steps that became empty.
 */
export function pruneSubagentRefs(steps: Step[], keptChildren: ReadonlySet<string>, keepToolResult: boolean, keepAnnotation = false): Step[] {
  const holdsSomething = (r: ObservationResult) =>
    r.content !== undefined ||
    r.subagent_trajectory_ref !== undefined ||
    (keepToolResult && r.extra?.tool_result !== undefined) ||
    (keepAnnotation && r.extra?.[ANNOTATION_KEY] !== undefined);
  for (const s of steps) {
    if (!s.observation) continue;
    for (const r of s.observation.results) {
      if (!r.subagent_trajectory_ref) continue;
      r.subagent_trajectory_ref = r.subagent_trajectory_ref.filter((ref) => ref.trajectory_id !== undefined && keptChildren.has(ref.trajectory_id));
      if (r.subagent_trajectory_ref.length === 0) delete r.subagent_trajectory_ref;
    }
    if (!s.observation.results.every(holdsSomething)) s.observation.results = s.observation.results.filter(holdsSomething);
    if (s.observation.results.length === 0) delete s.observation;
  }
  return steps.filter(
    (s) =>
      !(s.source === 'system' && !s.observation && s.message === '' && s.extra === undefined) &&
      !(s.source === 'agent' && s.llm_call_count === 0 && !s.observation && s.message === '' && s.extra === undefined),
  );
}

export function renumber(steps: Step[]): void {
  steps.forEach((s, i) => (s.step_id = i + 1));
}
