/**
 * Fix `chat-stream-parallel-tool-calls`: parallel calls a server streams at one index stay apart.
 * Gemini's OpenAI-compatible endpoint sends each parallel call whole, in its own chunk, all at
 * index 0 (or with no index, which the codec also reads as 0). The live chat codec (relay-cli.md
 * §2.8.2) keys calls by index alone, so it merged them: the last id and name, the arguments of all
 * glued together. Fixture: one Hermes turn whose streamed Gemini answer calls three tools that way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { assembleOpenAiChat } from '../src/providers/sse/openai-chat.js';
import { agentStep, callTriples, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'chat-stream-parallel-tool-calls';

describe(FIX, () => {
  // Its Hermes pre_llm_call carries the user's message: hermes-turn-text makes it a mark too.
  registryAndProfileTests(FIX, ['hermes-turn-text']);

  it("the LLM end has each call apart, in the order they came", async () => {
    const calls = async (...flags: string[]) => callTriples(await llmEndData(FIX, ...flags));
    assert.deepEqual(await calls(), [
      ['call_a', 'read_file', '{"path":"a.txt"}'],
      ['call_b', 'read_file', '{"path":"b.txt"}'],
      ['call_c', 'list_dir', '{"path":"."}'],
    ]);
    assert.deepEqual(await calls(...SEED), [['call_c', 'list_dir', '{"path":"a.txt"}{"path":"b.txt"}{"path":"."}']]);
  });

  it('the agent step has the three calls with their arguments and results', async () => {
    const step = await agentStep(FIX);
    assert.deepEqual(
      step.tool_calls?.map((c) => [c.tool_call_id, c.arguments]),
      [
        ['call_a', { path: 'a.txt' }],
        ['call_b', { path: 'b.txt' }],
        ['call_c', { path: '.' }],
      ],
    );
    assert.deepEqual(
      step.observation?.results.map((r) => r.source_call_id),
      ['call_a', 'call_b', 'call_c'],
    );
  });

  it('argument deltas without an id, with the same id again or with an id but no name continue the call; calls at other indexes keep their order', () => {
    const delta = (...calls: Json[]): Json => ({ choices: [{ index: 0, delta: { tool_calls: calls } }] });
    const chunks = [
      delta({ index: 0, id: 'a', function: { name: 'f', arguments: '{"x"' } }),
      delta({ index: 0, function: { arguments: ':1}' } }),
      delta({ index: 1, id: 'z', function: { name: 'h', arguments: '{}' } }),
      delta({ index: 0, id: 'b', function: { name: 'g', arguments: '{' } }),
      delta({ index: 0, id: 'b', function: { arguments: '}' } }),
      delta({ index: 0, id: 'b2', function: { arguments: '' } }),
    ];
    const ids = (parallelToolCalls: boolean) => callTriples(assembleOpenAiChat(chunks, { parallelToolCalls }));
    assert.deepEqual(ids(true), [
      ['a', 'f', '{"x":1}'],
      ['b2', 'g', '{}'],
      ['z', 'h', '{}'],
    ]);
    assert.deepEqual(
      ids(false),
      [
        ['b2', 'g', '{"x":1}{}'],
        ['z', 'h', '{}'],
      ],
      'relay-0.3',
    );
  });
});
