import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toolHintsFromResponse } from '../src/gateway/response-tool-hints.js';
import { assembleSseStream } from '../src/providers/sse/assemble.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('tool hints from LLM responses (§2.9)', () => {
  it('reads OpenAI Chat tool calls, parsing JSON argument strings', () => {
    const { response } = assembleSseStream('openai-chat', fixture('openai-chat-tool-call.sse'));
    assert.deepEqual(toolHintsFromResponse(response, 'worker-1'), [
      { toolCallId: 'call_a', toolName: 'read_file', subagentId: 'worker-1', arguments: { path: 'a.ts' }, source: 'openai_chat_tool_call' },
      { toolCallId: 'call_b', toolName: 'list_dir', subagentId: 'worker-1', arguments: {}, source: 'openai_chat_tool_call' },
    ]);
  });

  it('reads OpenAI Responses function_call items (call_id first)', () => {
    const { response } = assembleSseStream('openai-responses', fixture('openai-responses.sse'));
    assert.deepEqual(toolHintsFromResponse(response, undefined), [{ toolCallId: 'call_1', toolName: 'shell', arguments: { cmd: 'ls' }, source: 'openai_response_tool_call' }]);
  });

  it('reads Anthropic tool_use blocks at the top level and under message', () => {
    const { response } = assembleSseStream('anthropic-messages', fixture('anthropic-messages.sse'));
    assert.deepEqual(toolHintsFromResponse(response, undefined), [{ toolCallId: 'toolu_01', toolName: 'Read', arguments: { file_path: 'a.ts' }, source: 'anthropic_tool_use' }]);
    assert.equal(toolHintsFromResponse({ message: { content: [{ type: 'tool_use', tool_use_id: 't2', input: 'not json' }] } }, undefined)[0].arguments, 'not json');
  });

  it('keeps a hint only with an id, or a name and non-null arguments', () => {
    const hints = toolHintsFromResponse(
      {
        choices: [
          {
            message: {
              tool_calls: [
                { function: { name: 'only-name' } },
                { function: { name: 'named', arguments: '{"a":1}' } },
                { function: { arguments: '{}' } },
                { id: null, call_id: 'ignored', function: { name: 'null-id', arguments: null } },
              ],
            },
          },
        ],
      },
      undefined,
    );
    assert.deepEqual(hints, [{ toolName: 'named', arguments: { a: 1 }, source: 'openai_chat_tool_call' }]);
  });
});
