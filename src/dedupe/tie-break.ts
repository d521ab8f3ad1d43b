import type { SpanCandidate } from './candidates.js';

const NAMESPACES = ['request:', 'generation:'] as const;

/**
 * Correlation keys say the two spans are different calls: both carry keys of one namespace and
 * share none of them (e.g. two exact hooks with their own `api_call_id`, atif-dedupe.md E11).
 */
export function distinctByKeys(l: SpanCandidate, r: SpanCandidate): boolean {
  return NAMESPACES.some((ns) => {
    const mine = [...l.keys.keys()].filter((k) => k.startsWith(ns));
    const theirs = [...r.keys.keys()].some((k) => k.startsWith(ns));
    return mine.length > 0 && theirs && !mine.some((k) => r.keys.has(k));
  });
}

/**
 * The answers carry the provider's own ids, and they differ: two calls made with the same request
 * (a retry, n parallel samples), not one call recorded twice, whose answer has one id.
 */
const distinctAnswers = (l: SpanCandidate, r: SpanCandidate) => l.responseId !== undefined && r.responseId !== undefined && l.responseId !== r.responseId;

/** A span recorded by the gateway only: its payload is the provider exchange itself. */
const gatewayOnly = (c: SpanCandidate) => c.gateway !== undefined && c.hook === undefined;

/**
 * `dedupe-tie-break` (atif-dedupe.md §5 E2): of two spans judged the same request at equal
 * fidelity, the one that stays is the gateway span over a hook span, then the earlier start, then
 * the smaller uuid. Undefined (both kept, as at the seed) when their keys or their answers' ids say
 * they are two calls, or when the windows only touch: one call ending as the next identical one starts is more likely
 * a repeat than one call recorded twice (E4).
 */
export function tieBreak(l: SpanCandidate, r: SpanCandidate): SpanCandidate | undefined {
  if (distinctByKeys(l, r) || distinctAnswers(l, r)) return undefined;
  if (l.endTs === r.startTs || r.endTs === l.startTs) return undefined;
  if (gatewayOnly(l) !== gatewayOnly(r)) return gatewayOnly(l) ? l : r;
  if (l.startTs !== r.startTs) return l.startTs < r.startTs ? l : r;
  return l.uuid <= r.uuid ? l : r;
}
