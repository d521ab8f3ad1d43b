import type { Json } from '../json/value.js';
import { EXTRA_DROPPED, producedSteps, type ProducedStep } from '../explain/produced.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { childPath, diffJson, type Difference } from './json-diff.js';
import { keyedSteps, scalarFields, stepPaths, trajectoriesById, within, withoutStepId } from './run-paths.js';

/** Paths in the run without dedupe whose differences are already reported as removed steps or moved metrics. */
export interface Explained {
  removedStepPaths: ReadonlySet<string>;
  /** The metrics of the surviving steps that took metrics from the steps they suppressed. */
  survivorMetricPaths: ReadonlySet<string>;
}

/**
 * Everything else the dedupe pass changed (A = without, B = with): `final_metrics` apart, and the
 * rest — observation placement, reasoning effort, step extras. Steps are matched by the events that
 * produced them, which is exact where ancestry is not (a step can lose its extra).
 */
export function otherDifferences(withDedupe: ConvertedTrajectory, without: ConvertedTrajectory, explained: Explained): { finals: Difference[]; other: Difference[] } {
  const finals: Difference[] = [];
  const other: Difference[] = [];
  const [tWithout, tWith] = [trajectoriesById(without.trajectory), trajectoriesById(withDedupe.trajectory)];
  for (const [id, a] of tWithout) {
    const b = tWith.get(id);
    if (!b) {
      other.push({ path: a.path, kind: 'removed', a: a.trajectory as unknown as Json });
      continue;
    }
    const found: Difference[] = [];
    diffJson(scalarFields(a.trajectory), scalarFields(b.trajectory), a.path, found, b.path);
    for (const d of found) (within(d.path, childPath(a.path, 'final_metrics')) ? finals : other).push(d);
  }
  for (const [id, b] of tWith) if (!tWithout.has(id)) other.push({ path: b.path, kind: 'added', b: b.trajectory as unknown as Json });

  const [pathsWithout, pathsWith] = [stepPaths(without.trajectory), stepPaths(withDedupe.trajectory)];
  const withSteps = keyedSteps(producedSteps(withDedupe));
  const withByKey = new Map(withSteps);
  const matched = new Set<ProducedStep>();
  for (const [key, a] of keyedSteps(producedSteps(without))) {
    const pa = pathsWithout.get(a.step)!;
    const b = withByKey.get(key);
    if (!b) {
      if (!explained.removedStepPaths.has(pa)) other.push(noted({ path: pa, kind: 'removed', a: a.step as unknown as Json }, cleanupNote(withDedupe, key, 'with')));
      continue;
    }
    matched.add(b);
    const found: Difference[] = [];
    diffJson(withoutStepId(a.step), withoutStepId(b.step), pa, found, pathsWith.get(b.step)!);
    // A difference lies under its step, so only that step's own metrics can hold it (one lookup, not
    // a search of every survivor's: a long session has tens of thousands).
    const metrics = childPath(pa, 'metrics');
    const movedMetrics = explained.survivorMetricPaths.has(metrics);
    for (const d of found) {
      if (movedMetrics && within(d.path, metrics)) continue;
      const dropped = d.path === childPath(pa, 'extra') && a.origin?.kind === 'llm-end';
      other.push(noted(d, dropped ? `${EXTRA_DROPPED} ${d.kind === 'added' ? 'without' : 'with'} dedupe` : undefined));
    }
  }
  for (const [key, p] of withSteps) {
    if (!matched.has(p)) other.push(noted({ path: pathsWith.get(p.step)!, kind: 'added', b: p.step as unknown as Json }, cleanupNote(without, key, 'without')));
  }
  return { finals, other };
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
    for (const d of conversion.toolSteps) if (!firstDecision.has(d.step)) firstDecision.set(d.step, d.rule);
    const all: ProducedStep[] = [...conversion.origins].map(([step, origin]) => ({ trajectoryId: conversion.trajectoryId, step, origin, conversion }));
    for (const [key, twin] of keyedSteps(all)) {
      const rule = firstDecision.get(twin.step);
      if (rule !== undefined && !rules.has(key)) rules.set(key, rule);
    }
  }
  rulesOfRuns.set(run, rules);
  return rules;
}
