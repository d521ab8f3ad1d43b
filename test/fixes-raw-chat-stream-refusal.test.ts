/**
 * Fix `chat-stream-refusal`: a streamed OpenAI chat answer keeps its refusal. When a model declines,
 * OpenAI streams the text as `delta.refusal` (content stays null); the live chat codec (relay-cli.md
 * §2.8.2) assembles only content and tool-call deltas, so the refusal was in neither the LLM end nor
 * the step, though the same answer not streamed has it in its message. Fixture: one streamed call
 * refused in two deltas, with its usage in a last chunk of no choices.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { assembleOpenAiChat } from '../src/providers/sse/openai-chat.js';
import { agentStep, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'chat-stream-refusal';
const REFUSAL = "I'm sorry, I can't help with that.";

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the call's LLM end message has the streamed refusal, as the non-streamed answer would", async () => {
    const message = async (...flags: string[]) => ((await llmEndData(FIX, ...flags)) as { choices: Array<{ message: unknown }> }).choices[0].message;
    assert.deepEqual(await message(), { role: 'assistant', content: null, refusal: REFUSAL });
    assert.deepEqual(await message(...SEED), { role: 'assistant', content: null });
  });

  it("the refusal reaches the agent step's message", async () => {
    assert.ok(String((await agentStep(FIX)).message).includes(REFUSAL));
    assert.ok(!String((await agentStep(FIX, '--no-fix', FIX)).message).includes('sorry'));
  });

  it('assembles the refusal per choice, only once a delta sends one', () => {
    const chunk = (index: number, delta: Json) => ({ object: 'chat.completion.chunk', choices: [{ index, delta }] });
    const messages = (refusal: boolean) =>
      (assembleOpenAiChat([chunk(0, { refusal: null }), chunk(1, { content: 'two' }), chunk(0, { refusal: 'No' }), chunk(0, { refusal: '.' })], { refusal }).choices as Array<{ message: Json }>).map((c) => c.message);
    assert.deepEqual(messages(true), [{ role: 'assistant', content: null, refusal: 'No.' }, { role: 'assistant', content: 'two' }]);
    assert.deepEqual(messages(false), [{ role: 'assistant', content: null }, { role: 'assistant', content: 'two' }], 'relay-0.3');
  });
});
