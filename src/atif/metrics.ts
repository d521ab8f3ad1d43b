import { addU64, JsonNumber } from '../json/value.js';
import type { U64 } from '../providers/usage.js';
import type { FinalMetrics, Step } from './types.js';

const isPositive = (v: U64) => (typeof v === 'number' ? v > 0 : v instanceof JsonNumber && v.text !== '0');

/**
 * Totals over a trajectory's own steps (children excluded). With any metrics, prompt and completion
 * totals are written even when 0; cached and cost only when positive. Token sums stay exact past 2^53.
 */
export function finalMetrics(steps: readonly Step[]): FinalMetrics {
  const withMetrics = steps.filter((s) => s.metrics);
  const fm: FinalMetrics = { total_steps: steps.length };
  if (withMetrics.length === 0) return fm;
  let prompt: U64 = 0;
  let completion: U64 = 0;
  let cached: U64 = 0;
  let cost = 0;
  for (const s of withMetrics) {
    const m = s.metrics!;
    if (m.prompt_tokens !== undefined) prompt = addU64(prompt, m.prompt_tokens);
    if (m.completion_tokens !== undefined) completion = addU64(completion, m.completion_tokens);
    if (m.cached_tokens !== undefined) cached = addU64(cached, m.cached_tokens);
    if (m.cost_usd !== undefined) cost += m.cost_usd;
  }
  fm.total_prompt_tokens = prompt;
  fm.total_completion_tokens = completion;
  if (isPositive(cached)) fm.total_cached_tokens = cached;
  if (cost > 0) fm.total_cost_usd = cost;
  return fm;
}
