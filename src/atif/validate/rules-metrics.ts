import { warning, type Finding } from './finding.js';
import type { JsonPath } from './path.js';
import { comparePyNumbers, isPyDict, isPyInt, isPyNumber, prop, pyNumberText } from './py-values.js';

/** Token accounting conventions (SHOULD-level, so warnings): counts are non-negative, cached ⊆ prompt. */
export function* metricsRules(metrics: unknown, at: JsonPath): Generator<Finding> {
  if (!isPyDict(metrics)) return;
  yield* negativeValues(metrics, at, ['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_usd']);
  yield* cachedWithinPrompt(metrics, at, 'prompt_tokens', 'cached_tokens');
  yield* tokenIdLengths(metrics, at);
}

export function* finalMetricsRules(finalMetrics: unknown, at: JsonPath): Generator<Finding> {
  if (!isPyDict(finalMetrics)) return;
  yield* negativeValues(finalMetrics, at, [
    'total_prompt_tokens',
    'total_completion_tokens',
    'total_cached_tokens',
    'total_cost_usd',
  ]);
  yield* cachedWithinPrompt(finalMetrics, at, 'total_prompt_tokens', 'total_cached_tokens');
}

function* negativeValues(obj: Record<string, unknown>, at: JsonPath, keys: readonly string[]): Generator<Finding> {
  for (const key of keys) {
    const value = prop(obj, key);
    if (isPyNumber(value) && comparePyNumbers(value, 0) < 0) {
      yield warning([...at, key], 'negative-value', `${key} is negative (${pyNumberText(value)})`);
    }
  }
}

function* cachedWithinPrompt(
  obj: Record<string, unknown>,
  at: JsonPath,
  promptKey: string,
  cachedKey: string,
): Generator<Finding> {
  const prompt = prop(obj, promptKey);
  const cached = prop(obj, cachedKey);
  if (isPyInt(prompt) && isPyInt(cached) && comparePyNumbers(cached, prompt) > 0) {
    yield warning(
      [...at, cachedKey],
      'token-accounting',
      `${cachedKey} (${pyNumberText(cached)}) exceeds ${promptKey} (${pyNumberText(prompt)}); ` +
        'ATIF counts cached tokens as a subset of prompt tokens',
    );
  }
}

/** Token id arrays should be as long as the counts they detail, and logprobs align with completion ids. */
function* tokenIdLengths(metrics: Record<string, unknown>, at: JsonPath): Generator<Finding> {
  const completion = prop(metrics, 'completion_tokens');
  const prompt = prop(metrics, 'prompt_tokens');
  const completionIds = prop(metrics, 'completion_token_ids');
  const promptIds = prop(metrics, 'prompt_token_ids');
  const logprobs = prop(metrics, 'logprobs');
  if (Array.isArray(completionIds) && isPyInt(completion) && comparePyNumbers(completionIds.length, completion) !== 0) {
    yield warning(
      [...at, 'completion_token_ids'],
      'token-ids-length',
      `length ${completionIds.length} differs from completion_tokens ${pyNumberText(completion)}`,
    );
  }
  if (Array.isArray(promptIds) && isPyInt(prompt) && comparePyNumbers(promptIds.length, prompt) !== 0) {
    yield warning(
      [...at, 'prompt_token_ids'],
      'token-ids-length',
      `length ${promptIds.length} differs from prompt_tokens ${pyNumberText(prompt)}`,
    );
  }
  if (Array.isArray(logprobs) && Array.isArray(completionIds) && logprobs.length !== completionIds.length) {
    yield warning(
      [...at, 'logprobs'],
      'token-ids-length',
      `length ${logprobs.length} differs from completion_token_ids length ${completionIds.length}`,
    );
  }
}
