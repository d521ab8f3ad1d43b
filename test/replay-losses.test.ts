/**
 * README, Reliability: "Nothing is lost silently". What the replay keeps as live but cannot show in
 * the trajectories (a request or response it could not read, a hook the session layer dropped) is
 * counted in its stats, and named, the first one by file and line, in the notes under the summary.
 */
import assert from 'node:assert/strict';
import { parseJson } from '../src/json/parse.js';
import { firstStreamError } from '../src/providers/sse/stream-error.js';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { formatRfc3339 } from '../src/ingest/time.js';
import { describeReplay, replayRecords } from '../src/pipeline/raw.js';
import { at, gatewayRecord, hookRecord, ndjson, readAll, replayLines } from './fixtures/sessions/records.js';

/** A gateway capture with its request body fields replaced by `body` (none when empty). */
function captureWithRequest(id: string, seconds: number, body: Record<string, Json>): Json {
  const { body: _dropped, ...rest } = gatewayRecord(id, seconds, {}) as Record<string, Json>;
  return { ...rest, ...body };
}

/** A HAR entry; `postData` left out when undefined. */
function harEntry(seconds: number, postData: Json | undefined, content: Json): Json {
  const request: Record<string, Json> = { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [{ name: 'content-type', value: 'application/json' }] };
  if (postData !== undefined) request.postData = postData;
  return { startedDateTime: at(seconds), time: 500, request, response: { status: 200, headers: [{ name: 'content-type', value: 'application/json' }], content } };
}

const ANSWER = { mimeType: 'application/json', text: JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'ok' } }] }) };

describe('a gateway call with no request body at all', () => {
  it('counts with the request bodies that are not JSON, "no body" for its reason (gateway capture and HAR entry)', async () => {
    const result = await replayLines([
      captureWithRequest('none', 1, {}),
      harEntry(3, undefined, ANSWER),
      captureWithRequest('empty', 5, { body_text: '' }),
    ]);
    assert.equal(result.stats.gatewayCalls, 3);
    assert.equal(result.stats.requestBodiesNotJson, 3);
    const note = describeReplay(result.stats).find((n) => n.includes('request body'));
    assert.equal(note, '3 gateway calls had a request body that is missing or not JSON, replayed as live with a null request (no messages, model or body session id); the first: in.ndjson:1: no body');
  });
});

/** A chat completions capture whose response is `response` (status 200 unless it says). */
function captureWithResponse(id: string, seconds: number, response: Record<string, Json>, body: Json = { model: 'm', messages: [] }): Json {
  return { ...(gatewayRecord(id, seconds, { body }) as Record<string, Json>), response: { status: 200, ...response } };
}

const gzipCutShort = 'H4sIAAAAAAAAA6tWKs7MS1eyUlAqSSxKSSxJVagFAA==';
const chunk = (content: string) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}`;
const streamed = { model: 'm', stream: true, messages: [] };
const sse = { 'content-type': 'text/event-stream' };
/** One server-sent event of a typed stream (Responses, Anthropic): `event:` its type, `data:` its JSON. */
const frame = (event: Json) => `event: ${String((event as { type: string }).type)}\ndata: ${JSON.stringify(event)}\n\n`;
/** A gateway capture of a streamed call to `path` answered 200 with the event stream `sseText`. */
const streamCapture = (id: string, seconds: number, path: string, body: Json, sseText: string): Json =>
  ({ ...(gatewayRecord(id, seconds, { path, body }) as Record<string, Json>), response: { status: 200, headers: sse, sse: sseText } }) as Json;

type Replayed = Awaited<ReturnType<typeof replayLines>>;
/** Each gateway call's capture id, with why its response was not read in full (undefined: it was). */
const notReadByCapture = (r: Replayed): Array<[string, string | undefined]> => r.attributions.all.map((a) => [a.captureId, a.responseNotRead]);
/** The LLM end events the replay wrote, in timeline order. */
const llmEnds = (r: Replayed) => r.events.filter((e) => e.category === 'llm' && e.scopeCategory === 'end');

describe('a gateway call whose response was not read in full', () => {
  it('counts a body that cannot be decoded, is not captured or breaks off, and a stream that breaks off; a response read in full does not count', async () => {
    const result = await replayLines([
      captureWithResponse('fine', 0, { body: { choices: [{ message: { role: 'assistant', content: 'ok' } }] } }),
      captureWithResponse('gzip', 1, { headers: { 'content-encoding': 'gzip' }, body_base64: gzipCutShort }),
      captureWithResponse('base64', 3, { body_base64: '@@@' }),
      harEntry(5, { mimeType: 'application/json', text: '{"model":"m","messages":[]}' }, { mimeType: 'application/json' }),
      captureWithResponse('bad-frame', 7, { headers: sse, sse: `${chunk('par')}\n\ndata: {oops\n\n${chunk('lost')}\n\n` }, streamed),
      captureWithResponse('cr-only', 9, { headers: sse, sse: 'data: {}\r\rdata: {}\r\r' }, streamed),
      captureWithResponse('long-frame', 10, { headers: sse, sse: `data: {oops${'x'.repeat(1000)}\n\n` }, streamed),
      captureWithResponse('cut', 11, { headers: sse, sse: `${chunk('a')}\n\n`, error: 'connection reset mid-stream' }, streamed),
      captureWithResponse('whole-stream', 13, { headers: sse, sse: `${chunk('a')}\n\ndata: [DONE]\n\n` }, streamed),
    ]);
    const notRead = new Map(notReadByCapture(result));
    assert.equal(notRead.get('fine'), undefined);
    assert.equal(notRead.get('whole-stream'), undefined);
    assert.match(notRead.get('gzip') ?? '', /^content-encoding "gzip" body failed to decode: /);
    assert.equal(notRead.get('base64'), 'body_base64 is not valid base64');
    assert.equal(notRead.get('in.ndjson:4'), 'the response body was not captured');
    assert.match(notRead.get('bad-frame') ?? '', /^the stream broke off: frame 2: streaming codec failed to parse SSE data payload: .*: \{oops$/);
    // The whole CR-only stream is one frame, quoted in its reason: kept to one short line.
    assert.match(notRead.get('cr-only') ?? '', /^the stream broke off: frame 1: streaming codec failed to parse SSE data payload: .*: \{\}\\r\\rdata: \{\}\\r\\r$/);
    assert.match(notRead.get('long-frame') ?? '', /^the stream broke off: frame 1: .*\{oopsxxx+…$/);
    assert.equal(notRead.get('long-frame')?.length, 201);
    assert.equal(notRead.get('cut'), 'the stream broke off: connection reset mid-stream');
    assert.equal(result.stats.responsesNotRead, 7);
    const note = describeReplay(result.stats).find((n) => n.includes('response'));
    assert.match(
      note ?? '',
      /^7 gateway calls had a response that could not be read in full \(a transport error, a body that cannot be read, a stream that broke off, carried an error event, held no event or ended before its answer, a JSON body for a stream or a stream for a buffered call\), replayed as live as far as it was read: the rest of the answer \(text, tool calls, usage\) is not in the output; the first: in\.ndjson:2: content-encoding "gzip" body failed to decode: /,
    );
  });

  it('counts a response captured as the other kind than its request asked for (a JSON body for a stream, a stream for a buffered call), converted as live', async () => {
    const answer = { choices: [{ message: { role: 'assistant', content: 'ok' } }] };
    const error = { error: { type: 'rate_limit_error', message: 'slow down' } };
    const whole = `${chunk('a')}\n\ndata: [DONE]\n\n`;
    const result = await replayLines([
      captureWithResponse('json-for-stream', 0, { headers: { 'content-type': 'application/json' }, body: answer }, streamed),
      captureWithResponse('json-text-for-stream', 1, { body_text: JSON.stringify(answer) }, streamed),
      captureWithResponse('error-for-stream', 2, { status: 429, body: error }, streamed),
      harEntry(3, { mimeType: 'application/json', text: JSON.stringify(streamed) }, ANSWER),
      captureWithResponse('stream-for-json', 4, { headers: sse, sse: whole }),
      captureWithResponse('stream-text-for-json', 5, { headers: sse, body_text: whole }),
      captureWithResponse('buffered', 6, { body: answer }),
      captureWithResponse('streamed', 7, { headers: sse, sse: whole }, streamed),
      // A stream captured as plain text with no event-stream type is still read as one.
      captureWithResponse('stream-text', 8, { body_text: whole }, streamed),
    ]);
    const jsonForStream = (status: number) =>
      `the request asked for a stream ("stream": true) but the response (HTTP ${status}) was captured as a JSON body, not an event stream: its answer is not read, as live`;
    const streamForJson = `the request did not ask for a stream but the response (HTTP 200) was captured as an event stream: only its size is read ({"body_bytes": ${Buffer.byteLength(whole)}}), as live`;
    assert.deepEqual(
      result.attributions.all.map((a) => [a.captureId, a.outcome, a.responseNotRead]),
      [
        ['json-for-stream', 'streamed', jsonForStream(200)],
        ['json-text-for-stream', 'streamed', jsonForStream(200)],
        ['error-for-stream', 'streamed', jsonForStream(429)],
        ['in.ndjson:4', 'streamed', jsonForStream(200)],
        ['stream-for-json', 'buffered', streamForJson],
        ['stream-text-for-json', 'buffered', streamForJson],
        ['buffered', 'buffered', undefined],
        ['streamed', 'streamed', undefined],
        ['stream-text', 'streamed', undefined],
      ],
    );
    assert.equal(result.stats.responsesNotRead, 6);
    assert.deepEqual(result.stats.firstResponseNotRead, { origin: { file: 'in.ndjson', line: 1 }, reason: jsonForStream(200) });
    // Converted as live all the same: the JSON answer is not in the stream's (empty) aggregate, the stream is its size.
    const ends = llmEnds(result);
    assert.deepEqual(ends[0]?.data, { choices: [] });
    assert.deepEqual(ends[4]?.data, { body_bytes: Buffer.byteLength(whole) });
  });

  it("counts a stream that carried the provider's own error event (HTTP 200, the answer cut there), converted as live", async () => {
    const dataFrame = (event: Json) => `data: ${JSON.stringify(event)}\n\n`;
    const anthropic = (id: string, seconds: number, sseText: string) =>
      ({ ...(gatewayRecord(id, seconds, { path: '/v1/messages', body: { model: 'claude', stream: true, messages: [] } }) as Record<string, Json>), response: { status: 200, headers: sse, sse: sseText } }) as Json;
    const start = dataFrame({ type: 'message_start', message: { id: 'msg', type: 'message', role: 'assistant', model: 'claude', content: [], usage: { input_tokens: 9, output_tokens: 1 } } });
    const text = dataFrame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) + dataFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Part' } });
    const result = await replayLines([
      // Anthropic: "we may occasionally send errors in the event stream".
      anthropic('overloaded', 0, `${start}${text}event: error\n${dataFrame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}`),
      // OpenRouter / LiteLLM on a chat stream: a chunk with a top-level error object.
      captureWithResponse('router', 2, { headers: sse, sse: `${chunk('a')}\n\n${dataFrame({ object: 'chat.completion.chunk', error: { code: 502, message: 'provider returned error' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] })}data: [DONE]\n\n` }, streamed),
      // Responses API: the failed response carries its error.
      { ...(gatewayRecord('failed', 4, { path: '/v1/responses', body: { model: 'gpt', stream: true, input: 'x' } }) as Record<string, Json>), response: { status: 200, headers: sse, sse: dataFrame({ type: 'response.failed', response: { id: 'resp', status: 'failed', output: [], error: { code: 'server_error', message: 'The model failed' } } }) } },
      // Ordinary streams: no error event, `error: null` on a completed response.
      anthropic('whole', 6, `${start}${text}${dataFrame({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } })}${dataFrame({ type: 'message_stop' })}`),
      { ...(gatewayRecord('completed', 8, { path: '/v1/responses', body: { model: 'gpt', stream: true, input: 'x' } }) as Record<string, Json>), response: { status: 200, headers: sse, sse: dataFrame({ type: 'response.completed', response: { id: 'resp', status: 'completed', output: [], error: null } }) } },
      captureWithResponse('chat', 10, { headers: sse, sse: `${chunk('a')}\n\ndata: [DONE]\n\n` }, streamed),
      // A chat chunk whose error is a bare message counts; one with an empty error member (some servers
      // send one on every chunk) is an ordinary stream.
      ...[['text', 'upstream timed out'], ['empty-string', ''], ['false', false], ['null', null]].map(([id, error], i) =>
        captureWithResponse(`chat-error-${String(id)}`, 12 + 2 * i, { headers: sse, sse: `${dataFrame({ object: 'chat.completion.chunk', error: error as Json, choices: [{ index: 0, delta: { content: 'a' } }] })}data: [DONE]\n\n` }, streamed),
      ),
    ]);
    assert.deepEqual(notReadByCapture(result), [
      ['overloaded', 'the stream carried an error event (chunk 4: overloaded_error: Overloaded): the answer ends there, as live'],
      ['router', 'the stream carried an error event (chunk 2: 502: provider returned error): the answer ends there, as live'],
      ['failed', 'the stream carried an error event (chunk 1: server_error: The model failed): the answer ends there, as live'],
      ['whole', undefined],
      ['completed', undefined],
      ['chat', undefined],
      ['chat-error-text', 'the stream carried an error event (chunk 1: upstream timed out): the answer ends there, as live'],
      ['chat-error-empty-string', undefined],
      ['chat-error-false', undefined],
      ['chat-error-null', undefined],
    ]);
    assert.equal(result.stats.responsesNotRead, 4);
    // Converted as live: the answer is what came before the error.
    const ends = llmEnds(result);
    assert.deepEqual((ends[0]?.data as { content: Json }).content, [{ type: 'text', text: 'Part' }]);
  });

  it('counts a stream that holds no event at all (an empty body, comments only): the capture kept none of its answer', async () => {
    const result = await replayLines([
      captureWithResponse('empty', 0, { headers: sse, sse: '' }, streamed),
      captureWithResponse('pings', 2, { headers: sse, sse: ': ping\r\n\r\n: ping\r\n\r\n' }, streamed),
      captureWithResponse('done-only', 4, { headers: sse, sse: 'data: [DONE]\n\n' }, streamed),
      captureWithResponse('one-event', 6, { headers: sse, sse: `${chunk('a')}\n\ndata: [DONE]\n\n` }, streamed),
    ]);
    assert.deepEqual(notReadByCapture(result), [
      ['empty', 'the streamed response (HTTP 200, text/event-stream, 0 bytes) holds no event: its answer is empty, as live'],
      ['pings', 'the streamed response (HTTP 200, text/event-stream, 20 bytes) holds no event: its answer is empty, as live'],
      ['done-only', 'the streamed response (HTTP 200, text/event-stream, 14 bytes) holds no event: its answer is empty, as live'],
      ['one-event', undefined],
    ]);
    // Converted as live: the empty aggregate.
    const ends = llmEnds(result);
    assert.deepEqual(ends[0]?.data, { choices: [] });
  });

  it('counts a chat stream that ended before its answer did: chunks, but no finish_reason and no [DONE]', async () => {
    const finished = `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}`;
    const result = await replayLines([
      captureWithResponse('cut', 0, { headers: sse, sse: `${chunk('Hel')}\n\n${chunk('lo, wor')}\n\n` }, streamed),
      captureWithResponse('no-done', 2, { headers: sse, sse: `${chunk('Hi')}\n\n${finished}\n\n` }, streamed),
      captureWithResponse('no-finish', 4, { headers: sse, sse: `${chunk('Hi')}\n\ndata: [DONE]\n\n` }, streamed),
    ]);
    assert.deepEqual(notReadByCapture(result), [
      ['cut', 'the stream ended before its answer did (2 chunks, no finish_reason, no data: [DONE]): the answer is what came before, as live'],
      ['no-done', undefined],
      ['no-finish', undefined],
    ]);
    assert.equal(result.stats.responsesNotRead, 1);
    // Converted as live: the answer is what came.
    const ends = llmEnds(result);
    assert.equal((ends[0]?.data as { choices: Array<{ message: { content: string } }> }).choices[0].message.content, 'Hello, wor');
  });

  it('counts a Responses stream that ended before its answer did: events, but no response.completed, response.incomplete or response.failed', async () => {
    const responses = (id: string, seconds: number, sseText: string) => streamCapture(id, seconds, '/v1/responses', { model: 'gpt', stream: true, input: 'x' }, sseText);
    const created = frame({ type: 'response.created', response: { id: 'resp', status: 'in_progress', output: [] } });
    const item = { type: 'message', id: 'msg', role: 'assistant', content: [] };
    const partial = `${created}${frame({ type: 'response.output_item.added', output_index: 0, item })}${frame({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hel' })}`;
    const snapshot = (type: string, status: string) => frame({ type, response: { id: 'resp', status, output: [{ ...item, content: [{ type: 'output_text', text: 'Hel' }] }] } });
    const result = await replayLines([
      responses('cut', 0, partial),
      responses('completed', 2, `${partial}${snapshot('response.completed', 'completed')}`),
      // Stopped by max_output_tokens: a whole answer, if a short one.
      responses('incomplete', 4, `${partial}${snapshot('response.incomplete', 'incomplete')}`),
      // A proxy that closes the stream with [DONE]: taken as ended.
      responses('done', 6, `${partial}data: [DONE]\n\n`),
    ]);
    assert.deepEqual(notReadByCapture(result), [
      ['cut', 'the stream ended before its answer did (3 events, no response.completed, response.incomplete or response.failed): the answer is what came before, as live'],
      ['completed', undefined],
      ['incomplete', undefined],
      ['done', undefined],
    ]);
    assert.equal(result.stats.responsesNotRead, 1);
    // Converted as live (this replay has no fixes; responses-stream-deltas would keep the text delta): the
    // created snapshot with the items that came.
    const ends = llmEnds(result);
    assert.deepEqual(ends[0]?.data, { id: 'resp', status: 'in_progress', output: [item] });
  });

  it('counts an Anthropic stream that ended before its answer did: events, but no message_stop (a Claude Code Esc)', async () => {
    const messages = (id: string, seconds: number, sseText: string) =>
      streamCapture(id, seconds, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'x' }] }, sseText);
    const start = frame({ type: 'message_start', message: { id: 'msg', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } });
    const partial = `${start}${frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}${frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me' } })}`;
    const ended = `${frame({ type: 'content_block_stop', index: 0 })}${frame({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } })}${frame({ type: 'message_stop' })}`;
    const result = await replayLines([
      messages('esc', 0, partial),
      messages('whole', 2, `${partial}${ended}`),
      messages('done', 4, `${partial}data: [DONE]\n\n`),
    ]);
    assert.deepEqual(notReadByCapture(result), [
      ['esc', 'the stream ended before its answer did (3 events, no message_stop): the answer is what came before, as live'],
      ['whole', undefined],
      ['done', undefined],
    ]);
    assert.equal(result.stats.responsesNotRead, 1);
    // Converted as live: the text that came, no stop reason.
    const ends = llmEnds(result);
    assert.deepEqual([(ends[0]?.data as { content: Json }).content, (ends[0]?.data as { stop_reason?: Json }).stop_reason], [[{ type: 'text', text: 'Let me' }], undefined]);
  });

  it('counts a transport error (no response); a call that never completed does not count', async () => {
    const failed = { ...(gatewayRecord('failed', 1, {}) as Record<string, Json>), response: null, error: 'upstream connect error' };
    const { ended_at: _never, ...pending } = gatewayRecord('pending', 3, {}) as Record<string, Json>;
    const result = await replayLines([failed, { ...pending, response: null }]);
    assert.deepEqual(result.attributions.all.map((a) => [a.captureId, a.outcome, a.responseNotRead]), [
      ['failed', 'transport-error', 'transport error: upstream connect error'],
      ['pending', 'incomplete', undefined],
    ]);
    assert.equal(result.stats.responsesNotRead, 1);
  });
});

const claude = (seconds: number, payload: Record<string, Json>) => hookRecord('claude-code', seconds, { session_id: 'z', ...payload });
const hermes = (seconds: number, payload: Record<string, Json>) => hookRecord('hermes', seconds, { session_id: 'h1', ...payload });
const postToolUse = { hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_use_id: 't1', tool_response: 'r' };

describe('hooks the session layer drops (as live) are counted and named', () => {
  it('ends for a session never opened: no events, each counted, the first named by file and line', async () => {
    const result = await replayLines([claude(0, postToolUse), claude(1, { hook_event_name: 'SessionEnd' }), claude(2, { hook_event_name: 'SubagentStop', agent_id: 'a1' })]);
    assert.equal(result.events.length, 0);
    assert.equal(result.stats.droppedHooks, 3);
    assert.deepEqual(result.stats.droppedHooksByReason, { session_not_open: 3, turn_not_open: 0, subagent_not_open: 0, subagent_closed_by_child: 0, subagent_stop_after_turn: 0, alias_refused: 0, uncorrelatable: 0 });
    assert.equal(
      describeReplay(result.stats).find((n) => n.includes('produced no events')),
      '3 hooks produced no events, dropped as live: 3 for a session not open (never opened, or already ended); the first: in.ndjson:1: PostToolUse (session_not_open)',
    );
  });

  it('a tool end after its session ended, a second end of a subagent, a turn end with no turn open; the Hermes drop beside them', async () => {
    const result = await replayLines([
      claude(0, { hook_event_name: 'UserPromptSubmit', prompt: 'hi' }),
      claude(1, { hook_event_name: 'SubagentStart', agent_id: 'a1' }),
      claude(2, { hook_event_name: 'SubagentStop', agent_id: 'a1' }),
      claude(3, { hook_event_name: 'SubagentStop', agent_id: 'a1' }),
      // Without a SessionStart, the session ends with its turn; the tool end comes after.
      claude(4, { hook_event_name: 'Stop' }),
      claude(5, postToolUse),
      hermes(6, { hook_event_name: 'UserPromptSubmit', prompt: 'hi' }),
      hermes(7, { hook_event_name: 'on_session_end' }),
      hermes(8, { hook_event_name: 'on_session_end' }),
      hermes(9, { hook_event_name: 'pre_tool_call', tool_name: 'x' }),
    ]);
    assert.deepEqual(result.stats.droppedHooksByReason, { session_not_open: 1, turn_not_open: 1, subagent_not_open: 1, subagent_closed_by_child: 0, subagent_stop_after_turn: 0, alias_refused: 0, uncorrelatable: 1 });
    assert.equal(result.stats.droppedHooks, 4);
    assert.equal(
      describeReplay(result.stats).find((n) => n.includes('produced no events')),
      '4 hooks produced no events, dropped as live: 1 for a session not open (never opened, or already ended), 1 for a turn not open (already ended), ' +
        '1 for a subagent not open (already ended), 1 uncorrelatable (Hermes pre_tool_call); the first: in.ndjson:4: SubagentStop (subagent_not_open)',
    );
  });

  it("a Hermes delegation's subagent_stop after the child session's own end closed it is said apart: expected, once per delegation", async () => {
    const parent = (seconds: number, payload: Record<string, Json>) => hermes(seconds, { session_id: 'parent-session', ...payload });
    const child = (seconds: number, payload: Record<string, Json>) => hermes(seconds, { session_id: 'child-session', ...payload });
    const result = await replayLines([
      parent(0, { hook_event_name: 'on_session_start' }),
      parent(1, { hook_event_name: 'subagent_start', extra: { child_session_id: 'child-session', child_subagent_id: 'sa-1' } }),
      child(2, { hook_event_name: 'on_session_start' }),
      child(3, { hook_event_name: 'on_session_end' }),
      parent(4, { hook_event_name: 'subagent_stop', extra: { child_session_id: 'child-session', child_status: 'completed', child_summary: 'Done.' } }),
      parent(5, { hook_event_name: 'on_session_finalize' }),
    ]);
    assert.deepEqual(result.stats.droppedHooksByReason, { session_not_open: 0, turn_not_open: 0, subagent_not_open: 0, subagent_closed_by_child: 1, subagent_stop_after_turn: 0, alias_refused: 0, uncorrelatable: 0 });
    assert.match(describeReplay(result.stats).find((n) => n.includes('produced no events')) ?? '', /1 ending a Hermes subagent its child session's end had already closed \(Hermes reports both; expected once per delegation\)/);
  });

  it('hooks that emit nothing by design are not drops (a SessionStart merging metadata, a duplicate tool start, the end of a session with no scope of its own); a tool end after that end is', async () => {
    const preToolUse = { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 't1', tool_input: {} };
    const result = await replayLines([
      claude(0, { hook_event_name: 'SessionStart' }),
      claude(1, { hook_event_name: 'UserPromptSubmit', prompt: 'hi' }),
      claude(2, preToolUse),
      claude(3, preToolUse),
      claude(4, postToolUse),
      claude(5, { hook_event_name: 'Stop' }),
      claude(6, { hook_event_name: 'SessionEnd' }),
      claude(7, postToolUse),
    ]);
    assert.equal(result.stats.droppedHooks, 1);
    assert.deepEqual(result.stats.firstDroppedHook, { origin: { file: 'in.ndjson', line: 8 }, eventName: 'PostToolUse', reason: 'session_not_open' });
  });

  it('a Hermes subagent start naming a child session that already had work is refused whole (§3.3 step 5), and counted', async () => {
    const child = (seconds: number, payload: Record<string, Json>) => hookRecord('hermes', seconds, { session_id: 'c1', ...payload });
    const subagentStart = { hook_event_name: 'subagent_start', extra: { child_session_id: 'c1', child_subagent_id: 'sa-1' } };
    const result = await replayLines([
      hermes(0, { hook_event_name: 'UserPromptSubmit', prompt: 'parent' }),
      child(1, { hook_event_name: 'UserPromptSubmit', prompt: 'child worked first' }),
      hermes(2, subagentStart),
    ]);
    assert.deepEqual(result.stats.droppedHooksByReason, { session_not_open: 0, turn_not_open: 0, subagent_not_open: 0, subagent_closed_by_child: 0, subagent_stop_after_turn: 0, alias_refused: 1, uncorrelatable: 0 });
    assert.deepEqual(result.stats.firstDroppedHook, { origin: { file: 'in.ndjson', line: 3 }, eventName: 'subagent_start', reason: 'alias_refused' });
    assert.ok(!result.events.some((e) => e.name.startsWith('subagent:')), 'no subagent scope was opened: the child stays a session of its own');
    assert.equal(
      describeReplay(result.stats).find((n) => n.includes('produced no events')),
      '1 hook produced no events, dropped as live: 1 naming a child session that already had work (its subagent start refused); the first: in.ndjson:3: subagent_start (alias_refused)',
    );
    // Before the child has work, the same start is accepted: an alias, not a drop.
    const accepted = await replayLines([hermes(0, { hook_event_name: 'UserPromptSubmit', prompt: 'parent' }), hermes(1, subagentStart), child(2, { hook_event_name: 'UserPromptSubmit', prompt: 'child' })]);
    assert.equal(accepted.stats.droppedHooks, 0);
    assert.ok(accepted.events.some((e) => e.name === 'subagent:sa-1'), 'the child is a subagent of the parent');
  });
});

describe('a bare hook payload whose own timestamp cannot be read', () => {
  it('is used, timed by position, and counted and named apart from one that has none (a number, a text that is no RFC 3339 time, a year past 9999)', async () => {
    const result = await replayLines(
      [
        { hook_event_name: 'SessionStart', session_id: 's', timestamp: at(1) },
        { hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'a', timestamp: 1780131600 },
        { hook_event_name: 'PreToolUse', session_id: 's', tool_name: 'Bash', tool_use_id: 't', tool_input: {}, timestamp: '2026-13-45T00:00:00Z' },
        { hook_event_name: 'PostToolUse', session_id: 's', tool_name: 'Bash', tool_use_id: 't', tool_response: {}, timestamp: '10000-01-01T00:00:00Z' },
        { hook_event_name: 'Stop', session_id: 's', timestamp: null },
        { hook_event_name: 'SessionEnd', session_id: 's' },
      ],
      { agent: 'claude-code' },
    );
    assert.equal(result.accounting.usedCount('hook'), 6);
    assert.equal(result.stats.untimedHooks, 5);
    assert.equal(result.stats.unreadableHookTimes, 3);
    assert.deepEqual(result.stats.firstUnreadableHookTime, { origin: { file: 'in.ndjson', line: 2 }, reason: '"timestamp" is 1780131600, not an RFC 3339 text' });
    const note = describeReplay(result.stats).find((n) => n.includes('bare hook'));
    assert.equal(
      note,
      '5 bare hook payloads had no usable timestamp (3 had one that cannot be read; the first: in.ndjson:2: "timestamp" is 1780131600, not an RFC 3339 text): ordered by position, timed as the record before them in their file (a gateway capture: when its call ended; before any, as its first timed record)',
    );
    // The tool call is still there, its start and end timed as the record before them.
    assert.equal(result.events.filter((e) => e.category === 'tool').length, 2);
  });

  it('a text that is no RFC 3339 time, or out of range, is named with its reason', async () => {
    for (const [timestamp, reason] of [
      ['yesterday', '"timestamp" "yesterday" is not an RFC 3339 timestamp'],
      ['10000-01-01T00:00:00Z', '"timestamp" "10000-01-01T00:00:00Z" is not an RFC 3339 timestamp'],
      ['0000-12-31T23:59:59Z', '"timestamp" "0000-12-31T23:59:59Z" is outside the years 0001–9999 (UTC) that an ATIF timestamp can hold'],
    ]) {
      const result = await replayLines([{ hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'a', timestamp }], { agent: 'claude-code' });
      assert.equal(result.stats.firstUnreadableHookTime?.reason, reason, timestamp);
    }
  });
});

describe('an id written as a number', () => {
  it('is the text serde_json prints for it, in a hook as in the gateway: session_id 1e2 and the header "100.0" are one session', async () => {
    // Written as text: the number must reach the reader spelled 1e2.
    const hook = (seconds: number, payload: Record<string, Json>) => JSON.stringify(hookRecord('claude-code', seconds, { session_id: 'ID', ...payload })).replace('"ID"', '1e2');
    const result = await replayLines([
      hook(0, { hook_event_name: 'SessionStart' }),
      hook(1, { hook_event_name: 'UserPromptSubmit', prompt: 'q' }),
      gatewayRecord('c1', 1.1, { path: '/v1/messages', headers: { 'x-claude-code-session-id': '100.0' }, body: { model: 'c', messages: [{ role: 'user', content: 'q' }] }, response: { type: 'message', content: [{ type: 'text', text: 'ok' }] } }),
      hook(3, { hook_event_name: 'Stop' }),
    ]);
    const sessions = new Set(result.events.filter((e) => e.category === 'agent').map((e) => (e.metadata as Record<string, Json> | undefined)?.session_id));
    assert.deepEqual([...sessions], ['100.0']);
    const llm = result.events.find((e) => e.category === 'llm' && e.scopeCategory === 'start')!;
    assert.equal((llm.metadata as Record<string, Json>).llm_correlation_status, 'single_hint');
  });
});

describe('bare hook payloads in a file with no timestamp at all', () => {
  it('stay at time 0 (1970), before every timed record of the input, and are counted and named apart from those timed by their file', async () => {
    const bare = (payload: Record<string, Json>) => ({ session_id: 's', ...payload });
    const { records } = await readAll(
      [
        // The first file has a gateway call: the payload before it is timed as it.
        ndjson('timed.ndjson', [bare({ hook_event_name: 'SessionStart' }), gatewayRecord('c1', 1, { headers: { 'x-claude-code-session-id': 's' } })]),
        // The second has no time at all: not even the one that cannot be read.
        ndjson('bare.ndjson', [
          bare({ hook_event_name: 'UserPromptSubmit', prompt: 'a', timestamp: 'yesterday' }),
          bare({ hook_event_name: 'Stop' }),
        ]),
      ],
      { agent: 'claude-code' },
    );
    const result = replayRecords(records);
    const hooks = records.filter((r) => r.kind === 'hook');
    // Placed where they were: by their file's first time, or at 0.
    assert.deepEqual(hooks.map((r) => [`${r.origin.file}:${r.origin.line}`, formatRfc3339(r.atNs)]), [
      ['timed.ndjson:1', at(1).replace('.000Z', '+00:00')],
      ['bare.ndjson:1', '1970-01-01T00:00:00+00:00'],
      ['bare.ndjson:2', '1970-01-01T00:00:00+00:00'],
    ]);
    assert.equal(result.stats.untimedHooks, 3);
    assert.equal(result.stats.unreadableHookTimes, 1);
    assert.equal(result.stats.timelessFileHooks, 2);
    assert.deepEqual(result.stats.firstTimelessFileHook, { file: 'bare.ndjson', line: 1 });
    assert.equal(
      describeReplay(result.stats).find((n) => n.includes('bare hook')),
      '3 bare hook payloads had no usable timestamp (1 had one that cannot be read; the first: bare.ndjson:1: "timestamp" "yesterday" is not an RFC 3339 timestamp): ordered by position; ' +
        '1 timed as the record before them in their file (a gateway capture: when its call ended; before any, as its first timed record), ' +
        '2 in a file with no timestamp at all (the first: bare.ndjson:1): placed at 1970-01-01T00:00:00Z, before every timed record of the input; ' +
        'give them times (a "timestamp" of their own, or a hook record\'s received_at) to order them against gateway calls',
    );
  });

  it('a file of them alone says nothing of the record before them (read decoded, or held as text)', async () => {
    const prompt = { hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'a' };
    const held = await replayLines([prompt], { agent: 'claude-code', holdRaw: true });
    assert.deepEqual([held.stats.timelessFileHooks, held.stats.firstTimelessFileHook], [1, { file: 'in.ndjson', line: 1 }]);
    const result = await replayLines([prompt], { agent: 'claude-code' });
    assert.equal(result.stats.timelessFileHooks, 1);
    assert.equal(
      describeReplay(result.stats).find((n) => n.includes('bare hook')),
      '1 bare hook payload had no timestamp: ordered by position; 1 in a file with no timestamp at all (the first: in.ndjson:1): placed at 1970-01-01T00:00:00Z, before every timed record of the input; ' +
        'give them times (a "timestamp" of their own, or a hook record\'s received_at) to order them against gateway calls',
    );
  });
});

describe('a buffered answer that is not JSON', () => {
  it('counts as not read, with its status and type (only its size is kept, as live); an empty body does not count', async () => {
    const result = await replayLines([
      captureWithResponse('html', 1, { status: 502, headers: { 'content-type': 'text/html' }, body_text: '<html><body>Bad gateway</body></html>' }),
      captureWithResponse('text', 3, { body_text: 'plain words' }),
      captureWithResponse('empty', 5, { status: 204, body_text: '' }),
      captureWithResponse('json', 7, { body: { choices: [{ message: { role: 'assistant', content: 'ok' } }] } }),
      captureWithResponse('html-stream', 9, { status: 502, headers: { 'content-type': 'text/html' }, body_text: '<html>502 Bad Gateway</html>' }, streamed),
    ]);
    assert.equal(result.stats.gatewayCalls, 5);
    assert.equal(result.stats.responsesNotRead, 3, 'the page under a stream too: no event in it');
    assert.deepEqual(result.stats.firstResponseNotRead, {
      origin: { file: 'in.ndjson', line: 1 },
      reason: 'the response (HTTP 502, text/html) is not JSON: only its size is read ({"body_bytes": 37}), as live',
    });
  });
});

describe('gateway calls filed in the shared gateway-gateway session', () => {
  const start = (session: string, seconds: number) => hookRecord('claude-code', seconds, { session_id: session, hook_event_name: 'SessionStart', source: 'startup' });

  it('are counted and the first is named when two sessions were open, and the calls that found it the only session with it', async () => {
    const result = await replayLines([start('a', 0), start('b', 0.1), gatewayRecord('cap-1', 1, {}), gatewayRecord('cap-2', 3, {})]);
    assert.equal(result.stats.fallbackSessionCalls, 2);
    const note = describeReplay(result.stats).find((n) => n.includes('gateway-gateway'));
    assert.match(note ?? '', /^2 gateway calls named no session .* went to the shared gateway-gateway session, as live: a trajectory apart from the hook sessions; the first: in\.ndjson:3: capture cap-1 \(explain --request cap-1 shows its session chain\)$/);
  });

  it('do not count when the call names its session, or when the only session open takes it', async () => {
    const named = await replayLines([start('a', 0), start('b', 0.1), gatewayRecord('cap-1', 1, { headers: { 'x-claude-code-session-id': 'a' } })]);
    const single = await replayLines([start('a', 0), gatewayRecord('cap-1', 1, {})]);
    for (const result of [named, single]) {
      assert.equal(result.stats.fallbackSessionCalls, 0);
      assert.equal(describeReplay(result.stats).some((n) => n.includes('gateway-gateway')), false);
    }
  });
});

describe('firstStreamError', () => {
  it('counts a chat chunk whose error is an object or a message, not a number, array or blank value', () => {
    const chunk = (error: Json) => ({ object: 'chat.completion.chunk', error, choices: [] });
    assert.equal(firstStreamError([chunk({ message: 'rate limited' })])?.description, 'rate limited');
    assert.equal(firstStreamError([chunk('upstream timed out')])?.description, 'upstream timed out');
    // A number too large for a double is read exact (a JsonNumber object): still no error.
    for (const error of [parseJson('12345678901234567890'), 7, [], '  ', '', false, null]) assert.equal(firstStreamError([chunk(error)]), undefined, JSON.stringify(String(error)));
  });
});
