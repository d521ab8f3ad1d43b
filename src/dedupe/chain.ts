import { fillMissingMetrics, metricsConflict, type Metrics } from '../providers/usage.js';
import type { MetricsPassedOn, PairDecision } from './pair.js';
import { AbsorbedLists } from './absorbed-lists.js';

/** The state `summarize` folds pair decisions into, shared with the chain pass. */
export interface MetricsFold {
  /** Suppressed span → the spans that suppressed it, in pair order. */
  suppressedBy: ReadonlyMap<string, readonly string[]>;
  /** Span → metrics it took from the spans it suppressed. */
  supplemental: Map<string, Metrics>;
  /** Span → the spans whose metrics it took (lists grow here: see absorbed-lists.ts). */
  absorbed: Map<string, string[]>;
  /** Spans that took conflicting values from two partners. */
  conflicts: Set<string>;
  /** A span's own end metrics. */
  endMetrics: (uuid: string) => Metrics | undefined;
}

/**
 * `dedupe-chain-metrics` (atif-dedupe.md §5 E1). At the seed, metrics a span takes from the spans it
 * suppressed are lost when it is suppressed itself (W_METRICS_LOST). Here they are passed on, by
 * the same fill-missing rule, to every span that suppressed it, until they reach a survivor. What
 * travels is what the span's own agent step would have shown: its own values first, then what it
 * absorbed (its own values already reached its suppressors, so they are no new conflict there).
 * Suppression always points to a higher-ranked span, so the graph has no cycle; spans are handled
 * once all their own suppressed spans have passed their metrics on (Kahn's order, no recursion).
 * Returns, per span whose absorbed metrics were passed on, where they went (`spans`), and per decision
 * whose suppressed span's metrics travelled on past its canonical span, the same note (`pairs`: a test
 * rather than a list of them: in a burst of identical calls that would be every one of k² / 2
 * decisions). Notes are shared per canonical span. No verdict changes here: only where metrics go.
 */
export function passOnChainedMetrics(fold: MetricsFold): PassedOn {
  const { suppressedBy, supplemental, absorbed, conflicts, endMetrics } = fold;
  const waiting = new Map<string, number>();
  for (const suppressors of suppressedBy.values()) {
    for (const c of suppressors) if (suppressedBy.has(c)) waiting.set(c, (waiting.get(c) ?? 0) + 1);
  }
  const queue = [...suppressedBy.keys()].filter((s) => !waiting.get(s));
  const passedOn = new Map<string, MetricsPassedOn>();
  const lists = new AbsorbedLists(absorbed, suppressedBy);
  for (let i = 0; i < queue.length; i++) {
    const s = queue[i];
    const absorbedHere = supplemental.get(s);
    const entry = absorbedHere && effectiveMetrics(endMetrics(s), absorbedHere);
    for (const c of suppressedBy.get(s) ?? []) {
      if (entry) {
        const into = supplemental.get(c) ?? {};
        if (supplemental.has(c) && metricsConflict(into, entry)) conflicts.add(c);
        fillMissingMetrics(into, entry);
        supplemental.set(c, into);
        lists.merge(c, s);
      }
      if (!suppressedBy.has(c)) continue;
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) queue.push(c);
    }
    if (entry) {
      supplemental.delete(s); // it reached the suppressors: nothing is lost in this span any more
      passedOn.set(s, Object.freeze({ fix: 'dedupe-chain-metrics', to: suppressedBy.get(s)! }));
    }
  }
  return {
    spans: passedOn,
    pairs: (p) => {
      const note = p.canonical === undefined ? undefined : passedOn.get(p.canonical);
      return note && lists.has(p.canonical!, p.suppressed!) ? note : undefined;
    },
  };
}

/** Where dedupe-chain-metrics sent metrics: per span that passed what it absorbed on, and per decision. */
export interface PassedOn {
  spans: ReadonlyMap<string, MetricsPassedOn>;
  pairs: (p: PairDecision) => MetricsPassedOn | undefined;
}

/** What a suppressed span's agent step would have shown: its own metrics, gaps filled from what it absorbed. */
function effectiveMetrics(own: Metrics | undefined, absorbed: Metrics): Metrics {
  const m: Metrics = {};
  if (own) fillMissingMetrics(m, own);
  fillMissingMetrics(m, absorbed);
  return m;
}
