import { metricsPassedOnJson, withOutcome, type PairOutcomeJson } from './table-report.js';
import type { LlmSpan } from '../dedupe/candidates.js';
import type { PairDecision } from '../dedupe/pair.js';
import type { SpanOutcome, SpanState } from '../dedupe/pass.js';
import type { Json } from '../json/value.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { metricsJson, spanFacts, type SpanFacts } from './facts.js';
import { checksJson, crossParentOverlaps, sameParentPairs } from './pairs.js';
import { EXTRA_DROPPED, extraDroppedSpans, producedSteps, stepsOfSpan } from './produced.js';

export interface SpanPairJson extends PairOutcomeJson {
  other: string;
  other_name: string;
  /** Which side of the recorded decision this span is (its checks are written left/right). */
  side: 'left' | 'right';
}

export interface SpanReport {
  kind: 'llm';
  span: string;
  short: string;
  name: string;
  session_id: string;
  eligibility: LlmSpan['eligibility'];
  state: SpanState;
  events: { starts: number; ends: number };
  facts: SpanFacts | null;
  /** Decisions against every other candidate under the same parent, in evaluation order. */
  pairs: SpanPairJson[];
  /** Overlapping candidates under another parent (or without one): never merged, and why. */
  other_parents: SpanPairJson[];
  suppressed_by: string[];
  metrics: {
    end: Json | null;
    /** What this span took from the spans it suppressed (fill-missing; its own values win). */
    supplemental: Json | null;
    absorbed_from: string[];
    /** Its end metrics were offered to these suppressors (fill-missing). */
    given_to: string[];
    /** Metrics it absorbed although it was suppressed itself: they reach no step (W_METRICS_LOST). */
    lost: Json | null;
    /** Metrics it absorbed although it was suppressed itself, passed on to its suppressors by dedupe-chain-metrics. */
    passed_on: { fix: string; to: string[] } | null;
    /**
     * Of `given_to`, the spans suppressed in their turn (a chain), and what became of what they took:
     * passed on (`to`, by dedupe-chain-metrics) or lost there (`to` empty: W_METRICS_LOST on `via`).
     * Absent when every span it gave its metrics to is in the output.
     */
    given_on?: Array<{ via: string; to: string[]; fix?: string }>;
  };
  warnings: string[];
  steps: Array<{ trajectory_id: string; step_id: number; source: string }>;
  /**
   * Its steps that the projected tool-call cleanup took out of the output (TOOLSTEP_REMOVED_PROJECTED_DUPLICATE),
   * with the metrics they held, which reach no step and no total (atif-dedupe.md §2.8, E15); absent when none.
   */
  removed_steps?: Array<{ trajectory_id: string; source: string; rule: string; metrics: Json | null }>;
}

/** The steps of an LLM span that the projected tool-call cleanup removed (the origin map still holds them). */
function removedByCleanup(c: ConvertedTrajectory, uuid: string): NonNullable<SpanReport['removed_steps']> {
  const out: NonNullable<SpanReport['removed_steps']> = [];
  for (const conversion of c.result.conversions) {
    for (const d of conversion.toolSteps) {
      if (d.rule !== 'TOOLSTEP_REMOVED_PROJECTED_DUPLICATE') continue;
      const origin = conversion.origins.get(d.step);
      if (origin?.kind !== 'llm-end' || !origin.events.includes(uuid)) continue;
      out.push({ trajectory_id: conversion.trajectoryId, source: d.step.source, rule: d.rule, metrics: metricsJson(d.step.metrics) });
    }
  }
  return out;
}

export function spanReport(c: ConvertedTrajectory, outcome: SpanOutcome, short: ReadonlyMap<string, string>): SpanReport {
  const { span } = outcome;
  const cand = span.candidate;
  const dedupe = c.result.dedupe;
  const byUuid = new Map(dedupe.spans.map((o) => [o.span.uuid, o.span]));
  const asRow = (p: PairDecision): SpanPairJson => {
    const side = p.left === span.uuid ? 'left' : 'right';
    const otherUuid = side === 'left' ? p.right : p.left;
    const other = byUuid.get(otherUuid)!;
    const [left, right] = side === 'left' ? [cand!, other.candidate!] : [other.candidate!, cand!];
    return withOutcome<SpanPairJson>({ other: otherUuid, other_name: other.name, side, rule: p.rule, checks: checksJson(p.checks, { left, right }) }, p);
  };
  const pairs = cand ? sameParentPairs(dedupe, span.uuid).map(asRow) : [];
  const otherParents = cand ? crossParentOverlaps(dedupe, span.uuid).map(asRow) : [];
  const supplemental = dedupe.supplemental.get(span.uuid);
  const suppressed = outcome.state === 'SPAN_SUPPRESSED';
  const produced = producedSteps(c);
  const steps = stepsOfSpan(produced, span.uuid);
  const warnings: string[] = [...outcome.warnings];
  if (extraDroppedSpans(c).has(span.uuid)) warnings.push(EXTRA_DROPPED);
  const removed = removedByCleanup(c, span.uuid);
  const outcomes = new Map(dedupe.spans.map((o) => [o.span.uuid, o]));
  const givenTo = cand?.endMetrics && suppressed ? [...outcome.suppressedBy] : [];
  const givenOn = givenTo.flatMap((via) => {
    const o = outcomes.get(via);
    if (o?.state !== 'SPAN_SUPPRESSED') return [];
    return [o.metricsPassedOn ? { via, to: [...o.metricsPassedOn.to], fix: o.metricsPassedOn.fix } : { via, to: [] }];
  });
  const report: SpanReport = {
    kind: 'llm',
    span: span.uuid,
    short: short.get(span.uuid) ?? span.uuid,
    name: span.name,
    session_id: c.sessionId,
    eligibility: span.eligibility,
    state: outcome.state,
    events: { starts: span.startCount, ends: span.endCount },
    facts: cand ? spanFacts(cand) : null,
    pairs,
    other_parents: otherParents,
    suppressed_by: [...outcome.suppressedBy],
    metrics: {
      end: metricsJson(cand?.endMetrics),
      supplemental: suppressed ? null : metricsJson(supplemental),
      absorbed_from: [...outcome.absorbed],
      given_to: givenTo,
      lost: suppressed ? metricsJson(supplemental) : null,
      passed_on: outcome.metricsPassedOn ? metricsPassedOnJson(outcome.metricsPassedOn) : null,
    },
    warnings,
    steps: steps.map((s) => ({ trajectory_id: s.trajectoryId, step_id: s.step.step_id, source: s.step.source })),
  };
  if (removed.length > 0) report.removed_steps = removed;
  if (givenOn.length > 0) report.metrics.given_on = givenOn;
  return report;
}
