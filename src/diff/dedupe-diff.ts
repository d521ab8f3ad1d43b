import { agentStepsBySpan, producedSteps } from '../explain/produced.js';
import type { PairDecision } from '../dedupe/pair.js';
import type { Step } from '../atif/types.js';
import { canonicalJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';
import { fillMissingMetrics, type Metrics } from '../providers/usage.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import type { ProfileInEffect } from '../profiles/fixes.js';
import { pushTo } from '../util/group-by.js';
import { otherDifferences } from './dedupe-other.js';
import { diffJson, pathText, type Difference } from './json-diff.js';
import { stepPositions } from './run-paths.js';

export interface RemovedStep {
  trajectory_id: string;
  /** The step's number in the trajectory without dedupe. */
  step_id: number;
  path: string;
  source: string;
  span: string;
  span_name: string;
  /**
   * Every decision that suppressed the span, with the span that stayed in that pair, and `survivors`:
   * the spans of the output that stand for it (`kept` itself, unless `kept` was suppressed in its turn —
   * a chain — when it is the survivors its own suppressors lead to). `fix`: the fixes that made the
   * decision what it is, as explain names them.
   */
  decisions: Array<{ rule: string; fix?: string; kept: string; kept_name: string; survivors: Array<{ span: string; name: string }> }>;
}

export interface MovedMetric {
  trajectory_id: string;
  /** The survivor's agent step, numbered as with dedupe. */
  step_id: number;
  span: string;
  path: string;
  without: Json | null;
  with: Json | null;
  /**
   * The suppressed spans this value came from: those whose end metrics, filled into the survivor's
   * own (fill-missing), give this path this value. When none gives it alone (an `extra` object
   * filled from several), those that fill the path at all; else every span the survivor absorbed.
   */
  from: string[];
}

export interface DedupeDiff {
  session_id: string;
  removed_steps: RemovedStep[];
  moved_metrics: MovedMetric[];
  /** `final_metrics` of each trajectory, without → with. */
  final_metrics: Difference[];
  /** Everything else that changed (observation placement, step extras …), A = without, B = with;
   *  steps are matched by the events that produced them. */
  other_differences: Difference[];
}

/** `profile` and `fix_changes` name the profile as the run adjusted it (ProfileInEffect). */
export interface DedupeDiffReport extends ProfileInEffect {
  changed: boolean;
  trajectories: DedupeDiff[];
}

/**
 * What the dedupe pass changed in one trajectory, read from the two conversions' records: the
 * steps of suppressed spans (with the deciding pair), the metrics survivors took over, and the rest.
 */
export function dedupeDiff(withDedupe: ConvertedTrajectory, without: ConvertedTrajectory): DedupeDiff {
  const dedupe = withDedupe.result.dedupe;
  const names = new Map(dedupe.spans.map((o) => [o.span.uuid, o.span.name]));
  const endMetricsOf = new Map(dedupe.spans.map((o) => [o.span.uuid, o.span.candidate?.endMetrics]));
  const [producedWith, producedWithout] = [producedSteps(withDedupe), producedSteps(without)];
  const positionsWithout = stepPositions(without.trajectory);
  // Steps (of the trajectory without dedupe) whose differences the first two lists already explain,
  // by object: a step is at one place, and its path's text grows with the nesting of subagents.
  const removedSteps = new Set<Step>();
  const survivorSteps = new Set<Step>();

  // Indexed once: a long session has tens of thousands of suppressed spans and survivors.
  const suppressedBy = new Map<string, PairDecision[]>();
  for (const d of dedupe.pairs) {
    if (d.suppressed === undefined || d.canonical === undefined) continue;
    pushTo(suppressedBy, d.suppressed, d);
  }
  const [agentStepWith, agentStepWithout] = [agentStepsBySpan(producedWith), agentStepsBySpan(producedWithout)];
  const survivorsOf = survivorsReached(dedupe.suppressed, suppressedBy);
  const named = (uuid: string) => ({ span: uuid, name: names.get(uuid) ?? '' });

  const removed: RemovedStep[] = [];
  for (const p of producedWithout) {
    const uuid = p.origin && (p.origin.kind === 'llm-start' || p.origin.kind === 'llm-end') ? p.origin.events[0] : undefined;
    if (uuid === undefined || !dedupe.suppressed.has(uuid)) continue;
    removedSteps.add(p.step);
    removed.push({
      trajectory_id: p.trajectoryId,
      step_id: p.step.step_id,
      path: pathText(positionsWithout.get(p.step)!),
      source: p.step.source,
      span: uuid,
      span_name: names.get(uuid) ?? '',
      decisions: (suppressedBy.get(uuid) ?? []).map((d) => ({
        rule: d.rule,
        ...(d.fix === undefined ? {} : { fix: d.fix }),
        kept: d.canonical!,
        kept_name: names.get(d.canonical!) ?? '',
        survivors: survivorsOf(d.canonical!).map(named),
      })),
    });
  }

  const moved: MovedMetric[] = [];
  for (const o of dedupe.spans) {
    if (o.state !== 'SPAN_SURVIVOR' || !dedupe.supplemental.has(o.span.uuid)) continue;
    const [after, before] = [agentStepWith.get(o.span.uuid), agentStepWithout.get(o.span.uuid)];
    if (!after || !before) continue;
    const found: Difference[] = [];
    diffJson((before.step.metrics ?? {}) as unknown as Json, (after.step.metrics ?? {}) as unknown as Json, 'metrics', found);
    survivorSteps.add(before.step);
    const supplied = o.absorbed.map((uuid) => ({ uuid, fills: wouldFill(before.step.metrics, endMetricsOf.get(uuid)) }));
    for (const d of found) {
      const value = d.b === undefined ? undefined : canonicalJson(d.b);
      const exact = supplied.filter((x) => x.fills.get(d.path) === value).map((x) => x.uuid);
      const some = supplied.filter((x) => x.fills.has(d.path)).map((x) => x.uuid);
      const from = exact.length > 0 ? exact : some.length > 0 ? some : [...o.absorbed];
      moved.push({ trajectory_id: after.trajectoryId, step_id: after.step.step_id, span: o.span.uuid, path: d.path, without: d.a ?? null, with: d.b ?? null, from });
    }
  }

  const { finals, other } = otherDifferences(withDedupe, without, { removedSteps, survivorSteps });
  return { session_id: withDedupe.sessionId, removed_steps: removed, moved_metrics: moved, final_metrics: finals, other_differences: other };
}

/**
 * What a suppressed span's end metrics would add to a survivor's own metrics by themselves (the
 * fill-missing rule of the pass): each path `diffJson` reports, with its value printed canonically.
 */
function wouldFill(own: Metrics | undefined, given: Metrics | undefined): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (!given) return out;
  const filled: Metrics = structuredClone(own ?? {});
  fillMissingMetrics(filled, given);
  const found: Difference[] = [];
  diffJson((own ?? {}) as unknown as Json, filled as unknown as Json, 'metrics', found);
  for (const d of found) out.set(d.path, d.b === undefined ? undefined : canonicalJson(d.b));
  return out;
}

/**
 * The surviving spans a span leads to: itself when it was not suppressed, else the survivors of every
 * span that suppressed it (sorted, no repeats). Suppression points to a higher-ranked span, so the
 * walk ends; it keeps its own stack (a chain may be as long as a session) and remembers every span it
 * settled (a burst of k identical calls has k² / 2 decisions over the same few suppressors).
 */
function survivorsReached(suppressed: ReadonlySet<string>, suppressorsOf: ReadonlyMap<string, readonly PairDecision[]>): (uuid: string) => string[] {
  const settled = new Map<string, string[]>();
  return (start) => {
    const stack = [start];
    while (stack.length > 0) {
      const uuid = stack[stack.length - 1];
      if (settled.has(uuid)) {
        stack.pop();
        continue;
      }
      if (!suppressed.has(uuid)) {
        settled.set(uuid, [uuid]);
        stack.pop();
        continue;
      }
      const next = (suppressorsOf.get(uuid) ?? []).map((d) => d.canonical!);
      const waiting = next.filter((n) => !settled.has(n));
      if (waiting.length > 0) {
        for (const n of waiting) stack.push(n);
        continue;
      }
      settled.set(uuid, [...new Set(next.flatMap((n) => settled.get(n)!))].sort());
      stack.pop();
    }
    return settled.get(start)!;
  };
}

/** Pairs the two conversions of the same events (same grouping, same order). */
export function dedupeDiffReport(withDedupe: readonly ConvertedTrajectory[], without: readonly ConvertedTrajectory[], profile: ProfileInEffect): DedupeDiffReport {
  const trajectories = withDedupe.map((c, i) => dedupeDiff(c, without[i]));
  return { ...profile, changed: trajectories.some(changedBy), trajectories };
}

/** Whether the dedupe pass changed anything in a trajectory (the report's `changed` is whether it did in any). */
export function changedBy(t: DedupeDiff): boolean {
  return t.removed_steps.length + t.moved_metrics.length + t.final_metrics.length + t.other_differences.length > 0;
}
