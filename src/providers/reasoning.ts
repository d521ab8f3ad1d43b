import { getOwn, isObject, type Json } from '../json/value.js';
import { anthropicThinking } from './anthropic.js';
import { blockTexts } from './content.js';
import { SEED_RULES, type ProviderRules } from './rules.js';
import { trimRust } from './sse/unicode-whitespace.js';
import { choiceMessageField } from './tool-calls.js';

/**
 * The reasoning of an LLM response, for the agent step's `reasoning_content`: a top-level `reasoning`
 * text (all relay-0.3 reads), then, with `rules.providerReasoning`, where each provider puts it.
 */
export function responseReasoning(data: Json, rules: ProviderRules = SEED_RULES): string | undefined {
  if (!isObject(data)) return undefined;
  const r = getOwn(data, 'reasoning');
  if (typeof r === 'string') return r;
  return rules.providerReasoning ? providerReasoning(data) : undefined;
}

/**
 * Reasoning in a provider's own shape: Anthropic `thinking` blocks, an OpenAI-compatible chat
 * message's `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter), OpenAI Responses
 * `reasoning` items (their `summary_text` parts, else their `reasoning_text` content). Blank texts
 * count as none; undefined when there is none.
 */
export function providerReasoning(data: Json): string | undefined {
  return anthropicThinking(data) ?? chatReasoning(data) ?? responsesReasoning(data);
}

function chatReasoning(data: Json): string | undefined {
  for (const field of ['reasoning_content', 'reasoning']) {
    const text = choiceMessageField(data, field);
    if (typeof text === 'string' && trimRust(text) !== '') return text;
  }
  return undefined;
}

function responsesReasoning(data: Json): string | undefined {
  const output = isObject(data) ? getOwn(data, 'output') : undefined;
  if (!Array.isArray(output)) return undefined;
  const texts: string[] = [];
  for (const item of output) {
    if (!isObject(item) || item.type !== 'reasoning') continue;
    const summary = getOwn(item, 'summary');
    const content = getOwn(item, 'content');
    const parts = Array.isArray(summary) ? blockTexts(summary, 'summary_text') : [];
    texts.push(...(parts.length > 0 ? parts : Array.isArray(content) ? blockTexts(content, 'reasoning_text') : []));
  }
  const kept = texts.filter((t) => trimRust(t) !== '');
  return kept.length > 0 ? kept.join('\n') : undefined;
}
