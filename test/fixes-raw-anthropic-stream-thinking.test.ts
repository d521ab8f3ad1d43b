/**
 * Fix `anthropic-stream-thinking`: a streamed Anthropic Messages answer keeps its thinking. The live
 * codec (relay-cli.md §2.8.2) keeps a thinking block as its `content_block_start` skeleton, with an
 * empty `thinking` and `signature`, so a streamed Claude answer lost the thinking its non-streamed form
 * has. Fixture: a Claude Code session with one streamed call that thinks in two deltas, signs, then
 * answers "Two files.".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { assembleAnthropicMessages } from '../src/providers/sse/anthropic-messages.js';
import { agentStep, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'anthropic-stream-thinking';
const THINKING = 'The user wants a count. ls src shows two files.';

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the call's LLM end has the thinking and signature of the stream, as the non-streamed answer would", async () => {
    const content = async (...flags: string[]) => ((await llmEndData(FIX, ...flags)) as { content?: unknown } | undefined)?.content;
    assert.deepEqual(await content(...SEED), [{ type: 'thinking', thinking: '', signature: '' }, { type: 'text', text: 'Two files.' }]);
    assert.deepEqual(await content(), [{ type: 'thinking', thinking: THINKING, signature: 'EqQBCgIYAhIM1gbcDa9GJwZA' }, { type: 'text', text: 'Two files.' }]);
  });

  it("with provider-reasoning, the agent step's reasoning_content is that thinking", async () => {
    assert.equal((await agentStep(FIX)).reasoning_content, THINKING);
    assert.equal((await agentStep(FIX, '--no-fix', FIX)).reasoning_content, undefined, 'an empty thinking block is no reasoning');
  });

  it('accumulates only into thinking blocks; a signature delta sets the signature (it is sent whole)', () => {
    const start = (index: number, block: Json) => ({ type: 'content_block_start', index, content_block: block });
    const delta = (index: number, d: Json) => ({ type: 'content_block_delta', index, delta: d });
    const content = (options = { thinking: true }) =>
      assembleAnthropicMessages(
        [
          start(0, { type: 'thinking', thinking: 'Let me ' }),
          delta(0, { type: 'thinking_delta', thinking: 'think.' }),
          delta(0, { type: 'signature_delta', signature: 'first' }),
          delta(0, { type: 'signature_delta', signature: 'sig' }),
          start(1, { type: 'text', text: '' }),
          delta(1, { type: 'thinking_delta', thinking: 'stray' }),
          delta(1, { type: 'text_delta', text: 'Done.' }),
          start(2, { type: 'redacted_thinking', data: 'opaque' }),
        ],
        options,
      ).content;
    assert.deepEqual(content(), [{ type: 'thinking', thinking: 'Let me think.', signature: 'sig' }, { type: 'text', text: 'Done.' }, { type: 'redacted_thinking', data: 'opaque' }]);
    assert.deepEqual((content({ thinking: false }) as object[])[0], { type: 'thinking', thinking: 'Let me ' }, 'relay-0.3: the skeleton');
  });
});
