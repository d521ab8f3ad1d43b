/**
 * Fix `chat-stream-tool-identity`: a streamed chat tool call keeps the id and name of its first delta.
 * OpenAI sends them once; DashScope repeats `"id": ""` on every continuation delta of a call, DeepSeek
 * `"id": ""` and `"name": ""`. The live chat codec (relay-cli.md §2.8.2) keeps the last id and name of
 * a tool-call index, so the empty strings won: the first call became `bash:1` (its result went to a
 * second call synthesized from the tool start) and the second, with neither id nor name, was dropped.
 * Fixture: one Hermes turn whose streamed answer calls two tools, one in each server's style.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { assembleOpenAiChat } from '../src/providers/sse/openai-chat.js';
import { agentStep, callTriples, chatToolCalls, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'chat-stream-tool-identity';

describe(FIX, () => {
  // Its Hermes pre_llm_call carries the user's message: hermes-turn-text makes it a mark too.
  registryAndProfileTests(FIX, ['hermes-turn-text']);

  it("the LLM end's tool calls keep the ids and names of their first deltas", async () => {
    const identities = async (...flags: string[]) => callTriples(await llmEndData(FIX, ...flags));
    assert.deepEqual(await identities(), [
      ['call_ls', 'bash', '{"command": "ls"}'],
      ['call_cat', 'read_file', '{"path": "a.txt"}'],
    ]);
    assert.deepEqual(await identities(...SEED), [
      ['', 'bash', '{"command": "ls"}'],
      ['', '', '{"path": "a.txt"}'],
    ]);
  });

  it('the agent step has each call once, under the id its tool hooks name, with its result', async () => {
    const step = await agentStep(FIX);
    assert.deepEqual(
      step.tool_calls?.map((c) => c.tool_call_id),
      ['call_ls', 'call_cat'],
    );
    assert.deepEqual(
      step.observation?.results.map((r) => [r.source_call_id, r.content]),
      [
        ['call_ls', 'a.txt'],
        ['call_cat', 'hello'],
      ],
    );
    const seed = await agentStep(FIX, ...SEED);
    assert.deepEqual(
      seed.tool_calls?.map((c) => c.tool_call_id),
      ['bash:1', 'call_ls', 'call_cat'],
      'relay-0.3: the first call renamed (its twin synthesized from the tool start), the second only synthesized',
    );
  });

  it('an empty name before the real one is no name, with or without the fix', () => {
    const delta = (id: string, name: string, args: string): Json => ({
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id, function: { name, arguments: args } }] } }],
    });
    const chunks = [delta('call_1', '', ''), delta('', 'bash', '{}')];
    assert.deepEqual(chatToolCalls(assembleOpenAiChat(chunks, { toolIdentity: true })), [{ id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{}' } }]);
    assert.deepEqual(chatToolCalls(assembleOpenAiChat(chunks)), [{ id: '', type: 'function', function: { name: 'bash', arguments: '{}' } }], 'relay-0.3');
  });
});
