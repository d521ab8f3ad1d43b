import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson } from '../src/json/parse.js';
import { JsonNumber, type Json } from '../src/json/value.js';
import { atifContentValue, unwrapLlmRequest } from '../src/providers/content.js';
import { extractUserMessage } from '../src/providers/request.js';
import { extractResponseMessage } from '../src/providers/response.js';
import { extractToolCalls, normalizeToolArguments } from '../src/providers/tool-calls.js';
import { extractMetrics } from '../src/providers/usage.js';

const user = (b: Json) => extractUserMessage(b);

test('request: OpenAI Chat / Anthropic messages take the latest user-like message', () => {
  assert.deepEqual(user({ messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'x' }, { role: 'user', content: 'latest' }] }), { value: 'latest', branch: 'REQ_MESSAGES_LAST_USER' });
  assert.equal(user({ messages: [{ content: 'role-less counts' }, { role: 'assistant', content: 'x' }] }).value, 'role-less counts');
  // Anthropic tool_result blocks in a user message are not ATIF parts: stringified canonically.
  assert.equal(user({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] }] }).value, '[{"content":"ok","tool_use_id":"t","type":"tool_result"}]');
  const parts = [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }];
  assert.deepEqual(user({ messages: [{ role: 'user', content: parts }] }).value, parts);
  assert.equal(user({ messages: [{ role: 'user', content: null }] }).value, '');
  // The latest user message without content stops the scan; the body then falls through.
  assert.deepEqual(user({ messages: [{ role: 'user', content: 'old' }, { role: 'user' }], prompt: 'p' }), { value: 'p', branch: 'REQ_PROMPT' });
});

test('request: OpenAI Responses input, prompt, whole body', () => {
  assert.deepEqual(user({ input: 'do it' }), { value: 'do it', branch: 'REQ_RESPONSES_INPUT' });
  const input = [
    { role: 'user', content: [{ type: 'input_text', text: 'Initial task' }] },
    { role: 'assistant', content: [{ type: 'output_text', text: 'x' }] },
    { role: 'user', content: [{ type: 'input_text', text: 'a' }, { type: 'input_text', text: 'b' }] },
  ];
  assert.equal(user({ input }).value, 'a\nb');
  assert.equal(user({ input: [{ role: 'user', content: 'kept' }, { role: 'user', content: [{ type: 'input_image' }] }] }).value, 'kept', 'an item yielding nothing continues the scan');
  assert.equal(user({ input: [{ content: 'no role does not count here' }] }).branch, 'REQ_WHOLE_BODY');
  assert.deepEqual(user({ prompt: null }), { value: '', branch: 'REQ_PROMPT' });
  assert.deepEqual(user({ z: 1, a: [true] }), { value: '{"a":[true],"z":1}', branch: 'REQ_WHOLE_BODY' });
  assert.equal(user('plain').value, 'plain');
});

test('the transport envelope is unwrapped only when content and headers are both present', () => {
  assert.equal(unwrapLlmRequest({ content: null, headers: {} }), null);
  assert.deepEqual(unwrapLlmRequest({ content: 'x' }), { content: 'x' });
});

test('ATIF content values: strings and valid parts pass, everything else is canonical JSON', () => {
  assert.equal(atifContentValue(parseJson('{"b":1.0,"a":2}')), '{"a":2,"b":1.0}');
  assert.deepEqual(atifContentValue([]), []);
  assert.equal(atifContentValue([{ type: 'image', source: { media_type: 'image/bmp', path: 'x' } }]), '[{"source":{"media_type":"image/bmp","path":"x"},"type":"image"}]');
  assert.deepEqual(atifContentValue([{ type: 'image', source: { media_type: 'image/png', path: 'x' } }]), [{ type: 'image', source: { media_type: 'image/png', path: 'x' } }]);
});

test('response: each provider shape and its branch', () => {
  const r = (d: Json) => extractResponseMessage(d);
  assert.deepEqual(r({ content: '', tool_calls: [] }), { value: '', branch: 'RESP_CONTENT' });
  assert.equal(r({ assistant_message: { content: 'hermes' }, raw_response: { choices: [{ message: { content: 'raw' } }] } }).branch, 'RESP_ASSISTANT_MESSAGE');
  assert.equal(r({ assistant_message: { content: null }, raw_response: { choices: [{ message: { content: 'raw' } }] } }).value, 'raw');
  assert.equal(r({ raw_response: 'nope', choices: [{ message: { content: 'ignored' } }] }).branch, 'RESP_WHOLE_BODY', 'a present non-object raw_response does not fall back');
  assert.deepEqual(r({ choices: [{ message: { content: 'chat' } }] }), { value: 'chat', branch: 'RESP_CHOICES_MESSAGE' });
  assert.equal(r({ answer: 42 }).value, '42');
  assert.deepEqual(r({ output: [{ type: 'message', content: [{ type: 'output_text', text: 'a' }] }, { type: 'output_text', text: 'b' }] }), { value: 'a\nb', branch: 'RESP_RESPONSES_OUTPUT' });
  assert.equal(r({ output_text: 'direct', output: [] }).value, 'direct');
  assert.deepEqual(r({ choices: [{ message: { content: null, tool_calls: [] } }] }), { value: '', branch: 'RESP_TOOL_CALLS_ONLY' });
  // Anthropic: all-text blocks are ATIF parts; a tool_use block makes the array a string at the seed.
  assert.deepEqual(r({ type: 'message', content: [{ type: 'text', text: 'hi' }] }).value, [{ type: 'text', text: 'hi' }]);
  assert.equal(typeof r({ type: 'message', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] }).value, 'string');
  assert.equal(r('string response').value, 'string response');
});

test('tool calls: chat, Hermes, Responses; ids, names, arguments, extra', () => {
  const chat = extractToolCalls({ choices: [{ message: { tool_calls: [{ id: 'c1', type: 'function', provider_data: { t: 1 }, function: { name: 'search', arguments: '{"q":"x"}', schema_version: 'v1' } }] } }] });
  assert.deepEqual(chat, [{ tool_call_id: 'c1', function_name: 'search', arguments: { q: 'x' }, extra: { provider_data: { t: 1 }, function: { schema_version: 'v1' } } }]);
  const hermes = extractToolCalls({ assistant_message: { tool_calls: [{ name: 'terminal', arguments: '[1]' }] } });
  assert.deepEqual(hermes, [{ tool_call_id: 'terminal:1', function_name: 'terminal', arguments: { value: [1] } }]);
  const responses = extractToolCalls({ output: [{ type: 'reasoning' }, { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'sh', arguments: 'not json', status: 'completed' }] });
  assert.deepEqual(responses, [{ tool_call_id: 'fc_1', function_name: 'sh', arguments: { raw: 'not json' }, extra: { status: 'completed' } }], 'id wins over call_id (quirk Q3)');
  assert.equal(extractToolCalls({ tool_calls: [{ id: 'a', name: 'x' }, 'junk'] }), undefined, 'one non-object element voids them all');
  assert.equal(extractToolCalls({ tool_calls: [], assistant_message: { tool_calls: [{ id: 'h', name: 'n' }] } }), undefined, 'an empty top-level array hides the others');
  assert.deepEqual(extractToolCalls({ tool_calls: [{ id: 5, name: 'n' }] })?.[0].tool_call_id, 'n:1', 'first-present id of the wrong type counts as missing');
  assert.deepEqual(extractToolCalls({ tool_calls: [{ function: { name: null }, name: 'fallback', id: 'i' }] })?.[0].function_name, '', 'a present null function.name does not fall through');
  assert.equal(extractToolCalls({ tool_calls: [{ type: 'function' }] }), undefined);
  assert.deepEqual(normalizeToolArguments(null), {});
  assert.deepEqual(normalizeToolArguments(3), { value: 3 });
});

test('metrics: provider usage shapes', () => {
  assert.deepEqual(extractMetrics({ usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, prompt_tokens_details: { cached_tokens: 4 } } }), {
    prompt_tokens: 10, completion_tokens: 20, cached_tokens: 4, extra: { total_tokens: 30, prompt_tokens_details: { cached_tokens: 4 } },
  });
  const anthropic = extractMetrics({ usage: { input_tokens: 11, output_tokens: 22, cache_read_input_tokens: 3, cache_creation_input_tokens: 5 } });
  assert.equal(anthropic?.cached_tokens, 8);
  const responses = extractMetrics({ usage: { input_tokens: 11, output_tokens: 7, input_tokens_details: { cached_tokens: 2 } } });
  assert.equal(responses?.cached_tokens, undefined, 'input_tokens_details is not read at the seed');
  assert.equal(extractMetrics({ token_usage: null, usage: { prompt_tokens: 1 } }), undefined, 'a present token_usage hides usage');
  assert.equal(extractMetrics({ usage: { total_tokens: 5, cost_usd: 1 } }), undefined, 'no counts, no metrics');
  const lossy = extractMetrics(parseJson('{"usage":{"prompt_tokens":12.0,"input_tokens":9,"completion_tokens":"4","cached_tokens":-1}}') as Json);
  assert.deepEqual({ p: lossy?.prompt_tokens, c: lossy?.completion_tokens, k: lossy?.cached_tokens }, { p: 9, c: undefined, k: undefined }, '12.0, "4" and -1 are not u64');
  const big = extractMetrics(parseJson('{"usage":{"prompt_tokens":123456789012345678901}}') as Json);
  assert.equal(big, undefined, 'beyond u64 is not a count');
  const exact = extractMetrics(parseJson('{"usage":{"prompt_tokens":9007199254740993}}') as Json);
  assert.ok(exact?.prompt_tokens instanceof JsonNumber && exact.prompt_tokens.text === '9007199254740993', 'kept exact past 2^53');
});
