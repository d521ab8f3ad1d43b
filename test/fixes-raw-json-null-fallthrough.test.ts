/**
 * Fix `json-null-fallthrough` (NeMo-Relay #318, relay-cli.md §0.3 and §5.2): the gateway and session
 * layers' multi-path string look-ups skip a path holding null, an object, an array or `""` (HEAD
 * `string_at_any`); the seed stops at the first path that exists. Fixture: a Claude `Agent` tool whose
 * result reports the finished worker as `{"agentId": null, "agent_id": "worker", …}`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayConversationId, gatewayRequestId } from '../src/gateway/identifiers.js';
import { jsonStringAt as gatewayJsonStringAt } from '../src/gateway/json-paths.js';
import { toolHintsFromResponse } from '../src/gateway/response-tool-hints.js';
import { jsonStringAt } from '../src/hooks/index.js';
import { headersFromObject } from '../src/ingest/records/headers.js';
import type { Json } from '../src/json/value.js';
import { codexContextFromValue } from '../src/sessions/alignment/codex-child.js';
import { events, registryAndProfileTests, SEED, type EventJson } from './support/fixes-raw.js';

const FIX = 'json-null-fallthrough';

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 leaves the worker open until the turn ends; the fix closes it with the Agent result', async () => {
    const workerEnd = (list: EventJson[]) => list.find((e) => e.name === 'subagent:worker' && e.scope_category === 'end') as EventJson;
    const seed = workerEnd(await events(FIX, ...SEED));
    assert.deepEqual(seed.data, { status: 'closed_by_turn_end' });
    assert.match(seed.timestamp, /T11:00:09/, 'at the Stop hook');
    const fixed = workerEnd(await events(FIX));
    assert.deepEqual(fixed.data, { agentId: null, agent_id: 'worker', content: [{ text: 'Looks good', type: 'text' }], status: 'completed' });
    assert.match(fixed.timestamp, /T11:00:08/, 'at the Agent tool end');
  });
});

describe(`${FIX}: the look-ups (library)`, () => {
  const paths = ['a', 'b', 'c'];

  it('session layer: null, objects, arrays and "" are skipped; the seed stops at them', () => {
    for (const first of [null, { x: 1 }, ['y'], '']) {
      const payload = { a: first, b: 'found' } as Json;
      assert.equal(jsonStringAt(payload, paths), undefined, JSON.stringify(first));
      assert.equal(jsonStringAt(payload, paths, true), 'found', JSON.stringify(first));
    }
    assert.equal(jsonStringAt({ a: 7, b: 'x' }, paths, true), '7', 'a number is string-like');
    assert.equal(jsonStringAt({ a: null }, paths, true), undefined);
  });

  it('gateway layer: the same, on key paths', () => {
    const payload = { conversation: { id: null }, conversationId: 'c' };
    assert.equal(gatewayJsonStringAt(payload, [['conversation', 'id'], ['conversationId']]), undefined);
    assert.equal(gatewayJsonStringAt(payload, [['conversation', 'id'], ['conversationId']], true), 'c');
  });

  it('gateway identifiers fall through the body paths; the header still wins', () => {
    const request = (headers: Record<string, string>, body: Json) => ({ headers: headersFromObject(headers), body });
    const body = { conversation_id: null, conversationId: 'conv', request_id: '', metadata: { request_id: 'req' } };
    assert.equal(gatewayConversationId(request({}, body)), undefined);
    assert.equal(gatewayConversationId(request({}, body), true), 'conv');
    assert.equal(gatewayRequestId(request({ 'x-request-id': 'transport' }, body)), 'transport');
    assert.equal(gatewayRequestId(request({ 'x-request-id': 'transport' }, body), true), 'req');
    assert.equal(gatewayConversationId(request({ 'x-nemo-relay-conversation-id': 'hdr' }, body), true), 'hdr');
  });

  it('response tool hints find the id behind a null one; arguments still stop at a present null (HEAD value_at_any)', () => {
    const response = { choices: [{ message: { tool_calls: [{ id: null, call_id: 'call_1', function: { name: 'shell', arguments: null }, arguments: '{"cmd":"ls"}' }] } }] };
    assert.deepEqual(toolHintsFromResponse(response, undefined), []);
    assert.deepEqual(toolHintsFromResponse(response, undefined, true), [{ toolCallId: 'call_1', toolName: 'shell', arguments: null, source: 'openai_chat_tool_call' }]);
  });

  it('Codex child detection reads the parent thread behind a null one', () => {
    const start = { source: { subagent: { thread_spawn: { parent_thread_id: null } } }, payload: { source: { subagent: { thread_spawn: { parent_thread_id: 'parent' } } } } };
    assert.equal(codexContextFromValue(start), undefined);
    assert.equal(codexContextFromValue(start, true)?.parentSessionId, 'parent');
  });
});
