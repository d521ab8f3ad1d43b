import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkMarkData } from '../src/providers/sse/chunk-summary.js';

describe('llm.chunk mark data', () => {
  it('summarizes an OpenAI Chat chunk with choice indices, finish reasons and usage', () => {
    const data = chunkMarkData(3, {
      object: 'chat.completion.chunk',
      choices: [{ index: 0, finish_reason: 'stop' }, { index: 1, finish_reason: null }, { finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } },
    });
    assert.deepEqual(data, {
      chunk_index: 3,
      provider: 'openai_chat_completions',
      event_type: 'chat.completion.chunk',
      choice_indices: [0, 1],
      finish_reasons: [{ choice_index: 0, finish_reason: 'stop' }, { finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, cache_read_tokens: 1 },
    });
  });

  it('summarizes an OpenAI Responses event, reading status and usage from the response', () => {
    const data = chunkMarkData(0, {
      type: 'response.incomplete',
      output_index: 2,
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 9, output_tokens: 1, input_tokens_details: { cached_tokens: 4 } } },
    });
    assert.deepEqual(data, {
      chunk_index: 0,
      provider: 'openai_responses',
      event_type: 'response.incomplete',
      indices: { output_index: 2 },
      status: 'incomplete',
      finish_reason: 'max_output_tokens',
      usage: { prompt_tokens: 9, completion_tokens: 1, cache_read_tokens: 4 },
    });
  });

  it('lets a present null decide, as Option::or_else does (no fall-back to the other place)', () => {
    const data = chunkMarkData(1, { type: 'response.created', status: 'top-level', response: { status: null }, usage: null });
    assert.deepEqual(data, { chunk_index: 1, provider: 'openai_responses', event_type: 'response.created' });
  });

  it('summarizes Anthropic events with index, stop reason and usage totals', () => {
    assert.deepEqual(chunkMarkData(5, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 12 } }), {
      chunk_index: 5,
      provider: 'anthropic_messages',
      event_type: 'message_delta',
      stop_reason: 'end_turn',
      usage: { completion_tokens: 12 },
    });
    assert.deepEqual(
      chunkMarkData(0, { type: 'message_start', message: { usage: { input_tokens: 3, output_tokens: 1, cache_read_input_tokens: 2, cache_creation_input_tokens: 7 } } }).usage,
      { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, cache_read_tokens: 2, cache_write_tokens: 7 },
    );
    assert.deepEqual(chunkMarkData(2, { type: 'content_block_delta', index: 1 }).indices, { index: 1 });
  });

  it('marks anything else as unknown', () => {
    assert.deepEqual(chunkMarkData(7, { type: 'error' }), { chunk_index: 7, provider: 'unknown' });
    assert.deepEqual(chunkMarkData(8, [1, 2]), { chunk_index: 8, provider: 'unknown' });
  });
});
