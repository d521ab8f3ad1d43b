import type { SpanCandidate } from '../dedupe/candidates.js';
import { decidePair, type PairChecks, type PairDecision, type PairRule } from '../dedupe/pair.js';
import { compareCandidates, type DedupeResult } from '../dedupe/pass.js';

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

/** Candidates per parent (spans without a parent are in no same-parent pair). */
function byParent(dedupe: DedupeResult): Map<string, SpanCandidate[]> {
  const groups = new Map<string, SpanCandidate[]>();
  for (const c of candidatesOf(dedupe)) {
    if (c.parentUuid === undefined) continue;
    const list = groups.get(c.parentUuid);
    if (list) list.push(c);
    else groups.set(c.parentUuid, [c]);
  }
  return groups;
}

/**
 * Past this many same-parent pairs in one trajectory, the overview lists only the pairs whose windows
 * overlap (those the pass decided: the only ones that can merge) and counts the others per rule. A
 * long session under one agent has n² / 2 pairs: 100,000 LLM calls would be 5 billion rows.
 */
export const MAX_LISTED_PAIRS = 10_000;

/**
 * Every pair of candidates under one parent (the pairs that get past the parent check), in
 * evaluation order: by left span, then right span, each in (start, end, uuid) order. With `only`,
 * the pairs of that span (one pass over its parent's candidates, not over every pair).
 *
 * The pass records decisions only for overlapping pairs (the only ones that can merge). Those are
 * used as recorded; the others are decided here with the same pure `decidePair`, which stops at the
 * model or overlap check for them, so no fix or option of the pass can change their outcome.
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

/**
 * Pairs per rule over every same-parent pair, in the §3.2 order, without listing them: the pairs the
 * pass recorded (every overlapping one) by their rule, and the others — which `decidePair` stops at
 * the model check (both models known and different) or else at the overlap check — by counting.
 * The same counts as tallying {@link sameParentPairs} (test/explain-scale.test.ts checks that), in time
 * linear in the spans and the recorded pairs.
 */
export function sameParentRuleCounts(dedupe: DedupeResult): Record<string, number> {
  const n: Partial<Record<PairRule, number>> = {};
  const add = (rule: PairRule, k: number) => void (n[rule] = (n[rule] ?? 0) + k);
  let unrecorded = 0;
  let unrecordedMismatch = 0;
  for (const list of byParent(dedupe).values()) {
    unrecorded += (list.length * (list.length - 1)) / 2;
    // Pairs of known, different models: all pairs of spans with a model, less those of one model.
    const perModel = new Map<string, number>();
    let known = 0;
    for (const c of list) {
      if (c.modelName === undefined) continue;
      known++;
      perModel.set(c.modelName, (perModel.get(c.modelName) ?? 0) + 1);
    }
    unrecordedMismatch += (known * (known - 1)) / 2;
    for (const m of perModel.values()) unrecordedMismatch -= (m * (m - 1)) / 2;
  }
  for (const p of dedupe.pairs) {
    add(p.rule, 1);
    unrecorded--;
    if (p.checks.model?.pass === false) unrecordedMismatch--;
  }
  add('KEPT_MODEL_MISMATCH', unrecordedMismatch);
  add('KEPT_NO_OVERLAP', unrecorded - unrecordedMismatch);
  const counts: Record<string, number> = {};
  for (const rule of PAIR_RULES) if ((n[rule] ?? 0) > 0) counts[rule] = n[rule]!;
  return counts;
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
  return out;
}
