import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assembleSseStream } from '../src/providers/sse/assemble.js';
import { assembleOpenAiChat } from '../src/providers/sse/openai-chat.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('OpenAI Chat stream assembly', () => {
  it('assembles text, two tool calls, the finish reason and usage from a captured stream', () => {
    const { response, chunks, error } = assembleSseStream('openai-chat', fixture('openai-chat-tool-call.sse'));
    assert.equal(error, undefined);
    assert.equal(chunks.length, 9, '[DONE] is not a chunk');
    assert.deepEqual(response, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1772644871,
      model: 'gpt-4o-2024',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } },
              { id: 'call_b', type: 'function', function: { name: 'list_dir', arguments: '{}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 812, completion_tokens: 31, total_tokens: 843, prompt_tokens_details: { cached_tokens: 512 } },
    });
  });

  it('gives content null when only tool calls were streamed, and defaults role, type and name', () => {
    const response = assembleOpenAiChat([
      { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] } }] },
      { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }] },
    ]);
    assert.deepEqual(response.choices, [
      { index: 0, message: { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: '', arguments: '{"a":1}' } }] }, finish_reason: null },
    ]);
    assert.equal('id' in response, false);
  });

  it('keeps the first id/model/created, the last non-null usage, and orders choices by index', () => {
    const response = assembleOpenAiChat([
      { id: 'first', model: 'm1', created: 1, choices: [{ index: 1, delta: { content: 'b' } }], usage: { total_tokens: 1 } },
      { id: 'second', model: 'm2', created: 2, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }], usage: null },
      { choices: [{ delta: { content: '!' } }] },
    ]);
    assert.equal(response.id, 'first');
    assert.equal(response.model, 'm1');
    assert.equal(response.created, 1);
    assert.deepEqual(response.usage, { total_tokens: 1 });
    assert.deepEqual(
      (response.choices as Array<{ index: number; message: { content: string }; finish_reason: string | null }>).map((c) => [c.index, c.message.content, c.finish_reason]),
      [
        [0, 'a!', 'stop'],
        [1, 'b', null],
      ],
    );
  });

  it('assembles the same answer when frames are split oddly across lines and CRLF', () => {
    const text =
      'data: {"object":"chat.completion.chunk","choices":[{"index":0,\r\ndata: "delta":{"content":"Hel"}}]}\r\n\r\n' +
      ': comment\n\ndata:{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo"}}]}\n\ndata: [DONE]\n\n';
    const { response } = assembleSseStream('openai-chat', text);
    assert.deepEqual(response.choices, [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: null }]);
  });

  it('produces the empty aggregate for a stream without chunks', () => {
    assert.deepEqual(assembleSseStream('openai-chat', 'data: [DONE]\n\n').response, { choices: [] });
  });
});
