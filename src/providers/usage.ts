import { addU64, asU64, getOwn, hasOwn, isNumber, isObject, numberValue, setOwn, type Json, type JsonNumber, type JsonObject } from '../json/value.js';
import { SEED_RULES, type ProviderRules } from './rules.js';

export type U64 = number | JsonNumber;

/** ATIF step metrics as the reference extracts them from a response's usage object. */
export interface Metrics {
  prompt_tokens?: U64;
  completion_tokens?: U64;
  cached_tokens?: U64;
  cost_usd?: number;
  prompt_token_ids?: U64[];
  completion_token_ids?: U64[];
  logprobs?: number[];
  extra?: JsonObject;
}

const KNOWN = new Set(['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_usd', 'prompt_token_ids', 'completion_token_ids', 'logprobs']);

/** `token_usage` when present (even if not an object, which then hides `usage`), else `usage`. */
function usageObject(data: Json): JsonObject | undefined {
  if (!isObject(data)) return undefined;
  const u = Object.prototype.hasOwnProperty.call(data, 'token_usage') ? data.token_usage : getOwn(data, 'usage');
  return isObject(u) ? u : undefined;
}

function firstU64(usage: JsonObject, keys: string[]): U64 | undefined {
  for (const k of keys) {
    const v = asU64(getOwn(usage, k));
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Token metrics of an LLM response (seed rules, all providers): prompt from `prompt_tokens|input_tokens`,
 * completion from `completion_tokens|output_tokens`, cached from `cached_tokens`, then
 * `prompt_tokens_details.cached_tokens`, then Anthropic's cache read + creation. No counts → no metrics.
 * With fix `anthropic-token-accounting`, Anthropic's cache counts are read as ATIF counts them (see
 * {@link anthropicCacheCounts}); with fix `responses-cached-tokens`, the Responses API's cached input too.
 */
export function extractMetrics(data: Json, rules: ProviderRules = SEED_RULES): Metrics | undefined {
  const usage = usageObject(data);
  if (!usage) return undefined;
  let prompt = firstU64(usage, ['prompt_tokens', 'input_tokens']);
  const completion = firstU64(usage, ['completion_tokens', 'output_tokens']);
  let cached = declaredCached(usage, rules);
  const anthropic = cached === undefined ? anthropicCacheCounts(usage) : undefined;
  if (anthropic && rules.anthropicTokenAccounting && !namesOpenAiCounts(usage)) {
    if (prompt !== undefined) prompt = sumU64([prompt, anthropic.read, anthropic.creation]);
    cached = anthropic.read;
  } else if (anthropic) cached = sumU64([anthropic.read, anthropic.creation]);
  const costUsd = getOwn(usage, 'cost_usd');
  const cost = isNumber(costUsd) ? numberValue(costUsd) : rules.providerReportedCost ? reportedCostUsd(usage) : undefined;
  // relay-0.3 writes metrics only for token counts; a reported cost alone is worth a step's metrics too.
  if (prompt === undefined && completion === undefined && cached === undefined && (cost === undefined || !rules.providerReportedCost)) return undefined;
  // Fields are set in sorted key order, which the printer can write without copying the object.
  const m: Metrics = {};
  if (cached !== undefined) m.cached_tokens = cached;
  const cIds = getOwn(usage, 'completion_token_ids');
  if (Array.isArray(cIds)) m.completion_token_ids = cIds.map(asU64).filter((x): x is U64 => x !== undefined);
  if (completion !== undefined) m.completion_tokens = completion;
  if (cost !== undefined) m.cost_usd = cost;
  const extra = unknownFields(usage);
  if (extra) m.extra = extra;
  const lp = getOwn(usage, 'logprobs');
  if (Array.isArray(lp)) m.logprobs = lp.filter(isNumber).map(numberValue);
  const pIds = getOwn(usage, 'prompt_token_ids');
  if (Array.isArray(pIds)) m.prompt_token_ids = pIds.map(asU64).filter((x): x is U64 => x !== undefined);
  if (prompt !== undefined) m.prompt_tokens = prompt;
  return m;
}

/**
 * Anthropic's cache counts, when a usage has them: its `input_tokens` leaves the cached input out.
 * ATIF (§5.5) counts every input token in `prompt_tokens` and only cache reads in `cached_tokens`
 * (cache writes stay in `extra`); relay-0.3 took `input_tokens` as the prompt and read + creation as
 * cached, so cached exceeded the prompt (atif-v1.7-spec.md §7 item 5).
 */
function anthropicCacheCounts(usage: JsonObject): { read?: U64; creation?: U64 } | undefined {
  const read = asU64(getOwn(usage, 'cache_read_input_tokens'));
  const creation = asU64(getOwn(usage, 'cache_creation_input_tokens'));
  return read === undefined && creation === undefined ? undefined : { read, creation };
}

/**
 * Whether fix `anthropic-token-accounting` changes a response's counts: the metrics read with it and
 * as relay-0.3 reads them, compared (zero cache counts, or no input count beside a cache read alone,
 * change nothing, and explain must not say they did).
 */
export function anthropicTokenAccountingApplies(data: Json): boolean {
  const fixed = extractMetrics(data, { anthropicTokenAccounting: true });
  const seed = extractMetrics(data);
  return String(fixed?.prompt_tokens) !== String(seed?.prompt_tokens) || String(fixed?.cached_tokens) !== String(seed?.cached_tokens);
}

/**
 * OpenAI's counting, named by a key Anthropic's usage never has: `prompt_tokens`/`completion_tokens`
 * (chat completions, and routers such as LiteLLM that copy Anthropic's cache counts beside them) or a
 * `*_tokens_details` object (the Responses API's `input_tokens_details`). There `prompt_tokens` or
 * `input_tokens` already counts the cached input, so the cache counts beside it are not added again
 * (fix `anthropic-token-accounting` reads such a usage as relay-0.3 does: "OpenAI usage is read as before").
 */
function namesOpenAiCounts(usage: JsonObject): boolean {
  return OPENAI_USAGE_KEYS.some((k) => hasOwn(usage, k));
}

const OPENAI_USAGE_KEYS = ['prompt_tokens', 'completion_tokens', 'prompt_tokens_details', 'completion_tokens_details', 'input_tokens_details', 'output_tokens_details'];

/**
 * The cached count a usage names as such: `cached_tokens`, then `prompt_tokens_details.cached_tokens`,
 * then (fix `responses-cached-tokens`) the Responses API's `input_tokens_details.cached_tokens`.
 */
function declaredCached(usage: JsonObject, rules: ProviderRules): U64 | undefined {
  const cached = firstU64(usage, ['cached_tokens']) ?? detailsCached(usage, 'prompt_tokens_details');
  if (cached !== undefined || !rules.responsesCachedTokens) return cached;
  return detailsCached(usage, 'input_tokens_details');
}

function detailsCached(usage: JsonObject, key: string): U64 | undefined {
  const details = getOwn(usage, key);
  return isObject(details) ? asU64(getOwn(details, 'cached_tokens')) : undefined;
}

/**
 * Whether fix `responses-cached-tokens` changes a response's counts: a Responses usage whose cached
 * count nothing else names (a count of 0 too: the step then says that nothing was cached).
 */
export function responsesCachedTokensApply(data: Json): boolean {
  return String(extractMetrics(data, { responsesCachedTokens: true })?.cached_tokens) !== String(extractMetrics(data)?.cached_tokens);
}

/**
 * Fix `provider-reported-cost` (NeMo-Relay #206, #796): the cost a usage reports other than as
 * `cost_usd` (which comes first). A number `cost` is OpenRouter's: the call's cost in USD (its credits are
 * dollars). An object `cost` in USD (no `currency`, or `"USD"`) gives its `total`, or else the sum of its
 * `input`, `output`, `cache_read` and `cache_write` parts; a cost in another currency is no `cost_usd`.
 */
function reportedCostUsd(usage: JsonObject): number | undefined {
  const cost = getOwn(usage, 'cost');
  if (isNumber(cost)) return numberValue(cost);
  if (!isObject(cost)) return undefined;
  const currency = getOwn(cost, 'currency');
  if (currency !== undefined && !(typeof currency === 'string' && currency.toUpperCase() === 'USD')) return undefined;
  const total = getOwn(cost, 'total');
  if (isNumber(total)) return numberValue(total);
  let sum: number | undefined;
  for (const part of COST_PARTS) {
    const v = getOwn(cost, part);
    if (isNumber(v)) sum = (sum ?? 0) + numberValue(v);
  }
  return sum;
}

const COST_PARTS = ['input', 'output', 'cache_read', 'cache_write'];

/** Whether fix `provider-reported-cost` gives a response a cost it would not have without it. */
export function providerReportedCostApplies(data: Json): boolean {
  return extractMetrics(data, { providerReportedCost: true })?.cost_usd !== extractMetrics(data)?.cost_usd;
}

/**
 * Fix `annotated-response-cost`: the cost NeMo-Relay 0.8 writes on an LLM end's codec annotation,
 * `category_profile.annotated_response.usage.cost` (a `CostEstimate`: `total`, `currency` (USD when
 * absent), the `input`/`output`/`cache_read`/`cache_write` parts, `source` `model_pricing` or
 * `provider_reported`, and where a price came from). Its pricing plugin estimates it from the tokens
 * and its price table; the response body carries no cost then. The USD `total`, else, for a
 * provider-reported cost only, the sum of its parts (an estimate's parts without a total are not
 * summed, as HEAD's `total_or_component_sum` does not); another currency is none.
 */
export function annotatedCost(categoryProfile: JsonObject | undefined): { usd: number; cost: JsonObject } | undefined {
  const annotated = categoryProfile ? getOwn(categoryProfile, 'annotated_response') : undefined;
  const usage = isObject(annotated) ? getOwn(annotated, 'usage') : undefined;
  const cost = isObject(usage) ? getOwn(usage, 'cost') : undefined;
  if (!isObject(cost)) return undefined;
  const currency = getOwn(cost, 'currency');
  if (currency !== undefined && !(typeof currency === 'string' && currency.toUpperCase() === 'USD')) return undefined;
  const total = getOwn(cost, 'total');
  if (isNumber(total)) return { usd: numberValue(total), cost };
  if (getOwn(cost, 'source') !== 'provider_reported') return undefined;
  let sum: number | undefined;
  for (const part of COST_PARTS) {
    const v = getOwn(cost, part);
    if (isNumber(v)) sum = (sum ?? 0) + numberValue(v);
  }
  return sum === undefined ? undefined : { usd: sum, cost };
}

/**
 * An LLM end's metrics with fix `annotated-response-cost`: when the response's own usage reports no
 * cost (it comes first, as a provider's reported cost), the annotation's cost is the step's `cost_usd`,
 * and the cost object as NeMo-Relay wrote it (whether it is an estimate, the price table's model and
 * date) is kept in `extra.nemo_relay.cost`. A cost alone makes metrics. Returns the metrics given, or
 * new ones with the cost, and whether the annotation gave the cost.
 */
export function withAnnotatedCost(metrics: Metrics | undefined, categoryProfile: JsonObject | undefined): { metrics: Metrics | undefined; applied: boolean } {
  if (metrics?.cost_usd !== undefined) return { metrics, applied: false };
  const found = annotatedCost(categoryProfile);
  if (!found) return { metrics, applied: false };
  return { metrics: withRelayExtra(metrics, 'cost', found.cost, found.usd), applied: true };
}

/**
 * The optimization summary NeMo-Relay 0.8 writes on an LLM end's codec annotation,
 * `category_profile.annotated_response.optimization_summary` (an `LlmOptimizationSummary`: what a
 * plugin's prompt compression or model routing saved on this call, `tokens_saved`, the baseline and
 * actual costs, `estimated_cost_saved` with its `currency`, and the contributions it was computed from).
 */
export function optimizationSummary(categoryProfile: JsonObject | undefined): JsonObject | undefined {
  const annotated = categoryProfile ? getOwn(categoryProfile, 'annotated_response') : undefined;
  const summary = isObject(annotated) ? getOwn(annotated, 'optimization_summary') : undefined;
  return isObject(summary) ? summary : undefined;
}

/**
 * Fix `llm-optimization-summary`: an LLM end's optimization summary is its step's
 * `metrics.extra.nemo_relay.optimization`, as NeMo-Relay 0.8's exporter writes it (a summary alone makes
 * metrics). Returns the metrics given, or new ones with the summary, and whether a summary was added.
 */
export function withOptimizationSummary(metrics: Metrics | undefined, categoryProfile: JsonObject | undefined): { metrics: Metrics | undefined; applied: boolean } {
  const summary = optimizationSummary(categoryProfile);
  if (!summary) return { metrics, applied: false };
  return { metrics: withRelayExtra(metrics, 'optimization', summary), applied: true };
}

/**
 * `metrics` (none: empty ones) with `extra.nemo_relay[key]` set to `value`, and `cost_usd` when given:
 * a copy, its fields in sorted key order as extractMetrics sets them (the printer then writes it
 * without copying it again).
 */
export function withRelayExtra(metrics: Metrics | undefined, key: string, value: Json, costUsd?: number): Metrics {
  const m: Metrics = metrics ?? {};
  const extra: JsonObject = { ...m.extra };
  const relay = getOwn(extra, 'nemo_relay');
  setOwn(extra, 'nemo_relay', { ...(isObject(relay) ? relay : {}), [key]: value });
  const out: Metrics = {};
  if (m.cached_tokens !== undefined) out.cached_tokens = m.cached_tokens;
  if (m.completion_token_ids !== undefined) out.completion_token_ids = m.completion_token_ids;
  if (m.completion_tokens !== undefined) out.completion_tokens = m.completion_tokens;
  const cost = costUsd ?? m.cost_usd;
  if (cost !== undefined) out.cost_usd = cost;
  out.extra = extra;
  if (m.logprobs !== undefined) out.logprobs = m.logprobs;
  if (m.prompt_token_ids !== undefined) out.prompt_token_ids = m.prompt_token_ids;
  if (m.prompt_tokens !== undefined) out.prompt_tokens = m.prompt_tokens;
  return out;
}

/** The mark NeMo-Relay 0.8 emits under an LLM span for each optimization contribution a plugin recorded. */
export function isOptimizationContributionMark(name: string, dataSchema: Json | undefined): boolean {
  return name === 'nemo_relay.llm.optimization' || (isObject(dataSchema) && getOwn(dataSchema, 'name') === 'nemo.relay.llm_optimization_contribution');
}

/** The sum of the counts present (undefined when none is). */
function sumU64(counts: Array<U64 | undefined>): U64 | undefined {
  let sum: U64 | undefined;
  for (const c of counts) if (c !== undefined) sum = sum === undefined ? c : addU64(sum, c);
  return sum;
}

/** The usage fields metrics do not name (they go to `extra`), if any. */
function unknownFields(usage: JsonObject): JsonObject | undefined {
  let extra: JsonObject | undefined;
  for (const k of Object.keys(usage)) if (!KNOWN.has(k)) setOwn((extra ??= {}), k, usage[k]);
  return extra;
}

/** Fill-missing merge: each field of `into` left empty takes `from`'s; `extra` gains only new keys. */
export function fillMissingMetrics(into: Metrics, from: Metrics): void {
  // In sorted key order, like extractMetrics: a copy filled into an empty object needs no reordering to print.
  if (into.cached_tokens === undefined && from.cached_tokens !== undefined) into.cached_tokens = from.cached_tokens;
  if (into.completion_token_ids === undefined && from.completion_token_ids !== undefined) into.completion_token_ids = [...from.completion_token_ids];
  if (into.completion_tokens === undefined && from.completion_tokens !== undefined) into.completion_tokens = from.completion_tokens;
  if (into.cost_usd === undefined && from.cost_usd !== undefined) into.cost_usd = from.cost_usd;
  if (from.extra) {
    if (!into.extra) into.extra = { ...from.extra };
    else for (const k of Object.keys(from.extra)) if (!Object.prototype.hasOwnProperty.call(into.extra, k)) setOwn(into.extra, k, from.extra[k]);
  }
  if (into.logprobs === undefined && from.logprobs !== undefined) into.logprobs = [...from.logprobs];
  if (into.prompt_token_ids === undefined && from.prompt_token_ids !== undefined) into.prompt_token_ids = [...from.prompt_token_ids];
  if (into.prompt_tokens === undefined && from.prompt_tokens !== undefined) into.prompt_tokens = from.prompt_tokens;
}

/** Both set a scalar field and disagree on it: a fill-missing fold keeps whichever came first. */
export function metricsConflict(a: Metrics, b: Metrics): boolean {
  for (const k of SCALAR_METRICS) {
    const x = a[k];
    const y = b[k];
    // The same value (most often the very same) needs no printing to be told equal.
    if (x !== undefined && y !== undefined && x !== y && String(x) !== String(y)) return true;
  }
  return false;
}

const SCALAR_METRICS = ['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_usd'] as const;

/** Names of the fields `from` would fill in `into` (for explain's "absorbed metrics"). */
export function missingFieldsFilled(into: Metrics | undefined, from: Metrics): string[] {
  const fields = ['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_usd', 'prompt_token_ids', 'completion_token_ids', 'logprobs'] as const;
  const out: string[] = fields.filter((f) => from[f] !== undefined && (into === undefined || into[f] === undefined));
  for (const k of Object.keys(from.extra ?? {})) if (!into?.extra || !(k in into.extra)) out.push(`extra.${k}`);
  return out;
}
