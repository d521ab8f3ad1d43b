/**
 * Fix `anthropic-stream-empty-tool-input`: a streamed Anthropic call of a tool without parameters
 * keeps the input `{}`. Anthropic opens every tool_use block with `"input": {}` and an empty
 * `input_json_delta`; for a tool without parameters that is the only delta, and the live codec
 * (relay-cli.md §2.8.2), which keeps a concatenation that does not parse as its raw text, made the
 * input the string "". Fixture: a Claude Code turn calling an MCP clock tool with no parameters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { assembleAnthropicMessages } from '../src/providers/sse/anthropic-messages.js';
import { agentStep, events, llmEndData, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'anthropic-stream-empty-tool-input';
const CALL = { type: 'tool_use', id: 'toolu_now', name: 'mcp__clock__now' };

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the call's LLM end has the input {}, as the non-streamed answer would", async () => {
    const content = async (...flags: string[]) => ((await llmEndData(FIX, ...flags)) as { content: unknown }).content;
    assert.deepEqual(await content(...SEED), [{ ...CALL, input: '' }]);
    assert.deepEqual(await content(), [{ ...CALL, input: {} }]);
  });

  it("the step's llm_response and the tool's correlation arguments carry {}", async () => {
    const step = await agentStep(FIX);
    assert.deepEqual((step.extra?.llm_response as { content: unknown }).content, [{ ...CALL, input: {} }]);
    assert.deepEqual(step.tool_calls?.map((c) => c.arguments), [{}]);
    const toolEnd = (await events(FIX)).find((e) => e.category === 'tool' && e.scope_category === 'end');
    assert.deepEqual(toolEnd?.metadata?.tool_correlation_arguments, {});
    const seedEnd = (await events(FIX, ...SEED)).find((e) => e.category === 'tool' && e.scope_category === 'end');
    assert.equal(seedEnd?.metadata?.tool_correlation_arguments, '', 'relay-0.3: the hint had the arguments ""');
  });

  it('only empty or blank concatenations; streamed arguments and a malformed input are read as before', () => {
    const start = (index: number, input?: Json): Json => {
      const block: Record<string, Json> = { type: 'tool_use', id: `t${index}`, name: 'f' };
      if (input !== undefined) block.input = input;
      return { type: 'content_block_start', index, content_block: block };
    };
    const delta = (index: number, partial: string) => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } });
    const inputs = (emptyToolInput: boolean) =>
      (assembleAnthropicMessages(
        [start(0, {}), delta(0, ''), delta(0, ''), start(1, {}), delta(1, ''), delta(1, '{"a":'), delta(1, '1}'), start(2), delta(2, ' '), start(3, {}), delta(3, '{"a":')],
        { emptyToolInput },
      ).content as Array<{ input: Json }>).map((b) => b.input);
    assert.deepEqual(inputs(true), [{}, { a: 1 }, {}, '{"a":']);
    assert.deepEqual(inputs(false), ['', { a: 1 }, ' ', '{"a":'], 'relay-0.3');
  });
});
