import type { SpanCandidate } from './candidates.js';

/** Evaluation order: (start, end, uuid) — documented and stable, unlike the reference's hash order. */
export function compareCandidates(a: SpanCandidate, b: SpanCandidate): number {
  if (a.startTs !== b.startTs) return a.startTs < b.startTs ? -1 : 1;
  if (a.endTs !== b.endTs) return a.endTs < b.endTs ? -1 : 1;
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}
