import { addU64, asU64, getOwn, isNumber, isObject, JsonNumber, numberValue, type JsonObject } from '../json/value.js';
import type { U64 } from '../providers/usage.js';
import type { FinalMetrics, Step } from './types.js';

const isPositive = (v: U64) => (typeof v === 'number' ? v > 0 : v instanceof JsonNumber && v.text !== '0');

/**
 * Totals over a trajectory's own steps (children excluded). Token sums stay exact past 2^53.
 * As relay-0.3 writes them: with any metrics, prompt and completion totals even when 0 (or when no
 * step has a count: a step whose usage reported only a cost); cached and cost only when positive.
 * With `perField` (fix final-metrics-per-field, NeMo-Relay #206): each total when at least one step
 * has that field, its sum as it is, 0 included (a free model's reported cost of 0 is a cost).
 */
export function finalMetrics(steps: readonly Step[], perField = false, optimization = false, cacheHits = false): FinalMetrics {
  const withMetrics = steps.filter((s) => s.metrics);
  const fm: FinalMetrics = { total_steps: steps.length };
  if (withMetrics.length === 0) return fm;
  const saved = optimization ? optimizationTotals(withMetrics) : undefined;
  const reused = cacheHits ? responseCacheTotals(withMetrics) : undefined;
  if (saved || reused) fm.extra = { nemo_relay: { ...(saved && { optimization: saved }), ...(reused && { response_cache: reused }) } };
  let prompt: U64 = 0;
  let completion: U64 = 0;
  let cached: U64 = 0;
  let cost = 0;
  const has = { prompt: false, completion: false, cached: false, cost: false };
  for (const s of withMetrics) {
    const m = s.metrics!;
    if (m.prompt_tokens !== undefined) (prompt = addU64(prompt, m.prompt_tokens)), (has.prompt = true);
    if (m.completion_tokens !== undefined) (completion = addU64(completion, m.completion_tokens)), (has.completion = true);
    if (m.cached_tokens !== undefined) (cached = addU64(cached, m.cached_tokens)), (has.cached = true);
    if (m.cost_usd !== undefined) (cost += m.cost_usd), (has.cost = true);
  }
  if (perField) {
    if (has.cached) fm.total_cached_tokens = cached;
    if (has.completion) fm.total_completion_tokens = completion;
    if (has.cost) fm.total_cost_usd = cost;
    if (has.prompt) fm.total_prompt_tokens = prompt;
    return fm;
  }
  fm.total_prompt_tokens = prompt;
  fm.total_completion_tokens = completion;
  if (isPositive(cached)) fm.total_cached_tokens = cached;
  if (cost > 0) fm.total_cost_usd = cost;
  return fm;
}

/**
 * Fix `llm-optimization-summary`: the totals NeMo-Relay 0.8's exporter writes in
 * `final_metrics.extra.nemo_relay.optimization` over the steps whose metrics carry an optimization
 * summary: how many (`llm_call_count`), the sums of their `tokens_saved.prompt_tokens` and
 * `tokens_saved.total_tokens`, and of their `estimated_cost_saved` in USD. A sum no step gave is left
 * out (HEAD writes it as null). None without any summary.
 */
function optimizationTotals(steps: readonly Step[]): JsonObject | undefined {
  const summaries = relayNotes(steps, 'optimization');
  if (summaries.length === 0) return undefined;
  let prompt: U64 | undefined;
  let total: U64 | undefined;
  let usd: number | undefined;
  for (const summary of summaries) {
    const tokens = getOwn(summary, 'tokens_saved');
    prompt = addKnown(prompt, isObject(tokens) ? asU64(getOwn(tokens, 'prompt_tokens')) : undefined);
    total = addKnown(total, isObject(tokens) ? asU64(getOwn(tokens, 'total_tokens')) : undefined);
    const currency = getOwn(summary, 'currency');
    const cost = getOwn(summary, 'estimated_cost_saved');
    if (typeof currency === 'string' && currency.toUpperCase() === 'USD' && isNumber(cost)) usd = (usd ?? 0) + numberValue(cost);
  }
  const out: JsonObject = {};
  if (usd !== undefined) out.estimated_cost_saved_usd = usd;
  out.llm_call_count = summaries.length;
  if (prompt !== undefined) out.prompt_tokens_saved = prompt;
  if (total !== undefined) out.total_tokens_saved = total;
  return out;
}

/**
 * Fix `response-cache-marks`: `final_metrics.extra.nemo_relay.response_cache` over the steps whose
 * metrics note a cache hit: how many (`hit_count`), and the sums of the `saved_tokens` and
 * `saved_cost_usd` NeMo-Relay's cache reported for them. The token and cost totals count those
 * calls as their stored usage says (as the steps do): these sums are the part of them no provider
 * was paid for. A sum no hit gave is left out; none without a hit.
 */
function responseCacheTotals(steps: readonly Step[]): JsonObject | undefined {
  const hits = relayNotes(steps, 'response_cache');
  if (hits.length === 0) return undefined;
  let tokens: U64 | undefined;
  let usd: number | undefined;
  for (const note of hits) {
    tokens = addKnown(tokens, asU64(getOwn(note, 'saved_tokens')));
    const cost = getOwn(note, 'saved_cost_usd');
    if (isNumber(cost)) usd = (usd ?? 0) + numberValue(cost);
  }
  const out: JsonObject = { hit_count: hits.length };
  if (usd !== undefined) out.saved_cost_usd = usd;
  if (tokens !== undefined) out.saved_tokens = tokens;
  return out;
}

/** The objects the steps' metrics hold at `extra.nemo_relay[key]` (what a fix noted on a call), in step order. */
function relayNotes(steps: readonly Step[], key: string): JsonObject[] {
  const notes: JsonObject[] = [];
  for (const s of steps) {
    const relay = s.metrics?.extra ? getOwn(s.metrics.extra, 'nemo_relay') : undefined;
    const note = isObject(relay) ? getOwn(relay, key) : undefined;
    if (isObject(note)) notes.push(note);
  }
  return notes;
}

/** `sum` plus `n`, where either may be unknown: a sum of the counts known, none while none is. */
function addKnown(sum: U64 | undefined, n: U64 | undefined): U64 | undefined {
  if (n === undefined) return sum;
  return sum === undefined ? n : addU64(sum, n);
}
