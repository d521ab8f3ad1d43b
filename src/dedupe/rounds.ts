import type { Nanos } from '../ingest/time.js';
import type { SpanCandidate } from './candidates.js';
import { shareKey } from './keys.js';
import { withFix, type PairDecision } from './pair.js';
import { compareCandidates } from './order.js';
import { KeyUnionFind } from '../util/union-find.js';

const overlaps = (a: SpanCandidate, b: SpanCandidate) => a.startTs <= b.endTs && b.startTs <= a.endTs;
const overlapLength = (a: SpanCandidate, b: SpanCandidate) => (a.endTs < b.endTs ? a.endTs : b.endTs) - (a.startTs > b.startTs ? a.startTs : b.startTs);

/**
 * `dedupe-cross-round` (atif-dedupe.md §5 E7). One physical call is recorded inside one time window,
 * so a span cannot be the same request as two partners whose windows do not even overlap each
 * other: that is a late span reaching into the next round (a hook whose post event comes after the
 * next call started, with the same last user message and an equal answer), or one attempt of a call
 * retried with the same request (a timeout, then the retry that answered). Matched pairs are
 * accepted best first: a shared correlation key, then answers of one kind (an error answer goes with
 * an error answer: a hook that reports the call's answer is the retry that answered, not the failed
 * attempt before it, however long that one waited), then the longer overlap, then evaluation order;
 * a pair whose side already has an accepted partner that does not overlap the other side becomes
 * KEPT_CROSS_ROUND. Pairs without a basis are returned as they are.
 */
export function separateRounds(pairs: readonly PairDecision[], byUuid: ReadonlyMap<string, SpanCandidate>): PairDecision[] {
  const settled = pairsOfSharedInstants(pairs, byUuid);
  const ranked: Array<{ p: PairDecision; l: SpanCandidate; r: SpanCandidate; keyed: boolean; alike: boolean; overlap: bigint }> = [];
  for (const p of pairs) {
    if (p.basis === undefined || settled(p)) continue;
    const l = byUuid.get(p.left)!;
    const r = byUuid.get(p.right)!;
    ranked.push({ p, l, r, keyed: shareKey(l.keys, r.keys), alike: l.errorAnswer === r.errorAnswer, overlap: overlapLength(l, r) });
  }
  ranked.sort((a, b) => Number(b.keyed) - Number(a.keyed) || Number(b.alike) - Number(a.alike) || (a.overlap !== b.overlap ? (a.overlap > b.overlap ? -1 : 1) : 0) || compareCandidates(a.l, b.l) || compareCandidates(a.r, b.r));
  // Each side's accepted partners, with the earliest end and latest start among them: while `other`
  // lies within those bounds every partner overlaps it, so a clique of overlapping spans (thousands
  // of matched pairs per span) is not scanned partner by partner for each of its pairs.
  const accepted = new Map<string, { partners: SpanCandidate[]; minEnd: Nanos; maxStart: Nanos }>();
  const keptApart = new Map<PairDecision, string>();
  const conflict = (side: SpanCandidate, other: SpanCandidate) => {
    const a = accepted.get(side.uuid);
    if (!a || (a.minEnd >= other.startTs && a.maxStart <= other.endTs)) return undefined;
    return a.partners.find((x) => !overlaps(x, other));
  };
  const accept = (side: SpanCandidate, partner: SpanCandidate) => {
    const a = accepted.get(side.uuid);
    if (!a) return void accepted.set(side.uuid, { partners: [partner], minEnd: partner.endTs, maxStart: partner.startTs });
    a.partners.push(partner);
    if (partner.endTs < a.minEnd) a.minEnd = partner.endTs;
    if (partner.startTs > a.maxStart) a.maxStart = partner.startTs;
  };
  for (const { p, l, r } of ranked) {
    const blocker = conflict(l, r) ?? conflict(r, l);
    if (blocker) keptApart.set(p, blocker.uuid);
    else {
      accept(l, r);
      accept(r, l);
    }
  }
  return pairs.map((p) => {
    const keptWith = keptApart.get(p);
    if (keptWith === undefined) return p;
    return withFix({ left: p.left, right: p.right, rule: 'KEPT_CROSS_ROUND', checks: { ...p.checks, rounds: { pass: false, keptWith } } }, 'dedupe-cross-round');
  });
}

/**
 * Which matched pairs no ranking can keep apart: those of a set of spans linked by matched pairs
 * (a connected component: a side's accepted partners are all in its own) whose windows all share one
 * instant (the latest start is not after the earliest end). Then every window overlaps every other, so
 * no partner can block a pair: all its pairs are accepted, whatever the order. A burst of k identical
 * concurrent calls is one such set of k² / 2 pairs, which need neither ranking nor sorting.
 */
function pairsOfSharedInstants(pairs: readonly PairDecision[], byUuid: ReadonlyMap<string, SpanCandidate>): (p: PairDecision) => boolean {
  const sets = new KeyUnionFind();
  for (const p of pairs) if (p.basis !== undefined) sets.union(p.left, p.right);
  const latestStart = new Map<number, Nanos>();
  const earliestEnd = new Map<number, Nanos>();
  for (const [uuid, set] of sets.entries()) {
    const c = byUuid.get(uuid)!;
    const start = latestStart.get(set);
    if (start === undefined || c.startTs > start) latestStart.set(set, c.startTs);
    const end = earliestEnd.get(set);
    if (end === undefined || c.endTs < end) earliestEnd.set(set, c.endTs);
  }
  return (p) => {
    const set = sets.setOf(p.left);
    return latestStart.get(set)! <= earliestEnd.get(set)!;
  };
}
