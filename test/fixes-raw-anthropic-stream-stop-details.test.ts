/**
 * Fix `anthropic-stream-stop-details`: a streamed Anthropic answer keeps the `stop_details` its
 * `message_delta` carries. Anthropic's streaming classifiers stop a refused answer with stop_reason
 * "refusal" and send stop_details (type, category, explanation) on the same event; the live codec
 * (relay-cli.md §2.8.2) keeps the reason only. Fixture: a Claude Code turn refused before any text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleAnthropicMessages } from '../src/providers/sse/anthropic-messages.js';
import { agentStep, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'anthropic-stream-stop-details';
const DETAILS = { type: 'refusal', category: 'cyber', explanation: 'This request was declined because it could enable cyber harm.' };

describe(FIX, () => {
  registryAndProfileTests(FIX, ['anthropic-stream-usage']);

  it("the LLM end carries the refusal's stop_details beside its stop_reason", async () => {
    const end = async (...flags: string[]) => (await llmEndData(FIX, ...flags)) as { stop_reason: string; stop_details?: unknown };
    const seed = await end(...SEED);
    assert.equal(seed.stop_reason, 'refusal');
    assert.equal(seed.stop_details, undefined);
    assert.deepEqual((await end()).stop_details, DETAILS);
  });

  it('so, with anthropic-refusal-message, the refused step reads as the explanation', async () => {
    assert.equal((await agentStep(FIX)).message, DETAILS.explanation);
    assert.equal((await agentStep(FIX, '--no-fix', FIX)).message, '', 'the refusal without its explanation');
    assert.deepEqual((await agentStep(FIX, ...SEED)).message, []);
  });

  it('only a message_delta stop_details is taken, the last one winning; none leaves the message without', () => {
    const start = { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', content: [] } };
    const delta = (d: Record<string, unknown>) => ({ type: 'message_delta', delta: { stop_reason: 'refusal', ...d } });
    assert.deepEqual(assembleAnthropicMessages([start, delta({ stop_details: { type: 'refusal', category: null } }), delta({ stop_details: DETAILS })], { stopDetails: true }).stop_details, DETAILS);
    assert.equal('stop_details' in assembleAnthropicMessages([start, delta({})], { stopDetails: true }), false);
    assert.equal('stop_details' in assembleAnthropicMessages([start, delta({ stop_details: DETAILS })]), false, 'relay-0.3');
  });
});
