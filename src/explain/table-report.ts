import type { Eligibility } from '../dedupe/candidates.js';
import type { MetricsPassedOn, PairDecision } from '../dedupe/pair.js';
import { compareCandidates, type SpanOutcome, type SpanState } from '../dedupe/pass.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { sourceOf, type SpanSource } from './facts.js';
import { windowJson } from './format.js';
import { checksJson, countRules, MAX_LISTED_PAIRS, sameParentPairCount, sameParentPairs, sameParentRuleCounts, type ChecksJson } from './pairs.js';
import { EXTRA_DROPPED, extraDroppedSpans } from './produced.js';

/** One LLM span in the overview; candidate-only fields are absent for non-candidates. */
export interface SpanRow {
  span: string;
  short: string;
  name: string;
  eligibility: Eligibility;
  state: SpanState;
  source?: SpanSource;
  model?: string | null;
  window?: ReturnType<typeof windowJson>;
  fidelity?: number;
  suppressed_by: string[];
  absorbed_from: string[];
  warnings: string[];
}

/** A recorded pair decision as JSON: the rule and the values each predicate compared. */
export interface PairOutcomeJson {
  rule: string;
  basis?: string;
  suppressed?: string;
  canonical?: string;
  fix?: string;
  checks: ChecksJson;
  /** dedupe-chain-metrics moved the suppressed span's metrics on past the canonical span (the verdict is the profile's own). */
  metrics_passed_on?: { fix: string; to: string[] };
}

export interface PairRow extends PairOutcomeJson {
  left: string;
  right: string;
}

export interface TrajectoryOverview {
  session_id: string;
  mode: 'tree' | 'flat';
  /** The trajectory ids this conversion produced (root first), for --step --trajectory. */
  trajectory_ids: string[];
  spans: SpanRow[];
  /**
   * Every pair past the parent check, in evaluation order; past {@link MAX_LISTED_PAIRS} of them, only
   * those that matched, and of those at most the first MAX_LISTED_PAIRS (the others are in
   * `rule_counts`, `unlisted_pairs` and `unlisted_matched_pairs`).
   */
  pairs: PairRow[];
  /** Pairs past the parent check per rule, listed or not. */
  rule_counts: Record<string, number>;
  /**
   * Present when pairs are left out of `pairs`: how many. They are kept apart by a rule that reads the
   * two spans alone, except the matched ones counted in `unlisted_matched_pairs`.
   */
  unlisted_pairs?: number;
  /**
   * Present when matched pairs are left out too: a burst of k identical calls in flight at once matches
   * in k² / 2 pairs (2,000 calls: 2 million rows). `explain --span` lists any span's.
   */
  unlisted_matched_pairs?: number;
}

/** Candidates in evaluation order first, then the spans that never were candidates, in input order. */
function orderedOutcomes(spans: readonly SpanOutcome[]): SpanOutcome[] {
  const candidates = spans.filter((o) => o.span.candidate).sort((a, b) => compareCandidates(a.span.candidate!, b.span.candidate!));
  return [...candidates, ...spans.filter((o) => !o.span.candidate)];
}

export function spanRow(o: SpanOutcome, shortOf: (uuid: string) => string, extraDropped: ReadonlySet<string> = new Set()): SpanRow {
  const row: SpanRow = {
    span: o.span.uuid,
    short: shortOf(o.span.uuid),
    name: o.span.name,
    eligibility: o.span.eligibility,
    state: o.state,
    suppressed_by: [...o.suppressedBy],
    absorbed_from: [...o.absorbed],
    warnings: extraDropped.has(o.span.uuid) ? [...o.warnings, EXTRA_DROPPED] : [...o.warnings],
  };
  const c = o.span.candidate;
  if (c) {
    row.source = sourceOf(c);
    row.model = c.modelName ?? null;
    row.window = windowJson(c.startTs, c.endTs);
    row.fidelity = c.score;
  }
  return row;
}

export function pairRow(p: PairDecision): PairRow {
  const row: PairRow = { left: p.left, right: p.right, rule: p.rule, checks: checksJson(p.checks) };
  return withOutcome(row, p);
}

/** A row with the decision's outcome fields added (no undefined). */
export function withOutcome<T extends PairOutcomeJson>(row: T, p: PairDecision): T {
  if (p.basis) row.basis = p.basis;
  if (p.suppressed) row.suppressed = p.suppressed;
  if (p.canonical) row.canonical = p.canonical;
  if (p.fix) row.fix = p.fix;
  if (p.metricsPassedOn) row.metrics_passed_on = metricsPassedOnJson(p.metricsPassedOn);
  return row;
}

export const metricsPassedOnJson = (m: MetricsPassedOn): { fix: string; to: string[] } => ({ fix: m.fix, to: [...m.to] });

/** A trajectory's rows; `shortOf` gives each span's short id (or what stands for it until it is known). */
export function trajectoryOverview(c: ConvertedTrajectory, shortOf: (uuid: string) => string): TrajectoryOverview {
  const dedupe = c.result.dedupe;
  const total = sameParentPairCount(dedupe);
  // Listed pairs are counted as listed; past the listing, the pairs the pass recorded are every
  // matched one (already in evaluation order), listed up to the same limit, and the others are counted
  // without being decided.
  const listed = total <= MAX_LISTED_PAIRS;
  const matched = dedupe.pairs;
  const pairs = listed ? sameParentPairs(dedupe) : matched.length > MAX_LISTED_PAIRS ? matched.slice(0, MAX_LISTED_PAIRS) : matched;
  const ruleCounts = listed ? countRules(pairs) : sameParentRuleCounts(dedupe);
  const extraDropped = extraDroppedSpans(c);
  const overview: TrajectoryOverview = {
    session_id: c.sessionId,
    mode: c.result.mode,
    trajectory_ids: trajectoryIds(c),
    spans: orderedOutcomes(dedupe.spans).map((o) => spanRow(o, shortOf, extraDropped)),
    pairs: pairs.map(pairRow),
    rule_counts: ruleCounts,
  };
  if (pairs.length < total) overview.unlisted_pairs = total - pairs.length;
  if (!listed && pairs.length < matched.length) overview.unlisted_matched_pairs = matched.length - pairs.length;
  return overview;
}

/** Root first (the session id), then subagents in the order the exporter finished them. */
export function trajectoryIds(c: ConvertedTrajectory): string[] {
  const ids = c.result.conversions.map((conv) => conv.trajectoryId);
  const root = ids.indexOf(c.sessionId);
  return root <= 0 ? ids : [c.sessionId, ...ids.filter((_, i) => i !== root)];
}

/** Whether `c` is the conversion that produced trajectory `id`: its session id, or one of its trajectory ids (`ids`). */
export function producedTrajectory(c: ConvertedTrajectory, id: string, ids: readonly string[] = trajectoryIds(c)): boolean {
  return c.sessionId === id || ids.includes(id);
}
