import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { annotateResponse } from '../src/gateway/annotate/annotate.js';
import { parseJson } from '../src/json/parse.js';
import { assembleSseStream } from '../src/providers/sse/assemble.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('annotated_response (route response codecs)', () => {
  it('OpenAI Chat: reproduces the LLM end example of atof-0.1-spec.md §7', () => {
    const data = parseJson(
      '{"choices":[{"finish_reason":"tool_calls","index":0,"message":{"content":null,"role":"assistant","tool_calls":[{"function":{"arguments":"{\\"command\\":\\"pytest -q tests/test_utils.py\\"}","name":"bash"},"id":"call_9Qx2","type":"function"}]}}],"created":1772644871,"id":"chatcmpl-B7x2kQ","model":"gpt-4.1-2025-04-14","object":"chat.completion","system_fingerprint":"fp_3f1a","usage":{"completion_tokens":31,"prompt_tokens":812,"prompt_tokens_details":{"cached_tokens":512},"total_tokens":843}}',
    );
    const expected = parseJson(
      '{"api_specific":{"api":"openai_chat","system_fingerprint":"fp_3f1a"},"created":1772644871,"finish_reason":"tool_use","id":"chatcmpl-B7x2kQ","model":"gpt-4.1-2025-04-14","object":"chat.completion","tool_calls":[{"arguments":{"command":"pytest -q tests/test_utils.py"},"id":"call_9Qx2","name":"bash"}],"usage":{"cache_read_tokens":512,"completion_tokens":31,"prompt_tokens":812,"total_tokens":843}}',
    );
    assert.deepEqual(annotateResponse('OpenAiChatCompletions', data), expected);
  });

  it('OpenAI Chat: skips nameless tool calls, keeps an empty list, maps unknown finish reasons', () => {
    const a = annotateResponse('OpenAiChatCompletions', { choices: [{ message: { content: '', tool_calls: [{ id: 'x' }, { function: { arguments: '{}' } }] }, finish_reason: 'eos' }] });
    assert.deepEqual(a, { message: '', tool_calls: [], finish_reason: { unknown: 'eos' }, api_specific: { api: 'openai_chat' } });
    const b = annotateResponse('OpenAiChatCompletions', { choices: [{ message: { tool_calls: [{ function: { name: 'f', arguments: 'not json' } }] } }] });
    assert.deepEqual(b?.tool_calls, [{ id: '', name: 'f', arguments: 'not json' }]);
  });

  it('fails (no annotation) on a field of the wrong type, as serde does', () => {
    assert.equal(annotateResponse('OpenAiChatCompletions', { choices: [{ message: { content: [{ type: 'text', text: 'multimodal' }] } }] }), undefined);
    assert.equal(annotateResponse('OpenAiChatCompletions', { usage: { prompt_tokens: 1.5 } }), undefined);
    assert.equal(annotateResponse('OpenAiChatCompletions', { usage: { prompt_tokens: -1 } }), undefined);
    assert.equal(annotateResponse('OpenAiResponses', { store: 'yes' }), undefined);
    assert.equal(annotateResponse('AnthropicMessages', { stop_sequence: 3 }), undefined);
    assert.equal(annotateResponse('AnthropicMessages', null), undefined);
    assert.equal(annotateResponse('AnthropicCountTokens', { input_tokens: 3 }), undefined);
  });

  it('OpenAI Responses: text, function call, usage with token details, finish reason and extras', () => {
    const { response } = assembleSseStream('openai-responses', fixture('openai-responses.sse'));
    const a = annotateResponse('OpenAiResponses', response);
    assert.ok(a);
    assert.equal(a.message, 'Hello there');
    assert.deepEqual(a.tool_calls, [{ id: 'call_1', name: 'shell', arguments: { cmd: 'ls' } }]);
    assert.equal(a.finish_reason, 'complete');
    assert.deepEqual(a.usage, { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, cache_read_tokens: 40 });
    const api = a.api_specific as Record<string, unknown>;
    assert.equal(api.api, 'openai_responses');
    assert.equal(api.status, 'completed');
    assert.deepEqual(api.input_tokens_details, { cached_tokens: 40 });
    assert.equal((api.output_items as unknown[]).length, 2);
    assert.equal(a.object, 'response', 'unmodelled keys are flattened');
    assert.equal('status' in a, false, 'modelled keys are not repeated at the top');
  });

  it('OpenAI Responses: incomplete reasons', () => {
    const reason = (details: unknown) => annotateResponse('OpenAiResponses', { status: 'incomplete', incomplete_details: details as never })?.finish_reason;
    assert.equal(reason({ reason: 'max_output_tokens' }), 'length');
    assert.equal(reason({ reason: 'content_filter' }), 'content_filter');
    assert.deepEqual(reason(null), { unknown: 'incomplete' });
    assert.deepEqual(annotateResponse('OpenAiResponses', { status: 'failed' })?.finish_reason, { unknown: 'failed' });
  });

  it('Anthropic Messages: text, tool use, stop reason, usage total and content blocks', () => {
    const { response } = assembleSseStream('anthropic-messages', fixture('anthropic-messages.sse'));
    const a = annotateResponse('AnthropicMessages', { ...response, usage: { input_tokens: 25, output_tokens: 42, cache_read_input_tokens: 5, cache_creation_input_tokens: 10 } });
    assert.deepEqual(a, {
      id: 'msg_01',
      model: 'claude-sonnet-4-5',
      message: "I'll read the file.",
      tool_calls: [{ id: 'toolu_01', name: 'Read', arguments: { file_path: 'a.ts' } }],
      finish_reason: 'tool_use',
      usage: { prompt_tokens: 25, completion_tokens: 42, total_tokens: 67, cache_read_tokens: 5, cache_write_tokens: 10 },
      api_specific: {
        api: 'anthropic_messages',
        object_type: 'message',
        role: 'assistant',
        stop_reason: 'tool_use',
        content_blocks: response.content,
      },
    });
  });

  it('Anthropic Messages: an error body still decodes, with its payload flattened', () => {
    const a = annotateResponse('AnthropicMessages', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    assert.deepEqual(a, { api_specific: { api: 'anthropic_messages', object_type: 'error' }, error: { type: 'overloaded_error', message: 'Overloaded' } });
  });
});
