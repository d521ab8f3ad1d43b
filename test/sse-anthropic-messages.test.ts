import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assembleAnthropicMessages } from '../src/providers/sse/anthropic-messages.js';
import { assembleSseStream } from '../src/providers/sse/assemble.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('Anthropic Messages stream assembly', () => {
  it('assembles text and tool_use blocks, stop reason and the final usage from a captured stream', () => {
    const { response, chunks } = assembleSseStream('anthropic-messages', fixture('anthropic-messages.sse'));
    assert.equal(chunks.length, 13);
    assert.deepEqual(response, {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'text', text: "I'll read the file." },
        { type: 'tool_use', id: 'toolu_01', name: 'Read', input: { file_path: 'a.ts' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      // message_delta replaces the usage of message_start wholesale.
      usage: { output_tokens: 42 },
    });
  });

  it('keeps malformed tool input as the raw concatenation and collects citations', () => {
    const response = assembleAnthropicMessages([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'x', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a": ' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '', citations: [] } },
      { type: 'content_block_delta', index: 1, delta: { type: 'citations_delta', citation: { cited_text: 'c1' } } },
      { type: 'content_block_delta', index: 1, delta: { type: 'citations_delta', citation: { cited_text: 'c2' } } },
      { type: 'content_block_delta', index: 1, delta: { type: 'thinking_delta', thinking: 'ignored' } },
    ]);
    assert.deepEqual(response.content, [
      { type: 'tool_use', id: 't', name: 'x', input: '{"a": ' },
      { type: 'text', text: '', citations: [{ cited_text: 'c1' }, { cited_text: 'c2' }] },
    ]);
  });

  it('ignores deltas for unknown blocks, orders sparse blocks by index and restarts a re-started block', () => {
    const response = assembleAnthropicMessages([
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lost' } },
      { type: 'content_block_start', index: 3, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 3, delta: { type: 'text_delta', text: 'first try' } },
      { type: 'content_block_start', index: 3, content_block: { type: 'text', text: 'kept?' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'thinking', thinking: 'plan' } },
    ]);
    assert.deepEqual(response, { content: [{ type: 'thinking', thinking: 'plan' }, { type: 'text', text: 'kept?' }] });
  });

  it('keeps a present null usage or stop_sequence, as the reference stores whatever JSON it got', () => {
    const response = assembleAnthropicMessages([
      { type: 'message_start', message: { id: 'm', usage: { input_tokens: 1 } } },
      { type: 'message_delta', delta: { stop_sequence: null }, usage: null },
    ]);
    assert.deepEqual(response, { id: 'm', content: [], stop_sequence: null, usage: null });
  });

  it('is the empty aggregate for a JSON error body fed to the stream decoder', () => {
    assert.deepEqual(assembleSseStream('anthropic-messages', '{"type":"error","error":{"type":"overloaded_error"}}').response, { content: [] });
  });
});
