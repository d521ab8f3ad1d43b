import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ListIndex } from '../src/atif/list-index.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { convertEvents } from '../src/pipeline/stream.js';
import { at, ev, llmSpan, uuid } from './support/events.js';

describe('ListIndex', () => {
  type Item = { key?: string; n: number };
  const op = fc.oneof(fc.record({ push: fc.constantFrom('a', 'b', 'c', undefined) }), fc.record({ ask: fc.constantFrom('a', 'b', 'c', 'd') }));

  it('answers as find, some, findIndex and filter do, while the list grows', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 120 }), (ops) => {
        const index = new ListIndex<Item>((x) => x.key);
        const list: Item[] = [];
        for (const o of ops) {
          if ('push' in o) list.push({ key: o.push, n: list.length });
          else {
            const k = o.ask;
            assert.equal(index.find(list, k), list.find((x) => x.key === k));
            assert.equal(index.has(list, k), list.some((x) => x.key === k));
            assert.equal(index.indexOf(list, k), list.findIndex((x) => x.key === k));
            assert.equal(index.count(list, k), list.filter((x) => x.key === k).length);
          }
        }
      }),
      { numRuns: 500, seed: 20261127 },
    );
  });

  it('indexes a list again when it is found shorter', () => {
    const index = new ListIndex<string>((s) => s);
    const list = Array.from({ length: 40 }, (_, i) => `k${i}`);
    assert.equal(index.indexOf(list, 'k39'), 39);
    list.length = 30;
    assert.equal(index.has(list, 'k39'), false);
    list.push('k39');
    assert.equal(index.indexOf(list, 'k39'), 30);
  });

  it('keeps one index per list', () => {
    const index = new ListIndex<string>((s) => s);
    const a = ['x'];
    const b = ['y'];
    assert.equal(index.has(a, 'x'), true);
    assert.equal(index.has(b, 'x'), false);
    b.push('x');
    assert.equal(index.indexOf(b, 'x'), 1);
    assert.equal(index.indexOf(a, 'x'), 0);
  });
});

describe('an agent step with thousands of parallel tool calls', () => {
  // One LLM answer calling `read` n times (distinct paths), then the n tool spans: with their call ids,
  // or without (each then found by name and arguments). Lookups by id and name run once per tool event.
  function convertFanOut(n: number, withIds: boolean) {
    const root = uuid(1);
    const calls = Array.from({ length: n }, (_, i) => ({ id: `call_${i}`, type: 'function', function: { name: 'read', arguments: JSON.stringify({ path: `f${i}` }) } }));
    const events = [
      ev({ category: 'agent', name: 'agent', uuid: root, parent_uuid: null, scope_category: 'start', timestamp: at(0) }),
      ...llmSpan({ uuid: uuid(2), parent: root, start: 1, end: 2, request: { messages: [{ role: 'user', content: 'go' }] }, response: { choices: [{ message: { role: 'assistant', content: null, tool_calls: calls } }] } }),
      ...calls.flatMap((c, i) => {
        const common = { category: 'tool', name: 'read', uuid: uuid(0x1000 + i), parent_uuid: root, category_profile: withIds ? { tool_call_id: c.id } : null };
        return [ev({ ...common, scope_category: 'start', timestamp: at(3 + 2 * i), data: { path: `f${i}` } }), ev({ ...common, scope_category: 'end', timestamp: at(4 + 2 * i), data: `content ${i}` })];
      }),
      ev({ category: 'agent', name: 'agent', uuid: root, parent_uuid: null, scope_category: 'end', timestamp: at(10 * n) }),
    ];
    const [t] = convertEvents(events, { agent: { name: 'a', version: '1' }, fixes: resolveFixes('default'), observedEvents: false, dedupe: true }).trajectories;
    return t.trajectory!.steps.find((s) => s.source === 'agent')!;
  }

  for (const withIds of [true, false]) {
    it(`attaches each result to its own call (${withIds ? 'ids on the tool spans' : 'matched by name and arguments'})`, () => {
      const n = 3000;
      const step = convertFanOut(n, withIds);
      assert.equal(step.tool_calls!.length, n);
      assert.deepEqual(
        step.observation!.results.map((r) => [r.source_call_id, r.content]),
        Array.from({ length: n }, (_, i) => [`call_${i}`, `content ${i}`]),
      );
    });
  }
});
