import type { HintIdentifiers } from '../hooks/types.js';

/**
 * LLM hints: what hook events tell the session about an upcoming LLM call (§3.6.6), and how well a
 * pending hint matches a gateway call (relay-cli.md §2.6.2).
 */
export interface LlmHint extends HintIdentifiers {
  /** The raw hook event name; becomes `llm_correlation_source` when the hint is consumed. */
  eventName: string;
}

/** The identifiers of a gateway call that hints are matched against. */
export interface HintMatchTarget {
  subagentId?: string;
  conversationId?: string;
  generationId?: string;
  requestId?: string;
  modelName?: string;
}

/** Both sides present and equal. */
function same(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a === b;
}

/** +8 subagent (hint subagent or agent id), +4 each for conversation, generation and request id, +1 model: at most 21. */
export function hintMatchScore(hint: LlmHint, start: HintMatchTarget): number {
  let score = 0;
  if (same(hint.subagentId, start.subagentId) || same(hint.agentId, start.subagentId)) score += 8;
  if (same(hint.conversationId, start.conversationId)) score += 4;
  if (same(hint.generationId, start.generationId)) score += 4;
  if (same(hint.requestId, start.requestId)) score += 4;
  if (same(hint.model, start.modelName)) score += 1;
  return score;
}

/** The index of the unique best positive score; undefined when nothing scores or the best is tied. */
export function matchingHintIndex(hints: readonly LlmHint[], start: HintMatchTarget): number | undefined {
  let best = 0;
  let bestIndex: number | undefined;
  let tied = false;
  for (const [index, hint] of hints.entries()) {
    const score = hintMatchScore(hint, start);
    if (score === 0 || score < best) continue;
    if (score === best) {
      tied = true;
      continue;
    }
    best = score;
    bestIndex = index;
    tied = false;
  }
  return tied ? undefined : bestIndex;
}
