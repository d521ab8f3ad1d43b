import type { Step } from '../atif/types.js';
import type { Json } from '../json/value.js';
import { EXTRA_DROPPED, producedSteps, type ProducedStep } from '../explain/produced.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { childPath, diffJsonAt, pathText, type Difference } from './json-diff.js';
import { keyedSteps, scalarFields, stepPositions, trajectoryPositions, within, withoutStepId } from './run-paths.js';

/** Steps of the run without dedupe whose differences are already reported as removed steps or moved metrics. */
export interface Explained {
  removedSteps: ReadonlySet<Step>;
  /** The surviving steps that took metrics from the steps they suppressed (their `metrics` are explained). */
  survivorSteps: ReadonlySet<Step>;
}

/**
 * Everything else the dedupe pass changed (A = without, B = with): `final_metrics` apart, and the
 * rest — observation placement, reasoning effort, step extras. Steps are matched by the events that
 * produced them, which is exact where ancestry is not (a step can lose its extra). Places are kept
 * as parent links and spelled only for a difference: under thousands of nested subagents, spelling
 * (and comparing) every step's path was quadratic.
 */
export function otherDifferences(withDedupe: ConvertedTrajectory, without: ConvertedTrajectory, explained: Explained): { finals: Difference[]; other: Difference[] } {
  const finals: Difference[] = [];
  const other: Difference[] = [];
  trajectoryDifferences(withDedupe, without, finals, other);

  const [positionsWithout, positionsWith] = [stepPositions(without.trajectory), stepPositions(withDedupe.trajectory)];
  const withSteps = keyedSteps(producedSteps(withDedupe));
  const withByKey = new Map(withSteps);
  const matched = new Set<ProducedStep>();
  for (const [key, a] of keyedSteps(producedSteps(without))) {
    const pa = positionsWithout.get(a.step)!;
    const b = withByKey.get(key);
    if (!b) {
      if (!explained.removedSteps.has(a.step)) other.push(noted({ path: pathText(pa), kind: 'removed', a: a.step as unknown as Json }, cleanupNote(withDedupe, key, 'with')));
      continue;
    }
    matched.add(b);
    // A survivor's metrics differences are reported as moved metrics, so its metrics are left out of
    // the comparison (rather than each difference's path tested for lying under them, as text).
    const explainedMetrics = explained.survivorSteps.has(a.step);
    const found: Difference[] = [];
    diffJsonAt(comparedFields(a.step, explainedMetrics), comparedFields(b.step, explainedMetrics), pa, found, positionsWith.get(b.step)!);
    if (found.length === 0) continue;
    const extra = childPath(pathText(pa), 'extra');
    for (const d of found) {
      const dropped = d.path === extra && a.origin?.kind === 'llm-end';
      other.push(noted(d, dropped ? `${EXTRA_DROPPED} ${d.kind === 'added' ? 'without' : 'with'} dedupe` : undefined));
    }
  }
  for (const [key, p] of withSteps) {
    if (!matched.has(p)) other.push(noted({ path: pathText(positionsWith.get(p.step)!), kind: 'added', b: p.step as unknown as Json }, cleanupNote(without, key, 'without')));
  }
  return { finals, other };
}

/** The trajectories' own fields (matched by id), `final_metrics` into `finals`, the rest into `other`. */
function trajectoryDifferences(withDedupe: ConvertedTrajectory, without: ConvertedTrajectory, finals: Difference[], other: Difference[]): void {
  const [tWithout, tWith] = [trajectoryPositions(without.trajectory), trajectoryPositions(withDedupe.trajectory)];
  for (const [id, a] of tWithout) {
    const b = tWith.get(id);
    if (!b) {
      other.push({ path: pathText(a.path), kind: 'removed', a: a.trajectory as unknown as Json });
      continue;
    }
    const found: Difference[] = [];
    diffJsonAt(scalarFields(a.trajectory), scalarFields(b.trajectory), a.path, found, b.path);
    if (found.length === 0) continue;
    const finalMetrics = childPath(pathText(a.path), 'final_metrics');
    for (const d of found) (within(d.path, finalMetrics) ? finals : other).push(d);
  }
  for (const [id, b] of tWith) if (!tWithout.has(id)) other.push({ path: pathText(b.path), kind: 'added', b: b.trajectory as unknown as Json });
}

/** A step as compared: without its number (see withoutStepId), and without `metrics` when those are explained. */
function comparedFields(s: Step, explainedMetrics: boolean): Json {
  const rest = withoutStepId(s) as Record<string, Json>;
  if (!explainedMetrics) return rest;
  const { metrics: _metrics, ...others } = rest;
  return others;
}

const noted = (d: Difference, note: string | undefined): Difference => (note ? { ...d, note } : d);

/**
 * A step the other run did not write: if its state machine made it and the projected duplicate
 * cleanup removed it, say so with the recorded rule.
 */
function cleanupNote(run: ConvertedTrajectory, key: string, label: 'with' | 'without'): string | undefined {
  const rule = removalRules(run).get(key);
  return rule === undefined ? undefined : `${label} dedupe this step was removed: ${rule}`;
}

/**
 * Per run, the key of every step its state machine made (see keyedSteps) with the rule of the first
 * decision about it, taken from the first conversion where the key has one: built once, as each of
 * the steps only one run has would otherwise search every step and decision.
 */
const rulesOfRuns = new WeakMap<ConvertedTrajectory, Map<string, string>>();
function removalRules(run: ConvertedTrajectory): Map<string, string> {
  let rules = rulesOfRuns.get(run);
  if (rules) return rules;
  rules = new Map();
  for (const conversion of run.result.conversions) {
    const firstDecision = new Map<ProducedStep['step'], string>();
    // A boundary is no removal: a user or system step the other run lacks is explained elsewhere or not at all.
    for (const d of conversion.toolSteps) if (d.rule !== 'TOOLSTEP_BOUNDARY' && !firstDecision.has(d.step)) firstDecision.set(d.step, d.rule);
    const all: ProducedStep[] = [...conversion.origins].map(([step, origin]) => ({ trajectoryId: conversion.trajectoryId, step, origin, conversion }));
    for (const [key, twin] of keyedSteps(all)) {
      const rule = firstDecision.get(twin.step);
      if (rule !== undefined && !rules.has(key)) rules.set(key, rule);
    }
  }
  rulesOfRuns.set(run, rules);
  return rules;
}
