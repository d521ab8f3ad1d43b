import type { SpanCandidate } from './candidates.js';
import type { TieBreakCheck } from './pair.js';

const NAMESPACES = ['request:', 'generation:'] as const;

/**
 * Correlation keys say the two spans are different calls: both carry keys of one namespace and
 * share none of them (e.g. two exact hooks with their own `api_call_id`, atif-dedupe.md E11). Gives
 * the keys of that namespace on each side (sorted), or undefined when the keys do not say so.
 */
export function distinctKeys(l: SpanCandidate, r: SpanCandidate): { left: string[]; right: string[] } | undefined {
  for (const ns of NAMESPACES) {
    const mine = [...l.keys.keys()].filter((k) => k.startsWith(ns));
    if (mine.length === 0 || mine.some((k) => r.keys.has(k))) continue;
    const theirs = [...r.keys.keys()].filter((k) => k.startsWith(ns));
    if (theirs.length > 0) return { left: mine.sort(), right: theirs.sort() };
  }
  return undefined;
}

/** A span recorded by the gateway only: its payload is the provider exchange itself. */
const gatewayOnly = (c: SpanCandidate) => c.gateway !== undefined && c.hook === undefined;

/**
 * The outcomes that carry no values of their own, made once and shared (frozen): in a burst of k
 * identical calls every one of k² / 2 pairs ties, and each records which rule broke its tie.
 */
const KEPT: Record<'left' | 'right', Record<NonNullable<TieBreakCheck['by']>, TieBreakCheck>> = {
  left: { GATEWAY_ONLY: kept('left', 'GATEWAY_ONLY'), EARLIER_START: kept('left', 'EARLIER_START'), SMALLER_UUID: kept('left', 'SMALLER_UUID') },
  right: { GATEWAY_ONLY: kept('right', 'GATEWAY_ONLY'), EARLIER_START: kept('right', 'EARLIER_START'), SMALLER_UUID: kept('right', 'SMALLER_UUID') },
};
const WINDOWS_ONLY_TOUCH: TieBreakCheck = Object.freeze({ pass: false, reason: 'WINDOWS_ONLY_TOUCH' });

function kept(side: 'left' | 'right', by: NonNullable<TieBreakCheck['by']>): TieBreakCheck {
  return Object.freeze({ pass: true, kept: side, by });
}

/**
 * `dedupe-tie-break` (atif-dedupe.md §5 E2): of two spans judged the same request at equal
 * fidelity, the one that stays is the gateway span over a hook span, then the earlier start, then
 * the smaller uuid. Not broken (both kept, as at the seed) when their keys or their answers' ids say
 * they are two calls, or when the windows only touch: one call ending as the next identical one
 * starts is more likely a repeat than one call recorded twice (E4). The outcome is a check value
 * (`pass`: broken, with the side kept and the rule that chose it; else the first reason, in that
 * order, with the values it compared), recorded on the pair for explain.
 */
export function tieBreak(l: SpanCandidate, r: SpanCandidate): TieBreakCheck {
  const keys = distinctKeys(l, r);
  if (keys) return { pass: false, reason: 'DISTINCT_KEYS', keys };
  if (l.responseId !== undefined && r.responseId !== undefined && l.responseId !== r.responseId) {
    // The answers carry the provider's own ids, and they differ: two calls made with the same
    // request (a retry, n parallel samples), not one call recorded twice, whose answer has one id.
    return { pass: false, reason: 'DISTINCT_RESPONSE_IDS', responseIds: { left: l.responseId, right: r.responseId } };
  }
  if (l.endTs === r.startTs || r.endTs === l.startTs) return WINDOWS_ONLY_TOUCH;
  if (gatewayOnly(l) !== gatewayOnly(r)) return KEPT[gatewayOnly(l) ? 'left' : 'right'].GATEWAY_ONLY;
  if (l.startTs !== r.startTs) return KEPT[l.startTs < r.startTs ? 'left' : 'right'].EARLIER_START;
  return KEPT[l.uuid <= r.uuid ? 'left' : 'right'].SMALLER_UUID;
}
