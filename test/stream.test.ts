import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveFixes } from '../src/profiles/fixes.js';
import { sortEvents } from '../src/atif/export.js';
import { convertGroup, UNSCOPED_SESSION_ID, type ConvertOptions } from '../src/pipeline/convert.js';
import { groupByTopLevelAgent } from './support/grouping.js';
import { StreamingConverter, TopLevelGrouper } from '../src/pipeline/stream.js';
import type { AtofEvent } from '../src/ingest/atof.js';
import { localOutput, OrderedQueue, type OutputItem } from '../src/pipeline/output-queue.js';
import { rng } from './support/rng.js';
import { canonicalJson } from '../src/json/stringify.js';
import type { Json } from '../src/json/value.js';
import { conformanceCases } from './support/shared.js';
import { at, ev, readNdjsonEvents, uuid } from './support/events.js';

const options: ConvertOptions = { agent: { name: 'a', version: '1' }, fixes: resolveFixes('default'), observedEvents: true, dedupe: true };
const bySession = (list: Array<{ sessionId: string; trajectory?: unknown }>) =>
  Object.fromEntries(list.map((c) => [c.sessionId, c.trajectory ? canonicalJson(c.trajectory as Json) : null]));

function streamAll(events: ReturnType<typeof readNdjsonEvents>) {
  const s = new StreamingConverter(options);
  const out = events.flatMap((e) => s.push(e).done);
  return [...out, ...s.finish().done];
}

// Live streams arrive in emission order, where a scope's end follows its children; the conformance
// inputs are deliberately shuffled, so they are replayed here in timestamp order.
test('streaming gives the same trajectories as whole-input grouping on every conformance input', () => {
  let compared = 0;
  for (const c of conformanceCases()) {
    const events = sortEvents(readNdjsonEvents(join(c.dir, 'input.ndjson'))).map((e, seq) => ({ ...e, seq }));
    const whole = groupByTopLevelAgent(events).map((g) => convertGroup(g.events, g.rootUuid ?? UNSCOPED_SESSION_ID, options, true));
    assert.deepEqual(bySession(streamAll(events)), bySession(whole), c.name);
    compared++;
  }
  assert.ok(compared === 0 || compared === 125);
});

test('a top-level scope is exported when its end arrives; a later event of it is reported late', () => {
  const top = uuid(1);
  const s = new StreamingConverter(options);
  const agent = (phase: string, ms: number) => ev({ category: 'agent', scope_category: phase, uuid: top, timestamp: at(ms), name: 'agent', parent_uuid: uuid(999) });
  const mark = (n: number, ms: number) => ev({ kind: 'mark', uuid: uuid(n), parent_uuid: top, timestamp: at(ms), name: 'note', data: { n } });
  assert.equal(s.push(agent('start', 0)).done.length, 0);
  assert.equal(s.push(mark(2, 1)).done.length, 0);
  const closed = s.push(agent('end', 2));
  assert.equal(closed.done.length, 1);
  assert.equal(closed.done[0].trajectory?.steps.length, 1);
  const late = mark(3, 3);
  assert.deepEqual(s.push(late), { done: [], late: [late] });
  assert.equal(s.finish().done.length, 0);
});

test('an event waiting for a parent that turns out to belong to a closed scope is late too, not lost', () => {
  const top = uuid(1);
  const s = new StreamingConverter(options);
  const agent = (phase: string, ms: number) => ev({ category: 'agent', scope_category: phase, uuid: top, timestamp: at(ms), name: 'agent', parent_uuid: uuid(999) });
  s.push(agent('start', 0));
  s.push(ev({ category: 'function', scope_category: 'start', uuid: uuid(2), parent_uuid: top, timestamp: at(1), name: 'fn' }));
  assert.equal(s.push(agent('end', 2)).done.length, 1);
  // uuid(4) names uuid(3), not seen yet: it waits. uuid(3) then names a uuid of the closed scope.
  const waiting = ev({ kind: 'mark', uuid: uuid(4), parent_uuid: uuid(3), timestamp: at(3), name: 'early', data: 'x' });
  const child = ev({ kind: 'mark', uuid: uuid(3), parent_uuid: uuid(2), timestamp: at(4), name: 'late', data: 'y' });
  assert.deepEqual(s.push(waiting), { done: [], late: [] });
  assert.deepEqual(s.push(child), { done: [], late: [waiting, child] });
  // Their own uuids now name the closed scope too, as a parent and as an event.
  const grandchild = ev({ kind: 'mark', uuid: uuid(5), parent_uuid: uuid(4), timestamp: at(5), name: 'later', data: 'z' });
  assert.deepEqual(s.push(grandchild).late, [grandchild]);
  assert.deepEqual(s.push(ev({ kind: 'mark', uuid: uuid(3), timestamp: at(6), name: 'again', data: 'w' })).late.length, 1);
  assert.deepEqual(s.finish().done, [], 'nothing is left over for an unscoped trajectory');
});

test('two events of one uuid waiting for the same parent are both late when it is', () => {
  const top = uuid(1);
  const s = new StreamingConverter(options);
  s.push(ev({ category: 'agent', scope_category: 'start', uuid: top, timestamp: at(0), name: 'agent', parent_uuid: uuid(999) }));
  s.push(ev({ category: 'agent', scope_category: 'end', uuid: top, timestamp: at(1), name: 'agent', parent_uuid: uuid(999) }));
  const start = ev({ category: 'function', scope_category: 'start', uuid: uuid(4), parent_uuid: uuid(3), timestamp: at(2), name: 'fn' });
  const end = ev({ category: 'function', scope_category: 'end', uuid: uuid(4), parent_uuid: uuid(3), timestamp: at(3), name: 'fn' });
  const parent = ev({ kind: 'mark', uuid: uuid(3), parent_uuid: top, timestamp: at(4), name: 'late', data: 'y' });
  assert.deepEqual(s.push(start).late, []);
  assert.deepEqual(s.push(end).late, []);
  assert.deepEqual(s.push(parent).late, [start, end, parent]);
  assert.deepEqual(s.finish().done, []);
});

test('children that arrive before their parent wait for it, then join its scope', () => {
  const top = uuid(1);
  const s = new StreamingConverter(options);
  const mark = ev({ kind: 'mark', uuid: uuid(2), parent_uuid: uuid(3), timestamp: at(2), name: 'early', data: 'x' });
  const inner = ev({ category: 'function', scope_category: 'start', uuid: uuid(3), parent_uuid: top, timestamp: at(1), name: 'fn' });
  const start = ev({ category: 'agent', scope_category: 'start', uuid: top, timestamp: at(0), name: 'agent' });
  const end = ev({ category: 'agent', scope_category: 'end', uuid: top, timestamp: at(3), name: 'agent' });
  for (const e of [mark, inner, start]) assert.deepEqual(s.push(e).done, []);
  const { done } = s.push(end);
  assert.equal(done.length, 1);
  assert.equal(done[0].eventCount, 4);
  assert.equal(done[0].trajectory?.steps[0].message, 'early');
});

test('a top-level scope read before its parent is a trajectory of its own; the first event of the parent says how many were', () => {
  const session = uuid(1);
  const agent = (id: string, phase: string, ms: number, parent: string) => ev({ category: 'agent', scope_category: phase, uuid: id, timestamp: at(ms), name: id === session ? 'session' : 'turn', parent_uuid: parent });
  const turn = (n: number, ms: number) => [agent(uuid(n), 'start', ms, session), agent(uuid(n), 'end', ms + 1, session)];
  // In order: no note. Out of order (two turns, then their session, as rotated files newest first give them): one note, at the session's first event.
  const inOrder = new StreamingConverter(options);
  const notes = [agent(session, 'start', 0, uuid(999)), ...turn(2, 1), ...turn(3, 3), agent(session, 'end', 9, uuid(999))].map((e) => inOrder.push(e).scopesBeforeParent);
  assert.deepEqual(notes.filter((n) => n !== undefined), []);
  const s = new StreamingConverter(options);
  const early = [...turn(2, 1), ...turn(3, 3)].map((e) => s.push(e));
  assert.equal(early.filter((p) => p.done.length > 0).length, 2, 'each turn was written as its own trajectory');
  assert.deepEqual(early.map((p) => p.scopesBeforeParent).filter((n) => n !== undefined), []);
  const first = agent(session, 'end', 9, uuid(999));
  assert.deepEqual(s.push(first).scopesBeforeParent, { count: 2, first: { uuid: uuid(2), name: 'turn' }, parent: { uuid: session, name: 'session' } });
  assert.equal(s.push(agent(session, 'start', 0, uuid(999))).scopesBeforeParent, undefined, 'said once');
});

test('a top-level end read before its start: the scope gathers its events to the end of input, as the same events sorted by time', () => {
  // The input is out of order around this scope; its events may come anywhere after, so it is not
  // closed at its start (which would make them late) but at the end of input.
  for (const parent of [undefined, uuid(999)]) {
    const top = uuid(1);
    const agent = (phase: string, ms: number) => ev({ category: 'agent', scope_category: phase, uuid: top, timestamp: at(ms), name: 'agent', ...(parent ? { parent_uuid: parent } : {}) });
    const mark = (n: number, ms: number) => ev({ kind: 'mark', uuid: uuid(n), parent_uuid: top, timestamp: at(ms), name: `m${n}`, data: { n } });
    const lines = [agent('end', 9), mark(2, 1), agent('start', 0), mark(3, 2)].map((e, seq) => ({ ...e, seq }));
    // The steps are compared (the root's observed_events keep the input's order, as read).
    const stepsOnly = { ...options, observedEvents: false };
    const s = new StreamingConverter(stepsOnly);
    for (const e of lines) assert.deepEqual(s.push(e), { done: [], late: [] }, `parent ${parent}`);
    const { done } = s.finish();
    assert.deepEqual(done.map((d) => [d.sessionId, d.eventCount]), [[top, 4]], `parent ${parent}`);
    const sorted = new StreamingConverter(stepsOnly);
    const inOrder = sortEvents(lines).map((e, seq) => ({ ...e, seq }));
    const expected = [...inOrder.flatMap((e) => sorted.push(e).done), ...sorted.finish().done];
    assert.deepEqual(bySession(done), bySession(expected), `parent ${parent}`);
  }
});

test('a top-level start read after its end lets any number of events waiting for its unseen parent try again', () => {
  // 200,000 marks under the implicit root (a parent that never appears): more than one call takes as arguments.
  const [top, root] = [uuid(1), uuid(999_999)];
  const s = new TopLevelGrouper<string>({ add() {}, close: (r) => r, unscoped: (events) => `unscoped ${events.length}` });
  const event = (o: object, seq: number) => ({ ts: 0n, name: 'x', raw: {}, seq, ...o }) as AtofEvent;
  s.push(event({ kind: 'scope', category: 'agent', scopeCategory: 'end', uuid: top, parentUuid: root }, 0));
  for (let i = 0; i < 200_000; i++) s.push(event({ kind: 'mark', uuid: uuid(10 + i), parentUuid: root }, i + 1));
  assert.deepEqual(s.push(event({ kind: 'scope', category: 'agent', scopeCategory: 'start', uuid: top, parentUuid: root }, 200_001)).done, []);
  assert.deepEqual(s.finish().done, [top, 'unscoped 200000']);
});

test('an end read before its start keeps only its own scope open: other sessions still close at their ends', () => {
  const [a, b] = [uuid(1), uuid(10)];
  const agent = (id: string, phase: string, ms: number) => ev({ category: 'agent', scope_category: phase, uuid: id, timestamp: at(ms), name: 'agent' });
  const s = new StreamingConverter(options);
  s.push(agent(a, 'end', 5));
  s.push(agent(a, 'start', 0));
  s.push(agent(b, 'start', 6));
  s.push(ev({ kind: 'mark', uuid: uuid(11), parent_uuid: b, timestamp: at(7), name: 'b', data: 'x' }));
  assert.deepEqual(s.push(agent(b, 'end', 8)).done.map((d) => d.sessionId), [b]);
  assert.deepEqual(s.finish().done.map((d) => d.sessionId), [a]);
});

test('events under no top-level agent become the unscoped trajectory at the end', () => {
  const s = new StreamingConverter(options);
  s.push(ev({ kind: 'mark', uuid: uuid(5), timestamp: at(0), name: 'orphan', data: 'x' }));
  s.push(ev({ kind: 'mark', uuid: uuid(6), parent_uuid: uuid(5), timestamp: at(1), name: 'child of orphan', data: 'y' }));
  s.push(ev({ kind: 'mark', uuid: uuid(7), parent_uuid: uuid(404), timestamp: at(2), name: 'parent never seen', data: 'z' }));
  const { done } = s.finish();
  assert.deepEqual(done.map((d) => [d.sessionId, d.eventCount]), [['unscoped', 3]]);
});

test('the output queue takes the scopes still open at the end of input however many there are, and writes them in order', async () => {
  const written: string[] = [];
  const queue = new OrderedQueue(async (item) => void written.push(item.sessionId), 8);
  const open = Array.from({ length: 200_000 }, (_, i) => localOutput({ sessionId: `s${i}`, eventCount: 1, steps: 0, suppressedSpans: 0, errors: [], errorCount: 0 }));
  await queue.add(open); // one call with every group: a spread into push overflowed the call stack here
  await queue.flush();
  assert.equal(written.length, 200_000);
  assert.deepEqual([written[0], written[199_999]], ['s0', 's199999']);
});

test('the output queue writes what a plain shifting queue writes, at the same moments, across compactions', async () => {
  /** The rule the queue keeps, spelt with an array's shift: ready items at the head go at once, any item when more than `limit` wait. */
  class ShiftingQueue {
    items: OutputItem[] = [];
    constructor(readonly written: string[], readonly limit: number) {}
    add(items: OutputItem[]): void {
      this.items.push(...items);
      while (this.items.length > 0 && (this.items[0].ready || this.items.length > this.limit)) this.written.push(this.items.shift()!.sessionId);
    }
  }
  const item = (id: string, ready: boolean): OutputItem => ({ ...localOutput({ sessionId: id, eventCount: 1, steps: 0, suppressedSpans: 0, errors: [], errorCount: 0 }), ready });
  const r = rng(20261127);
  for (let run = 0; run < 40; run++) {
    const limit = 1 + Math.floor(r() * 3000);
    const written: string[] = [];
    const expected: string[] = [];
    const queue = new OrderedQueue(async (i) => void written.push(i.sessionId), limit);
    const oracle = new ShiftingQueue(expected, limit);
    let n = 0;
    for (let batch = 0; batch < 30; batch++) {
      const size = Math.floor(r() * (r() < 0.2 ? 3000 : 40));
      const items = Array.from({ length: size }, () => item(`s${n++}`, r() < 0.7));
      await queue.add(items);
      oracle.add(items);
      assert.deepEqual(written, expected, `run ${run}, batch ${batch}`);
    }
    await queue.flush();
    assert.deepEqual(written, Array.from({ length: n }, (_, i) => `s${i}`));
  }
});
