/**
 * A session's correlation state is kept in place where copying it made long turns quadratic: the
 * request affinity map is learned into and forgotten from in place (its task texts filed under their
 * owner), hints are appended in place, and the hint cleanup skips the lists while a bound on their
 * insertion times says none has expired. Checked against the state as it was kept before (a copy per
 * change, a sweep per close, every hint's age looked at), on random sequences of what a turn does.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { cleanupCorrelationState, LLM_HINT_TTL_NS, TOOL_HINT_TTL_NS } from '../src/gateway/owner-resolution.js';
import { requestAffinityKey } from '../src/gateway/request-affinity.js';
import type { Json } from '../src/json/value.js';
import type { SessionInput } from '../src/sessions/events.js';
import { gatewayStart, Harness, llmHint, promptSubmitted, subagentEnded, subagentStarted, T0, toolEnded, toolStarted } from './fixtures/sessions/harness.js';

const TEACHING = new Set(['explicit', 'single_hint', 'matched_hint', 'active_subagent', 'subagent_start', 'request_affinity']);

/** Learning as it was written: a new map for every change. */
function learnByCopy(map: ReadonlyMap<string, string | null>, content: Json, owner: string | undefined, status: string): ReadonlyMap<string, string | null> {
  if (!TEACHING.has(status) || owner === undefined) return map;
  const key = requestAffinityKey(content);
  if (key === undefined) return map;
  if (!map.has(key)) return new Map(map).set(key, owner);
  if (map.get(key) === owner) return map;
  return new Map(map).set(key, null);
}

const worker = fc.constantFrom('w1', 'w2', 'w3');
const TASKS = ['Refactor the parser module and add tests', 'Write the migration guide for version two', 'Find why the build is slow on CI runners', 'short'];
const affinityOp = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('start' as const), worker }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('end' as const), worker }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('call' as const), task: fc.nat(TASKS.length - 1), header: fc.option(worker, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'prompt' as const }) },
);

it('the request affinity map learns and forgets as copying it did, in the same order', () => {
  fc.assert(
    fc.property(fc.array(affinityOp, { maxLength: 40 }), (ops) => {
      const h = new Harness();
      h.apply([promptSubmitted({ sessionId: 's' })]);
      let expected: ReadonlyMap<string, string | null> = new Map();
      const active = new Set<string>();
      for (const o of ops) {
        switch (o.op) {
          case 'start':
            h.apply([subagentStarted({ sessionId: 's', subagentId: o.worker })]);
            active.add(o.worker);
            break;
          case 'end':
            h.apply([subagentEnded({ sessionId: 's', subagentId: o.worker })]);
            if (active.delete(o.worker)) expected = new Map([...expected].filter(([, owner]) => owner !== o.worker));
            break;
          case 'call': {
            const content = { model: 'gpt-test', input: TASKS[o.task] };
            const call = h.startLlm(gatewayStart({ sessionId: 's', subagentId: o.header, content }));
            const owner = call.attribution.owner;
            expected = learnByCopy(expected, content, owner.subagentId, owner.status);
            h.end(call);
            break;
          }
          case 'prompt':
            h.apply([promptSubmitted({ sessionId: 's' })]);
            active.clear();
            expected = new Map();
            break;
        }
        assert.deepEqual([...h.session('s').requestAffinity], [...expected]);
      }
    }),
    { numRuns: 400, seed: 20261127 },
  );
});

const S = 1_000_000_000n;
/** Mostly forward, across the 300 s TTL and far past it; sometimes back (an idle sweep's tick may stand before the last record). */
const dt = fc.constantFrom(0n, 1n * S, 60n * S, 299n * S, 300n * S, 301n * S, 900n * S, -1n * S, -120n * S);
const callId = fc.constantFrom('c0', 'c1', 'c2');
const toolCall = (id: string) => ({ output: [{ type: 'function_call', call_id: id, name: 'read', arguments: '{"p":1}' }] });
const hintOp = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('hint' as const), dt, tool: fc.option(callId, { nil: undefined }), worker: fc.option(worker, { nil: undefined }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('call' as const), dt, tool: fc.option(callId, { nil: undefined }), header: fc.option(worker, { nil: undefined }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('tool' as const), dt, id: callId }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('start' as const), dt, worker }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('end' as const), dt, worker }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('prompt' as const), dt }) },
);

it('the hint cleanup drops what looking at every hint’s age drops, whenever it runs', () => {
  let toolHintsSeen = 0;
  fc.assert(
    fc.property(fc.array(hintOp, { maxLength: 40 }), (ops) => {
      const h = new Harness();
      let now = T0 + 1000n * S;
      const apply = (event: SessionInput) => {
        h.tick(now);
        h.manager.applyHookEvents([event], () => undefined);
      };
      apply(promptSubmitted({ sessionId: 's' }));
      for (const o of ops) {
        now += o.dt;
        switch (o.op) {
          case 'hint':
            apply(llmHint({ sessionId: 's', subagentId: o.worker, payload: o.tool === undefined ? {} : toolCall(o.tool) }));
            break;
          case 'call': {
            h.tick(now);
            const response = o.tool === undefined ? { output_text: 'ok' } : toolCall(o.tool);
            const start = gatewayStart({ sessionId: 's', subagentId: o.header });
            const call = h.manager.beginGatewayCall(start, { kind: 'buffered', status: 200, response, notes: [] }, () => undefined, { captureId: 'cap', method: 'POST', path: '/test', startedNs: now });
            h.manager.finishGatewayCall(call);
            break;
          }
          case 'tool':
            apply(toolStarted({ sessionId: 's', toolCallId: o.id, toolName: 'read', arguments: { p: 1 } }));
            apply(toolEnded({ sessionId: 's', toolCallId: o.id, toolName: 'read', arguments: { p: 1 } }));
            break;
          case 'start':
            apply(subagentStarted({ sessionId: 's', subagentId: o.worker }));
            break;
          case 'end':
            apply(subagentEnded({ sessionId: 's', subagentId: o.worker }));
            break;
          case 'prompt':
            apply(promptSubmitted({ sessionId: 's' }));
            break;
        }
        const session = h.session('s');
        const pending = [...session.pendingLlmHints, ...session.toolHints.items];
        toolHintsSeen += session.toolHints.items.length;
        if (session.oldestHintNs === undefined) assert.equal(pending.length, 0, 'hints are pending, so their oldest is known');
        // Now, and just before and after each pending hint expires: the cleanup keeps exactly the live ones.
        const probes = [now, ...pending.flatMap((p) => [p.insertedAtNs + LLM_HINT_TTL_NS, p.insertedAtNs + LLM_HINT_TTL_NS + 1n])];
        for (const at of probes) {
          const cleaned = cleanupCorrelationState(session.ownerSnapshot(), at);
          const alive = (ttl: bigint) => (p: { insertedAtNs: bigint }) => (at > p.insertedAtNs ? at - p.insertedAtNs : 0n) <= ttl;
          assert.deepEqual(cleaned.pendingLlmHints, session.pendingLlmHints.filter(alive(LLM_HINT_TTL_NS)));
          assert.deepEqual(cleaned.pendingToolHints, session.toolHints.items.filter(alive(TOOL_HINT_TTL_NS)));
        }
      }
    }),
    { numRuns: 500, seed: 20261127 },
  );
  assert.ok(toolHintsSeen > 0, 'some runs held tool hints');
});
