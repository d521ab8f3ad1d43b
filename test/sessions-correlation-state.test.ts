/**
 * A session's correlation state is kept in place where copying it made long turns quadratic: the
 * request affinity map is learned into and forgotten from in place (its task texts filed under their
 * owner). Checked against the state as it was kept before (a copy per change, a sweep per close), on
 * random sequences of what a turn does.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { requestAffinityKey } from '../src/gateway/request-affinity.js';
import type { Json } from '../src/json/value.js';
import { gatewayStart, Harness, promptSubmitted, subagentEnded, subagentStarted } from './fixtures/sessions/harness.js';

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
