import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AtofEvent } from '../src/ingest/atof.js';
import { WorkerPool } from '../src/pipeline/parallel/pool.js';
import { RemoteOutput } from '../src/pipeline/parallel/remote-output.js';
import type { ExportSummary } from '../src/pipeline/output-queue.js';
import { ParallelSink } from '../src/pipeline/parallel/sink.js';
import { WORKER_ENTRY } from '../src/cli/worker-entry.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { at, ev, uuid } from './support/events.js';

const summary: ExportSummary = { sessionId: 's', eventCount: 1, steps: 0, suppressedSpans: 0, errors: [], errorCount: 0, written: true };

test('a remote output hands over pieces as they arrive, in order, then its counts', async () => {
  const out = new RemoteOutput('s');
  const seen: string[] = [];
  const reading = (async () => {
    for await (const piece of out.text()) seen.push(Buffer.from(piece).toString());
  })();
  out.push(Buffer.from('{"a":'));
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(seen, ['{"a":']);
  assert.equal(out.ready, false);
  out.push(Buffer.from('1}\n'));
  out.finish(summary);
  await reading;
  assert.deepEqual(seen, ['{"a":', '1}\n']);
  assert.equal(out.ready, true);
  assert.deepEqual(await out.summary(), summary);
});

test('a remote output that fails makes its reader fail', async () => {
  const out = new RemoteOutput('s');
  out.push(Buffer.from('x'));
  out.fail(new Error('worker gone'));
  await assert.rejects(async () => {
    for await (const _piece of out.text());
  }, /worker gone/);
});

test('a worker that cannot decode what it was sent fails the group, and the pool, with the reason', async () => {
  const pool = new WorkerPool(1, { agent: { name: 'a', version: '1' }, fixes: [], observedEvents: true, dedupe: true, format: 'ndjson', validate: false }, WORKER_ENTRY);
  try {
    const broken: AtofEvent = { kind: 'mark', uuid: '0198a000-0000-7000-8000-000000000001', ts: 0n, name: 'm', raw: {}, rawText: '{"not":"an event"', seq: 0 };
    pool.send(0, broken, 1);
    const out = pool.close(0, 1, 's', false, broken.rawText!.length);
    await assert.rejects(async () => {
      for await (const _piece of out.text());
    }, /internal: a routed event \(input position 0\) no longer parses/);
    assert.throws(() => pool.send(0, broken, 2), /no longer parses/);
  } finally {
    await pool.shutdown();
  }
});

test('a large input starts its workers with its second trajectory: a log that is one long session starts none', async () => {
  const options = { agent: { name: 'a', version: '1' }, fixes: resolveFixes('default'), observedEvents: true, dedupe: true };
  const sink = new ParallelSink({ convert: options, format: 'ndjson', validate: false, jobs: 2, startAfterChars: 1, keepAfterBacklogChars: 1 << 30, worker: WORKER_ENTRY });
  const agent = (n: number, phase: string, ms: number) => ev({ category: 'agent', scope_category: phase, uuid: uuid(n), timestamp: at(ms), name: 'agent', parent_uuid: uuid(999) });
  try {
    sink.expectInput(1_000_000);
    sink.add(uuid(1), agent(1, 'start', 0));
    sink.add(uuid(1), agent(1, 'end', 1));
    const first = sink.close(uuid(1), false);
    assert.equal(sink.routing, false, 'one trajectory, converted here: no worker started');
    sink.add(uuid(2), agent(2, 'start', 2));
    assert.equal(sink.routing, true, 'the second trajectory started them');
    sink.add(uuid(2), agent(2, 'end', 3));
    const second = sink.close(uuid(2), false);
    assert.deepEqual([(await first.summary()).sessionId, (await second.summary()).sessionId], [uuid(1), uuid(2)]);
  } finally {
    await sink.shutdown();
  }
});

test('while its workers are behind the reading, a group read from the input stays in this thread; one the replay built still goes to them', async () => {
  const options = { agent: { name: 'a', version: '1' }, fixes: resolveFixes('default'), observedEvents: true, dedupe: true };
  // Any text posted and not yet taken counts as behind.
  const sink = new ParallelSink({ convert: options, format: 'ndjson', validate: false, jobs: 2, startAfterChars: 1, keepAfterBacklogChars: 0, worker: WORKER_ENTRY });
  const agent = (n: number, phase: string, ms: number, read = true) => {
    const e = ev({ category: 'agent', scope_category: phase, uuid: uuid(n), timestamp: at(ms), name: 'agent', parent_uuid: uuid(999) });
    // A line's event carries its text; an event the replay built has none.
    if (read) e.rawText = JSON.stringify(e.raw);
    return e;
  };
  const trajectory = (n: number, ms: number, read = true) => {
    sink.add(uuid(n), agent(n, 'start', ms, read));
    sink.add(uuid(n), agent(n, 'end', ms + 1, read));
    return sink.close(uuid(n), false);
  };
  try {
    sink.expectInput(1_000_000);
    const first = trajectory(1, 0);
    // Nothing posted yet: the second goes to the worker, and closing it posts its events.
    const second = trajectory(2, 10);
    // The worker cannot have taken them yet (this thread has not let it answer): it is behind.
    const third = trajectory(3, 20);
    const built = trajectory(4, 30, false);
    assert.deepEqual([first.ready, second.ready, third.ready, built.ready], [true, false, true, false], 'converted here: ready at once; on the worker: not yet');
    const ids = await Promise.all([first, second, third, built].map(async (o) => (await o.summary()).sessionId));
    assert.deepEqual(ids, [uuid(1), uuid(2), uuid(3), uuid(4)]);
  } finally {
    await sink.shutdown();
  }
});
