/**
 * Fix `chat-stream-reasoning`: a streamed OpenAI-compatible chat answer keeps its reasoning. The live
 * chat codec (relay-cli.md §2.8.2) assembles only content and tool-call deltas, so the reasoning a
 * reasoning model streams (`reasoning_content` on DeepSeek and vLLM, `reasoning` on OpenRouter) was
 * lost, though the same answer not streamed has it in its message. Fixture: one streamed DeepSeek call
 * that reasons in two deltas, then answers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { assembleOpenAiChat } from '../src/providers/sse/openai-chat.js';
import { agentStep, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'chat-stream-reasoning';

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the call's LLM end message has the streamed reasoning_content, as the non-streamed answer would", async () => {
    const message = async (...flags: string[]) => ((await llmEndData(FIX, ...flags)) as { choices: Array<{ message: unknown }> }).choices[0].message;
    assert.deepEqual(await message(...SEED), { role: 'assistant', content: 'No: 91 = 7 × 13.' });
    assert.deepEqual(await message(), { role: 'assistant', content: 'No: 91 = 7 × 13.', reasoning_content: '91 is odd; 91 / 7 = 13.' });
  });

  it("with provider-reasoning, the agent step's reasoning_content is that reasoning", async () => {
    assert.equal((await agentStep(FIX)).reasoning_content, '91 is odd; 91 / 7 = 13.');
    assert.equal((await agentStep(FIX, '--no-fix', FIX)).reasoning_content, undefined);
  });

  it('assembles each reasoning field per choice, only once a delta sends it', () => {
    const chunk = (index: number, delta: Json) => ({ object: 'chat.completion.chunk', choices: [{ index, delta }] });
    const messages = (reasoning: boolean) =>
      (assembleOpenAiChat([chunk(0, { reasoning: 'a' }), chunk(1, { content: 'two' }), chunk(0, { reasoning: 'b', content: 'one' }), chunk(1, { reasoning_content: null })], { reasoning }).choices as Array<{ message: Json }>).map(
        (c) => c.message,
      );
    assert.deepEqual(messages(true), [{ role: 'assistant', content: 'one', reasoning: 'ab' }, { role: 'assistant', content: 'two' }]);
    assert.deepEqual(messages(false), [{ role: 'assistant', content: 'one' }, { role: 'assistant', content: 'two' }], 'relay-0.3');
  });
});
