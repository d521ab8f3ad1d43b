/**
 * Fix `responses-stream-deltas`: a streamed OpenAI Responses output item that was opened but never
 * done keeps what its deltas sent. The live Responses codec (relay-cli.md §2.8.2) ignores deltas: it
 * keeps the last snapshot and rebuilds `output` from the `output_item.added/done` items, which is whole
 * when the stream ends well (each item's `done` redelivers it). A stream cut short before an item's
 * `done` left that item as it was opened (a message without content, a call with `"arguments": ""`),
 * so the text and arguments the model had streamed were lost, where a chat stream cut short keeps
 * them. Fixture: a Codex stream that stops after its message's text and inside its call's arguments.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { assembleOpenAiResponses } from '../src/providers/sse/openai-responses.js';
import { agentStep, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'responses-stream-deltas';

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the call's LLM end holds the streamed text and arguments of the items never done", async () => {
    const output = async (...flags: string[]) => ((await llmEndData(FIX, ...flags)) as { output: Json[] }).output;
    assert.deepEqual(await output(), [
      { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [{ type: 'output_text', text: 'Running the tests now.', annotations: [] }] },
      { type: 'function_call', id: 'fc_1', call_id: 'call_test', name: 'shell', arguments: '{"command":["npm","test"]}', status: 'in_progress' },
    ]);
    const seed = await output(...SEED);
    assert.deepEqual((seed[0] as { content: Json[] }).content, [], 'relay-0.3: the message as it was opened');
    assert.equal((seed[1] as { arguments: string }).arguments, '');
  });

  it('the agent step has the message and the call with its arguments', async () => {
    const step = await agentStep(FIX);
    assert.equal(step.message, 'Running the tests now.');
    assert.deepEqual(step.tool_calls?.map((c) => [c.tool_call_id, c.arguments]), [['call_test', { command: ['npm', 'test'] }]]);
  });

  it('reads only items never done, only when the snapshot has no output, each kind of delta by its index', () => {
    const item = (output_index: number, item: Json) => ({ type: 'response.output_item.added', output_index, item });
    const done = (output_index: number, item: Json) => ({ type: 'response.output_item.done', output_index, item });
    const events: Json[] = [
      { type: 'response.created', response: { id: 'r', status: 'in_progress', output: [] } },
      item(0, { type: 'reasoning', id: 'rs', summary: [] }),
      { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 1, delta: 'second' },
      item(1, { type: 'message', id: 'm', content: [] }),
      { type: 'response.refusal.delta', output_index: 1, content_index: 0, delta: 'No' },
      { type: 'response.refusal.delta', output_index: 1, content_index: 0, delta: '.' },
      item(2, { type: 'custom_tool_call', id: 'c', call_id: 'call_p', name: 'apply_patch', input: '' }),
      { type: 'response.custom_tool_call_input.delta', output_index: 2, delta: '*** Begin' },
      item(3, { type: 'function_call', id: 'f', call_id: 'call_f', name: 'f', arguments: '' }),
      { type: 'response.function_call_arguments.delta', output_index: 3, delta: '{"a":' },
      done(3, { type: 'function_call', id: 'f', call_id: 'call_f', name: 'f', arguments: '{"a":1}' }),
    ];
    assert.deepEqual(assembleOpenAiResponses(events, { deltas: true }).output, [
      { type: 'reasoning', id: 'rs', summary: [{ type: 'summary_text', text: '' }, { type: 'summary_text', text: 'second' }] },
      { type: 'message', id: 'm', content: [{ type: 'refusal', refusal: 'No.' }] },
      { type: 'custom_tool_call', id: 'c', call_id: 'call_p', name: 'apply_patch', input: '*** Begin' },
      { type: 'function_call', id: 'f', call_id: 'call_f', name: 'f', arguments: '{"a":1}' },
    ]);
    assert.deepEqual((assembleOpenAiResponses(events).output as Json[])[1], { type: 'message', id: 'm', content: [] }, 'relay-0.3');
    // A terminal snapshot with its output wins, as live.
    const completed = { type: 'response.completed', response: { id: 'r', status: 'completed', output: [{ type: 'message', id: 'm2', content: [] }] } };
    assert.deepEqual(assembleOpenAiResponses([...events, completed], { deltas: true }).output, [{ type: 'message', id: 'm2', content: [] }]);
  });
});
