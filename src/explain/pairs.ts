import { candidatesByParent, type SpanCandidate } from '../dedupe/candidates.js';
import { countOverlapping, rankWindows, type RankedWindow } from '../dedupe/overlap-count.js';
import { decidePair, hookSide, isGatewaySpan, isNonExactHook, type PairChecks, type PairDecision, type PairRule } from '../dedupe/pair.js';
import { compareCandidates, type DedupeResult } from '../dedupe/pass.js';
import { groupBy } from '../util/group-by.js';

/** The pair rules of atif-dedupe.md §3.2 in table order (the order of the per-rule counts). */
export const PAIR_RULES: readonly PairRule[] = [
  'KEPT_NO_PARENT',
  'KEPT_PARENT_MISMATCH',
  'KEPT_MODEL_MISMATCH',
  'KEPT_NO_OVERLAP',
  'KEPT_NOT_COMPLEMENTARY',
  'KEPT_NO_SHARED_KEY',
  'KEPT_EQUAL_FIDELITY',
  'KEPT_CROSS_ROUND',
  'MERGED_SAME_PAYLOAD',
  'MERGED_COMPLEMENTARY_REQUEST_SIGNATURE',
  'MERGED_COMPLEMENTARY_CORRELATION_KEY',
];

export function candidatesOf(dedupe: DedupeResult): SpanCandidate[] {
  return dedupe.spans.flatMap((o) => (o.span.candidate ? [o.span.candidate] : []));
}

function byParent(dedupe: DedupeResult): Map<string, SpanCandidate[]> {
  return candidatesByParent(candidatesOf(dedupe));
}

/**
 * Past this many same-parent pairs in one trajectory, the overview lists only the pairs that matched
 * (those the pass recorded: the only ones that can merge or tie) and counts the others per rule. A
 * long session under one agent has n² / 2 pairs: 100,000 LLM calls would be 5 billion rows.
 */
export const MAX_LISTED_PAIRS = 10_000;

/**
 * Every pair of candidates under one parent (the pairs that get past the parent check), in
 * evaluation order: by left span, then right span, each in (start, end, uuid) order. With `only`,
 * the pairs of that span (one pass over its parent's candidates, not over every pair).
 *
 * The pass records decisions only for the pairs that matched (the only ones that can merge or tie).
 * Those are used as recorded; the others are decided here with the same pure `decidePair`: nothing
 * but their two spans decides them, so no fix or option of the pass can change their outcome.
 */
export function sameParentPairs(dedupe: DedupeResult, only?: string): PairDecision[] {
  const recorded = new Map(dedupe.pairs.map((p) => [`${p.left} ${p.right}`, p]));
  const decided = (l: SpanCandidate, r: SpanCandidate) => ({ l, r, d: recorded.get(`${l.uuid} ${r.uuid}`) ?? decidePair(l, r) });
  const out: Array<ReturnType<typeof decided>> = [];
  const groups = byParent(dedupe);
  if (only !== undefined) {
    const me = candidatesOf(dedupe).find((c) => c.uuid === only);
    for (const o of (me?.parentUuid !== undefined && groups.get(me.parentUuid)) || []) {
      if (o !== me) out.push(compareCandidates(me!, o) < 0 ? decided(me!, o) : decided(o, me!));
    }
  } else {
    for (const list of groups.values()) {
      list.sort(compareCandidates);
      for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) out.push(decided(list[i], list[j]));
    }
  }
  out.sort((a, b) => compareCandidates(a.l, b.l) || compareCandidates(a.r, b.r));
  return out.map((x) => x.d);
}

/** How many pairs get past the parent check: n(n-1)/2 for the n candidates under each parent. */
export function sameParentPairCount(dedupe: DedupeResult): number {
  let total = 0;
  for (const list of byParent(dedupe).values()) total += (list.length * (list.length - 1)) / 2;
  return total;
}

/** Decisions per rule, in the §3.2 order (rules without a decision left out). */
export function countRules(pairs: readonly PairDecision[]): Record<string, number> {
  const n = new Map<PairRule, number>();
  for (const p of pairs) n.set(p.rule, (n.get(p.rule) ?? 0) + 1);
  const counts: Record<string, number> = {};
  for (const rule of PAIR_RULES) if (n.has(rule)) counts[rule] = n.get(rule)!;
  return counts;
}

/**
 * Pairs per rule over every same-parent pair, in the §3.2 order, without listing them (for a
 * trajectory with more pairs than are worth listing; otherwise {@link countRules} of the list). The
 * pass recorded the matched pairs (by their rule, after any review); every other pair is decided by its
 * two spans alone, in `decidePair`'s order, so each rule's share is a count:
 * - KEPT_MODEL_MISMATCH: both models known and different (counted per model);
 * - KEPT_NO_OVERLAP: the other pairs whose windows do not overlap;
 * - the overlapping ones reach the payload check; those not recorded are KEPT_NO_SHARED_KEY when
 *   complementary (a non-exact hook span and a gateway span), else KEPT_NOT_COMPLEMENTARY.
 * Overlapping pairs are counted per set of spans with {@link countOverlapping}. The same counts as
 * tallying {@link sameParentPairs} (test/explain-scale.test.ts checks that), in O(n log n) time: a burst
 * of concurrent calls under one agent has n² / 2 overlapping pairs.
 */
export function sameParentRuleCounts(dedupe: DedupeResult): Record<string, number> {
  const n: Partial<Record<PairRule, number>> = {};
  const add = (rule: PairRule, k: number) => void (n[rule] = (n[rule] ?? 0) + k);
  for (const list of byParent(dedupe).values()) {
    const ranked = rankWindows(list);
    const spans: CountedSpan[] = list.map((c, i) => ({ window: ranked[i], model: c.modelName, hook: isNonExactHook(c), gateway: isGatewaySpan(c) }));
    const pairs = (list.length * (list.length - 1)) / 2;
    const mismatched = modelMismatches(spans);
    const overlapping = compatibleOverlaps(spans);
    const complementary = complementaryOverlaps(spans);
    add('KEPT_MODEL_MISMATCH', mismatched);
    add('KEPT_NO_OVERLAP', pairs - mismatched - overlapping);
    add('KEPT_NOT_COMPLEMENTARY', overlapping - complementary);
    add('KEPT_NO_SHARED_KEY', complementary);
  }
  // The recorded pairs overlap and their models agree: each takes its own rule instead.
  const byUuid = new Map(candidatesOf(dedupe).map((c) => [c.uuid, c]));
  for (const p of dedupe.pairs) {
    add(p.rule, 1);
    add(hookSide(byUuid.get(p.left)!, byUuid.get(p.right)!) ? 'KEPT_NO_SHARED_KEY' : 'KEPT_NOT_COMPLEMENTARY', -1);
  }
  const counts: Record<string, number> = {};
  for (const rule of PAIR_RULES) if ((n[rule] ?? 0) > 0) counts[rule] = n[rule]!;
  return counts;
}

/** What the per-rule counts read of a span: its window (ranked), its model, its hook/gateway side. */
interface CountedSpan {
  window: RankedWindow;
  model?: string;
  /** A non-exact hook span. */
  hook: boolean;
  gateway: boolean;
}

/** Pairs whose models are both known and different: all pairs of spans with a model, less those of one model. */
function modelMismatches(spans: readonly CountedSpan[]): number {
  let known = 0;
  let same = 0;
  for (const group of byModel(spans).values()) {
    known += group.length;
    same += (group.length * (group.length - 1)) / 2;
  }
  return (known * (known - 1)) / 2 - same;
}

const overlaps = (spans: readonly CountedSpan[]) => countOverlapping(spans.map((s) => s.window));

/**
 * Overlapping pairs whose models agree (either unknown, or the same): all overlapping pairs, less
 * those of two known models, which are all overlapping pairs of known models less those of one model.
 */
function compatibleOverlaps(spans: readonly CountedSpan[]): number {
  const groups = [...byModel(spans).values()];
  // One model or none: no two known models differ.
  if (groups.length < 2) return overlaps(spans);
  let sameModel = 0;
  for (const group of groups) sameModel += overlaps(group);
  return overlaps(spans) - overlaps(groups.flat()) + sameModel;
}

/**
 * Overlapping, model-compatible pairs that are complementary: one side a non-exact hook span (H), the
 * other a gateway span (G). With X = H ∩ G, Y = H only, Z = G only, those are the pairs within X and
 * across X–Y, X–Z and Y–Z; a count across two sets is that of their union less each one's.
 */
function complementaryOverlaps(spans: readonly CountedSpan[]): number {
  const x = spans.filter((s) => s.hook && s.gateway);
  const y = spans.filter((s) => s.hook && !s.gateway);
  const z = spans.filter((s) => !s.hook && s.gateway);
  const across = (a: CountedSpan[], b: CountedSpan[]) => (a.length === 0 || b.length === 0 ? 0 : compatibleOverlaps([...a, ...b]) - compatibleOverlaps(a) - compatibleOverlaps(b));
  return compatibleOverlaps(x) + across(x, y) + across(x, z) + across(y, z);
}

function byModel(spans: readonly CountedSpan[]): Map<string, CountedSpan[]> {
  return groupBy(spans, (s) => s.model);
}

/**
 * The candidates a span was never really compared with although their windows overlap its own:
 * those under another parent (or with none on either side). Their decision, from `decidePair`, is
 * KEPT_NO_PARENT or KEPT_PARENT_MISMATCH; they answer "why was this not merged with that?" (E6).
 * The window test only chooses what to show; it decides nothing.
 */
export function crossParentOverlaps(dedupe: DedupeResult, uuid: string): PairDecision[] {
  const all = candidatesOf(dedupe);
  const me = all.find((c) => c.uuid === uuid);
  if (!me) return [];
  const overlaps = (o: SpanCandidate) => me.startTs <= o.endTs && o.startTs <= me.endTs;
  return all
    .filter((o) => o !== me && (me.parentUuid === undefined || o.parentUuid !== me.parentUuid) && overlaps(o))
    .sort(compareCandidates)
    .map((o) => (compareCandidates(me, o) < 0 ? decidePair(me, o) : decidePair(o, me)));
}

export interface ChecksJson {
  parent: { pass: boolean; left: string | null; right: string | null };
  model?: { pass: boolean; left: string | null; right: string | null };
  overlap?: { pass: boolean; gap_ns: string; touching: boolean };
  payload?: {
    pass: boolean;
    request_equal: boolean;
    response_equal: boolean;
    request?: { left: string; right: string };
    response?: { left: string; right: string };
  };
  complementary?: {
    pass: boolean;
    reason?: string;
    hook_side?: 'left' | 'right';
    left?: FlagsJson;
    right?: FlagsJson;
  };
  evidence?: { request_signature: boolean; shared_keys: string[]; left_keys?: string[]; right_keys?: string[] };
  fidelity?: { left: number; right: number };
  /** dedupe-cross-round: the partner this pair gave way to. */
  rounds?: { pass: boolean; kept_with: string };
  /** dedupe-tie-break (only when the fix is on, on a tie): broken (the side kept, by which rule) or why not, with the values compared. */
  tie_break?: {
    pass: boolean;
    fix: 'dedupe-tie-break';
    kept?: 'left' | 'right';
    by?: string;
    reason?: string;
    keys?: { left: string[]; right: string[] };
    response_ids?: { left: string; right: string };
  };
}

export interface FlagsJson {
  hook: boolean;
  gateway: boolean;
  non_exact: boolean;
}

export const flagsOf = (c: SpanCandidate): FlagsJson => ({ hook: !!c.hook, gateway: !!c.gateway, non_exact: !!c.nonExact });

/**
 * The recorded checks as JSON (snake_case, no undefined). With the two candidates given, each check
 * also carries the values it compared that the decision itself only records as equal/unequal.
 */
export function checksJson(checks: PairChecks, values?: { left: SpanCandidate; right: SpanCandidate }): ChecksJson {
  const out: ChecksJson = { parent: { pass: checks.parent.pass, left: checks.parent.left ?? null, right: checks.parent.right ?? null } };
  if (checks.model) out.model = { pass: checks.model.pass, left: checks.model.left ?? null, right: checks.model.right ?? null };
  if (checks.overlap) out.overlap = { pass: checks.overlap.pass, gap_ns: checks.overlap.gapNs, touching: checks.overlap.touching };
  if (checks.payload) {
    out.payload = { pass: checks.payload.pass, request_equal: checks.payload.requestEqual, response_equal: checks.payload.responseEqual };
    if (values) {
      out.payload.request = { left: values.left.requestSignature, right: values.right.requestSignature };
      out.payload.response = { left: values.left.responseSignature, right: values.right.responseSignature };
    }
  }
  if (checks.complementary) {
    const c = checks.complementary;
    out.complementary = { pass: c.pass };
    if (c.reason) out.complementary.reason = c.reason;
    if (c.hookSide) out.complementary.hook_side = c.hookSide;
    if (values) [out.complementary.left, out.complementary.right] = [flagsOf(values.left), flagsOf(values.right)];
  }
  if (checks.evidence) {
    out.evidence = { request_signature: checks.evidence.requestSignature, shared_keys: [...checks.evidence.sharedKeys] };
    if (values) [out.evidence.left_keys, out.evidence.right_keys] = [[...values.left.keys.keys()].sort(), [...values.right.keys.keys()].sort()];
  }
  if (checks.fidelity) out.fidelity = { left: checks.fidelity.left, right: checks.fidelity.right };
  if (checks.rounds) out.rounds = { pass: checks.rounds.pass, kept_with: checks.rounds.keptWith };
  if (checks.tieBreak) {
    const t = checks.tieBreak;
    const tie: NonNullable<ChecksJson['tie_break']> = { pass: t.pass, fix: 'dedupe-tie-break' };
    if (t.kept) tie.kept = t.kept;
    if (t.by) tie.by = t.by;
    if (t.reason) tie.reason = t.reason;
    if (t.keys) tie.keys = { left: [...t.keys.left], right: [...t.keys.right] };
    if (t.responseIds) tie.response_ids = { left: t.responseIds.left, right: t.responseIds.right };
    out.tie_break = tie;
  }
  return out;
}
