import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assembleSseStream } from '../src/providers/sse/assemble.js';
import { assembleOpenAiResponses } from '../src/providers/sse/openai-responses.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('OpenAI Responses stream assembly', () => {
  it('returns the completed response snapshot (text, function call and usage) of a captured stream', () => {
    const { response, chunks } = assembleSseStream('openai-responses', fixture('openai-responses.sse'));
    assert.equal(chunks.length, 10);
    assert.equal(response.status, 'completed');
    assert.deepEqual(response.usage, { input_tokens: 100, input_tokens_details: { cached_tokens: 40 }, output_tokens: 20, total_tokens: 120 });
    assert.deepEqual(
      (response.output as Array<{ type: string }>).map((i) => i.type),
      ['message', 'function_call'],
    );
    assert.deepEqual((response.output as unknown[])[1], { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}' });
  });

  it('rebuilds output from output items, by output_index, when the last snapshot has none (a cut stream)', () => {
    const text = fixture('openai-responses.sse').split('event: response.completed')[0];
    const { response } = assembleSseStream('openai-responses', text);
    assert.equal(response.status, 'in_progress');
    assert.deepEqual(
      (response.output as Array<{ id: string; status: string }>).map((i) => [i.id, i.status]),
      [
        ['msg_1', 'completed'],
        ['fc_1', 'completed'],
      ],
    );
  });

  it('ignores text deltas, keeps a present null item, and replaces a non-array output', () => {
    const response = assembleOpenAiResponses([
      { type: 'response.created', response: { id: 'r', output: 'weird' } },
      { type: 'response.output_text.delta', delta: 'ignored' },
      { type: 'response.output_item.added', output_index: 1, item: null },
      { type: 'response.output_item.added', output_index: 0, item: { id: 'a' } },
      { type: 'response.output_item.done', item: { id: 'no index' } },
    ]);
    assert.deepEqual(response, { id: 'r', output: [{ id: 'a' }, null] });
  });

  it('keeps a non-empty snapshot output over the items', () => {
    const response = assembleOpenAiResponses([
      { type: 'response.output_item.done', output_index: 0, item: { id: 'from-item' } },
      { type: 'response.failed', response: { id: 'r', status: 'failed', output: [{ id: 'from-snapshot' }] } },
    ]);
    assert.deepEqual(response.output, [{ id: 'from-snapshot' }]);
  });

  it('is an empty object for a stream with no events', () => {
    assert.deepEqual(assembleSseStream('openai-responses', '').response, {});
  });
});
