/**
 * Fix `anthropic-stream-usage`: a streamed Anthropic Messages answer keeps the usage of its
 * `message_start` (input and cache token counts) when a `message_delta` reports its own (Anthropic
 * sends `{"output_tokens": n}` there). relay-0.3's codec replaces the usage at `message_delta`, so
 * every streamed Claude call lost its prompt tokens. Fixture: a Claude Code session with one streamed
 * call whose `message_start` counts 310 input, 40 cache-write and 1200 cache-read tokens, and whose
 * `message_delta` counts 14 output tokens.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleAnthropicMessages } from '../src/providers/sse/anthropic-messages.js';
import { agentStep, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'anthropic-stream-usage';

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the call's LLM end keeps message_start's counts, with message_delta's output count over them", async () => {
    const usage = async (...flags: string[]) => ((await llmEndData(FIX, ...flags)) as { usage?: unknown } | undefined)?.usage;
    assert.deepEqual(await usage(...SEED), { output_tokens: 14 });
    assert.deepEqual(await usage(), { input_tokens: 310, cache_creation_input_tokens: 40, cache_read_input_tokens: 1200, output_tokens: 14 });
  });

  it('the step has its prompt tokens (and, with anthropic-token-accounting, cached ≤ prompt)', async () => {
    const seed = (await agentStep(FIX, ...SEED)).metrics;
    assert.equal(seed?.prompt_tokens, undefined, 'relay-0.3: the prompt tokens are lost');
    const fixed = (await agentStep(FIX)).metrics;
    assert.deepEqual([fixed?.prompt_tokens, fixed?.cached_tokens, fixed?.completion_tokens], [1550, 1200, 14]);
  });

  it('merges key by key, only objects: a usage that is not an object still replaces', () => {
    const start = { type: 'message_start', message: { id: 'm', usage: { input_tokens: 5, output_tokens: 1 } } };
    const delta = (usage: unknown) => ({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage }) as never;
    assert.deepEqual(assembleAnthropicMessages([start, delta({ output_tokens: 9 })], { mergeUsage: true }).usage, { input_tokens: 5, output_tokens: 9 });
    assert.deepEqual(assembleAnthropicMessages([start, delta({ output_tokens: 9 })]).usage, { output_tokens: 9 }, 'relay-0.3');
    assert.equal(assembleAnthropicMessages([start, delta(null)], { mergeUsage: true }).usage, null);
    // The events read are left as they were.
    assert.deepEqual(start.message.usage, { input_tokens: 5, output_tokens: 1 });
  });

  it('a null count in message_delta usage (MessageDeltaUsage declares them nullable) keeps the count of message_start', () => {
    const start = { type: 'message_start', message: { id: 'm', usage: { input_tokens: 310, cache_read_input_tokens: 1200, output_tokens: 1 } } };
    const delta = { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: null, cache_read_input_tokens: null, cache_creation_input_tokens: null, output_tokens: 14 } } as never;
    // Was {input_tokens: null, cache_read_input_tokens: null, …}: the prompt tokens lost, as without the fix.
    assert.deepEqual(assembleAnthropicMessages([start, delta], { mergeUsage: true }).usage, { input_tokens: 310, cache_read_input_tokens: 1200, output_tokens: 14 });
    assert.deepEqual(assembleAnthropicMessages([start, delta]).usage, (delta as { usage: unknown }).usage, 'relay-0.3 replaces');
    // A count the delta does report wins.
    const counted = { type: 'message_delta', delta: {}, usage: { input_tokens: 320, output_tokens: 14 } } as never;
    assert.equal((assembleAnthropicMessages([start, counted], { mergeUsage: true }).usage as { input_tokens: number }).input_tokens, 320);
  });
});
