import type { Eligibility } from '../dedupe/candidates.js';
import type { PairDecision } from '../dedupe/pair.js';
import type { SpanState } from '../dedupe/pass.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { pushTo } from '../util/group-by.js';
import { producedSteps, type ProducedStep } from './produced.js';

/**
 * What the conversion did with a gateway call's LLM span, for `explain --request`: its dedupe state
 * (suppressed by which span, by which rule) and the steps it wrote, or the steps the projected tool-call
 * cleanup took out. Every field is a decision the conversion recorded (the dedupe pass's outcomes and
 * pair decisions, the step builder's origins and tool-step decisions), read here, never decided again.
 * Plain data: made where the conversion is (a `--jobs` worker too) and carried back as it is.
 */
export interface SpanConversion {
  /** The trajectory (top-level scope) the span was converted in. */
  trajectoryId: string;
  state: SpanState;
  eligibility: Eligibility;
  /** For SPAN_SUPPRESSED: each span that suppressed it, by which pair rule (and fix), and the steps that span wrote. */
  suppressedBy: Array<{ span: string; name: string; rule?: string; fix?: string; steps: WrittenStep[] }>;
  steps: WrittenStep[];
  /** Its steps the projected tool-call cleanup removed (TOOLSTEP_REMOVED_PROJECTED_DUPLICATE). */
  removedSteps: Array<{ trajectoryId: string; source: string; rule: string }>;
}

export interface WrittenStep {
  trajectoryId: string;
  stepId: number;
  source: string;
}

/**
 * The conversion of every LLM span of `c` that `wanted` names (the gateway calls' spans). One pass
 * over the written steps and the tool-step decisions, whatever the number of spans asked about.
 */
export function spanConversions(c: ConvertedTrajectory, wanted: (uuid: string) => boolean): Array<[uuid: string, conversion: SpanConversion]> {
  const dedupe = c.result.dedupe;
  const asked = dedupe.spans.filter((o) => wanted(o.span.uuid));
  if (asked.length === 0) return [];
  const names = new Map(dedupe.spans.map((o) => [o.span.uuid, o.span.name]));
  // Indexed once: searching every pair for each suppressed span was quadratic on a long session.
  const dropping = new Map<string, PairDecision[]>();
  for (const p of dedupe.pairs) if (p.suppressed !== undefined && p.canonical !== undefined) pushTo(dropping, p.suppressed, p);
  const written = stepsBySpan(producedSteps(c));
  const removed = new Map<string, SpanConversion['removedSteps']>();
  for (const conversion of c.result.conversions) {
    for (const d of conversion.toolSteps) {
      if (d.rule !== 'TOOLSTEP_REMOVED_PROJECTED_DUPLICATE') continue;
      const origin = conversion.origins.get(d.step);
      if (origin?.kind !== 'llm-end') continue;
      for (const uuid of origin.events) (removed.get(uuid) ?? removed.set(uuid, []).get(uuid)!).push({ trajectoryId: conversion.trajectoryId, source: d.step.source, rule: d.rule });
    }
  }
  return asked.map((o): [string, SpanConversion] => {
    const uuid = o.span.uuid;
    // The recorded decision that dropped this span for each suppressor (a chain may hold several).
    const suppressedBy = o.suppressedBy.map((by) => {
      const pair = dropping.get(uuid)?.find((p) => p.canonical === by);
      return { span: by, name: names.get(by) ?? '', rule: pair?.rule, fix: pair?.fix, steps: written.get(by) ?? [] };
    });
    return [uuid, { trajectoryId: c.sessionId, state: o.state, eligibility: o.span.eligibility, suppressedBy, steps: written.get(uuid) ?? [], removedSteps: removed.get(uuid) ?? [] }];
  });
}

/** Each LLM span's written steps (its user step from the start, its agent step from the end), in output order. */
function stepsBySpan(produced: readonly ProducedStep[]): Map<string, WrittenStep[]> {
  const out = new Map<string, WrittenStep[]>();
  for (const p of produced) {
    if (p.origin?.kind !== 'llm-start' && p.origin?.kind !== 'llm-end') continue;
    const step = { trajectoryId: p.trajectoryId, stepId: p.step.step_id, source: p.step.source };
    for (const uuid of p.origin.events) (out.get(uuid) ?? out.set(uuid, []).get(uuid)!).push(step);
  }
  return out;
}
