import { pushTo } from '../util/group-by.js';
import { candidatesByParent, type SpanCandidate } from './candidates.js';
import { shareKey } from './keys.js';
import { compareCandidates } from './order.js';
import { hookSide } from './pair.js';

/**
 * The pairs the dedupe pass decides: those that can have a basis (a MatchBasis). A basis needs the
 * same parent and overlapping windows, and then either the same request and response signatures
 * (SAME_PAYLOAD), or a complementary hook/gateway pair with the same request signature or a shared
 * correlation key ({@link canMatch}). Every other pair is kept apart by a rule that reads the two spans
 * alone (KEPT_MODEL_MISMATCH, KEPT_NO_OVERLAP, KEPT_NOT_COMPLEMENTARY, KEPT_NO_SHARED_KEY): no fix and
 * no other pair changes those decisions, so `explain` decides them again when it shows them.
 *
 * Per parent, spans in evaluation order fall into clusters whose windows chain by overlap (no window
 * overlaps one outside its cluster). A small cluster — a call seen by a hook and the gateway, a few
 * concurrent calls — is compared pair by pair. In a large one (a burst of thousands of concurrent
 * calls: n² / 2 overlapping pairs, millions of decisions and, recorded, gigabytes) each span meets only
 * the spans that share its request signature or one of its keys, found through maps.
 *
 * Returned as [left, right] in evaluation order (left earlier), sorted by left then right.
 * `directUpTo` is the largest cluster compared pair by pair (tests lower it to check the maps).
 */
export function matchablePairs(candidates: readonly SpanCandidate[], directUpTo = DIRECT_UP_TO): Array<[SpanCandidate, SpanCandidate]> {
  const out: Array<[SpanCandidate, SpanCandidate]> = [];
  for (const list of candidatesByParent(candidates).values()) {
    if (list.length < 2) continue;
    list.sort(compareCandidates);
    for (const cluster of overlapClusters(list)) {
      if (cluster.length < 2) continue;
      const found = cluster.length <= directUpTo ? pairByPair(cluster) : throughMaps(cluster);
      for (const pair of found) out.push(pair);
    }
  }
  return out.sort((a, b) => compareCandidates(a[0], b[0]) || compareCandidates(a[1], b[1]));
}

const DIRECT_UP_TO = 64;

/** Whether two overlapping spans under one parent can have a basis: what `decidePair` checks after the overlap, models aside. */
export function canMatch(l: SpanCandidate, r: SpanCandidate): boolean {
  const sameRequest = l.requestSignature === r.requestSignature;
  if (sameRequest && l.responseSignature === r.responseSignature) return true;
  return hookSide(l, r) !== undefined && (sameRequest || shareKey(l.keys, r.keys));
}

/**
 * Runs of spans (sorted by start) whose windows chain by overlap: a run ends where the next span starts
 * after every window of the run has ended, so no window overlaps one of another run.
 */
function* overlapClusters(list: readonly SpanCandidate[]): Generator<SpanCandidate[]> {
  let from = 0;
  let reach = list[0].endTs;
  for (let i = 1; i < list.length; i++) {
    if (list[i].startTs > reach) {
      yield list.slice(from, i);
      from = i;
      reach = list[i].endTs;
    } else if (list[i].endTs > reach) {
      reach = list[i].endTs;
    }
  }
  yield list.slice(from);
}

/** The sweep: each span against the later-starting ones whose start is within its window. */
function pairByPair(spans: readonly SpanCandidate[]): Array<[SpanCandidate, SpanCandidate]> {
  const out: Array<[SpanCandidate, SpanCandidate]> = [];
  for (let a = 0; a < spans.length; a++) {
    const l = spans[a];
    for (let b = a + 1; b < spans.length && spans[b].startTs <= l.endTs; b++) {
      const r = spans[b];
      if (l.startTs <= r.endTs && canMatch(l, r)) out.push([l, r]);
    }
  }
  return out;
}

/**
 * The same pairs through maps: spans that share a request signature, or a correlation key, are swept
 * together. A pair that shares its request signature is taken from that bucket only, and one that
 * shares several keys from the bucket of the first key of its left span that both have: each pair
 * once, without a set of the pairs found (a burst can match more pairs than a set holds).
 */
function throughMaps(spans: readonly SpanCandidate[]): Array<[SpanCandidate, SpanCandidate]> {
  // Buckets hold positions in `spans`, so each is in evaluation order too.
  const byRequest = new Map<string, number[]>();
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < spans.length; i++) {
    pushTo(byRequest, spans[i].requestSignature, i);
    for (const key of spans[i].keys.keys()) pushTo(byKey, key, i);
  }
  const out: Array<[SpanCandidate, SpanCandidate]> = [];
  const sweep = (bucket: number[], takes: (l: SpanCandidate, r: SpanCandidate) => boolean) => {
    for (let a = 0; a < bucket.length; a++) {
      const l = spans[bucket[a]];
      for (let b = a + 1; b < bucket.length; b++) {
        const r = spans[bucket[b]];
        if (r.startTs > l.endTs) break; // later ones start later still
        if (l.startTs <= r.endTs && takes(l, r) && canMatch(l, r)) out.push([l, r]);
      }
    }
  };
  for (const bucket of byRequest.values()) sweep(bucket, () => true);
  for (const [key, bucket] of byKey) sweep(bucket, (l, r) => l.requestSignature !== r.requestSignature && firstSharedKey(l, r) === key);
  return out;
}

/** The first key of `l` (in its own order) that `r` has too. */
function firstSharedKey(l: SpanCandidate, r: SpanCandidate): string | undefined {
  for (const key of l.keys.keys()) if (r.keys.has(key)) return key;
  return undefined;
}
