import type { AtofEvent } from '../ingest/atof.js';
import { fillMissingMetrics, metricsConflict, type Metrics } from '../providers/usage.js';
import { pushTo } from '../util/group-by.js';
import { collectLlmSpans, type CandidateOptions, type LlmSpan, type SpanCandidate } from './candidates.js';
import { passOnChainedMetrics } from './chain.js';
import { compareCandidates } from './order.js';
import { matchablePairs } from './matchable-pairs.js';
import { decidePair, withMetricsPassedOn, type MetricsPassedOn, type PairDecision, type PairOptions } from './pair.js';
import { separateRounds } from './rounds.js';

export { compareCandidates };

export type SpanState = 'SPAN_NOT_CANDIDATE' | 'SPAN_UNMATCHED' | 'SPAN_KEPT_TIED' | 'SPAN_SURVIVOR' | 'SPAN_SUPPRESSED';

export type WarningCode =
  | 'W_MULTI_MATCH'
  | 'W_METRICS_LOST'
  | 'W_METRICS_ORDER_DEPENDENT'
  | 'W_SURVIVOR_NON_EXACT'
  | 'W_TOUCHING_OVERLAP'
  | 'W_HOOK_AND_GATEWAY'
  | 'W_INVERTED_WINDOW'
  | 'W_SUPPRESSED_TOOL_CALLS_IN_CORRELATION'
  | 'W_DUPLICATE_EVENT';

export interface SpanOutcome {
  span: LlmSpan;
  state: SpanState;
  suppressedBy: readonly string[];
  absorbed: readonly string[];
  /** dedupe-chain-metrics: this suppressed span's absorbed metrics went on to its suppressors instead of being lost. */
  metricsPassedOn?: MetricsPassedOn;
  warnings: readonly WarningCode[];
}

/** Everything the dedupe pass decided, as data. */
export interface DedupeResult {
  spans: SpanOutcome[];
  /**
   * The decisions of the pairs that matched (had a basis: the only pairs that can merge or tie), after
   * the review of several decisions at once, in evaluation order. Every other pair is kept apart by a
   * rule that reads its two spans alone: `decidePair` gives its decision (see matchable-pairs.ts).
   */
  pairs: PairDecision[];
  suppressed: Set<string>;
  /** Metrics a surviving span takes from the spans it suppressed (fill-missing). */
  supplemental: Map<string, Metrics>;
}

/** How the pass folds decisions into suppression and metrics. */
export interface SummaryOptions {
  /** dedupe-chain-metrics: metrics of a suppressed survivor pass on to its suppressors. */
  chainMetrics?: boolean;
}

/** Everything that changes the pass; the seed's behaviour when empty. */
export interface DedupeOptions extends PairOptions, CandidateOptions, SummaryOptions {
  /** When false, no span is suppressed (the `--no-dedupe` view); decisions are still recorded. */
  enabled?: boolean;
  /** dedupe-cross-round: a span matches at most one of two partners that do not overlap each other. */
  crossRound?: boolean;
}

/**
 * The dedupe pass over a timestamp-sorted event list. Only the pairs that can match are decided (the
 * others cannot change what is suppressed, and `explain` decides them when it shows them).
 */
export function runDedupe(events: readonly AtofEvent[], opts: DedupeOptions = {}): DedupeResult {
  const spans = collectLlmSpans(events, opts);
  const candidates: SpanCandidate[] = [];
  for (const s of spans) if (s.candidate) candidates.push(s.candidate);
  const pairs: PairDecision[] = [];
  for (const [l, r] of matchablePairs(candidates)) {
    const decision = decidePair(l, r, opts);
    if (decision.basis !== undefined) pairs.push(decision);
  }
  return summarize(spans, reviewPairs(pairs, candidates, opts), opts.enabled !== false, opts);
}

/**
 * The fixes that look at several decisions at once, applied to the per-pair decisions (the matched
 * ones, or any list of pairs: those without a basis pass through unchanged).
 */
export function reviewPairs(pairs: PairDecision[], candidates: readonly SpanCandidate[], opts: DedupeOptions): PairDecision[] {
  if (!opts.crossRound) return pairs;
  return separateRounds(pairs, new Map(candidates.map((c) => [c.uuid, c])));
}

/** The empty list most spans share in their outcome (one fewer object kept per span). */
const NONE: readonly never[] = Object.freeze([]);

/** Folds pair decisions into span states, the suppressed set and supplemental metrics. */
export function summarize(spans: LlmSpan[], decided: PairDecision[], enabled = true, opts: SummaryOptions = {}): DedupeResult {
  const byUuid = new Map<string, LlmSpan>();
  for (const s of spans) byUuid.set(s.uuid, s);
  const suppressed = new Set<string>();
  const supplemental = new Map<string, Metrics>();
  const suppressedBy = new Map<string, string[]>();
  const partnerCount = new Map<string, number>();
  const absorbed = new Map<string, string[]>();
  const conflicts = new Set<string>();
  const tied = new Set<string>();
  const touching = new Set<string>();
  const canonicals = new Set<string>();
  /** Spans that suppressed an exact one (for W_SURVIVOR_NON_EXACT). */
  const beatExact = new Set<string>();
  for (const p of decided) {
    if (p.rule === 'KEPT_EQUAL_FIDELITY') [p.left, p.right].forEach((u) => tied.add(u));
    if (!p.basis) continue;
    for (const u of [p.left, p.right]) {
      partnerCount.set(u, (partnerCount.get(u) ?? 0) + 1);
      if (p.checks.overlap?.touching) touching.add(u);
    }
    if (!p.suppressed || !p.canonical || !enabled) continue;
    suppressed.add(p.suppressed);
    canonicals.add(p.canonical);
    pushTo(suppressedBy, p.suppressed, p.canonical);
    const loser = byUuid.get(p.suppressed)?.candidate;
    if (loser && !loser.nonExact) beatExact.add(p.canonical);
    const m = loser?.endMetrics;
    if (m) {
      const entry = supplemental.get(p.canonical) ?? {};
      if (supplemental.has(p.canonical) && metricsConflict(entry, m)) conflicts.add(p.canonical);
      fillMissingMetrics(entry, m);
      supplemental.set(p.canonical, entry);
      pushTo(absorbed, p.canonical, p.suppressed);
    }
  }
  let pairs = decided;
  let passedOn: ReadonlyMap<string, MetricsPassedOn> | undefined;
  if (enabled && opts.chainMetrics) {
    const endMetrics = (uuid: string) => byUuid.get(uuid)?.candidate?.endMetrics;
    const chained = passOnChainedMetrics({ suppressedBy, supplemental, absorbed, conflicts, endMetrics });
    passedOn = chained.spans;
    // A note on where metrics went, not a fix tag: no verdict changed (README: a tag names the fix that changed a decision).
    pairs = decided.map((p) => {
      const note = chained.pairs(p);
      return note ? withMetricsPassedOn(p, note) : p;
    });
  }
  const outcomes: SpanOutcome[] = spans.map((span) => {
    const c = span.candidate;
    const warnings: WarningCode[] = [];
    if (span.startCount > 1 || span.endCount > 1) warnings.push('W_DUPLICATE_EVENT');
    let state: SpanState;
    if (!c) state = 'SPAN_NOT_CANDIDATE';
    else if (suppressed.has(span.uuid)) state = 'SPAN_SUPPRESSED';
    else if (canonicals.has(span.uuid)) state = 'SPAN_SURVIVOR';
    else if (tied.has(span.uuid)) state = 'SPAN_KEPT_TIED';
    else state = 'SPAN_UNMATCHED';
    if (c) {
      if ((partnerCount.get(span.uuid) ?? 0) > 1) warnings.push('W_MULTI_MATCH');
      if (state === 'SPAN_SUPPRESSED' && supplemental.has(span.uuid)) warnings.push('W_METRICS_LOST');
      if (conflicts.has(span.uuid)) warnings.push('W_METRICS_ORDER_DEPENDENT');
      if (state === 'SPAN_SURVIVOR' && c.nonExact && beatExact.has(span.uuid)) warnings.push('W_SURVIVOR_NON_EXACT');
      if (touching.has(span.uuid)) warnings.push('W_TOUCHING_OVERLAP');
      if (c.hook && c.gateway) warnings.push('W_HOOK_AND_GATEWAY');
      if (c.endTs < c.startTs) warnings.push('W_INVERTED_WINDOW');
      if (state === 'SPAN_SUPPRESSED' && c.endHasToolCalls) warnings.push('W_SUPPRESSED_TOOL_CALLS_IN_CORRELATION');
    }
    const note = passedOn?.get(span.uuid);
    const outcome: SpanOutcome = {
      span,
      state,
      suppressedBy: suppressedBy.get(span.uuid) ?? NONE,
      absorbed: absorbed.get(span.uuid) ?? NONE,
      warnings: warnings.length > 0 ? warnings : NONE,
    };
    if (note) outcome.metricsPassedOn = note;
    return outcome;
  });
  return { spans: outcomes, pairs, suppressed, supplemental };
}
