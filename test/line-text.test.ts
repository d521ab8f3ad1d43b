import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import type { AtofEvent } from '../src/ingest/atof.js';
import { keepsLineText, type ConvertOptions } from '../src/pipeline/convert.js';
import { attachedResult } from '../src/pipeline/exported.js';
import { BatchBuilder } from '../src/pipeline/parallel/wire.js';
import { ParallelSink } from '../src/pipeline/parallel/sink.js';
import { serveGroups } from '../src/pipeline/parallel/serve-groups.js';
import { CompletingSink } from '../src/pipeline/stream.js';
import { WORKER_ENTRY } from '../src/cli/worker-entry.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { at, ev, uuid } from './support/events.js';

// An event's line text is held only to be printed back verbatim (NDJSON output with observed events).
// Otherwise a long session held for conversion would keep as much text as the input on top of its
// parsed events: a quarter of the memory of a one-session log converted to files.

const base = { agent: { name: 'a', version: '1' }, fixes: resolveFixes('default'), dedupe: true };
const ndjson: ConvertOptions = { ...base, observedEvents: true, observedVerbatim: true };
const pretty: ConvertOptions = { ...base, observedEvents: true, observedVerbatim: false };
const noObserved: ConvertOptions = { ...base, observedEvents: false, observedVerbatim: true };

/** The events of one small trajectory, each with the text of the line it was read from. */
function readEvents(n: number): AtofEvent[] {
  return ['start', 'end'].map((phase, i) => {
    const e = ev({ category: 'agent', scope_category: phase, uuid: uuid(n), timestamp: at(i), name: 'agent', parent_uuid: uuid(999) });
    e.rawText = JSON.stringify(e.raw);
    return e;
  });
}

test('line text is kept only when observed events are printed back from it', () => {
  assert.equal(keepsLineText(ndjson), true);
  assert.equal(keepsLineText(pretty), false);
  assert.equal(keepsLineText(noObserved), false);
});

test('the in-thread sink hands its conversion events without their line text unless it is printed back', () => {
  for (const [keep, expected] of [[true, true], [false, false]] as const) {
    let seen: AtofEvent[] = [];
    const sink = new CompletingSink((events) => (seen = events), keep);
    for (const e of readEvents(1)) sink.add(uuid(1), e);
    sink.close(uuid(1), false);
    assert.deepEqual(seen.map((e) => e.rawText !== undefined), [expected, expected]);
  }
});

test('the parallel sink lets go of the line text of what it converts here unless it is printed back', async () => {
  for (const [convert, expected] of [[ndjson, true], [pretty, false]] as const) {
    let seen: readonly AtofEvent[] = [];
    const sink = new ParallelSink({
      convert, format: 'ndjson', validate: false, jobs: 2, startAfterChars: 1 << 30, keepAfterBacklogChars: 1 << 30, worker: WORKER_ENTRY,
      here: (events, sessionId) => {
        seen = events;
        return attachedResult({ sessionId, eventCount: events.length, suppressedSpans: 0 }, null);
      },
    });
    try {
      for (const e of readEvents(1)) sink.add(uuid(1), e);
      await sink.close(uuid(1), false).summary();
      assert.deepEqual(seen.map((e) => e.rawText !== undefined), [expected, expected], `observedVerbatim ${convert.observedVerbatim}`);
    } finally {
      await sink.shutdown();
    }
  }
});

test('a worker holds the events routed to it without their line text unless it prints them back', async () => {
  for (const keep of [true, false]) {
    const { port1, port2 } = new MessageChannel();
    const seen = new Promise<readonly AtofEvent[]>((resolve) =>
      serveGroups(port1, (events, sessionId) => {
        resolve(events);
        return attachedResult({ sessionId, eventCount: events.length, suppressedSpans: 0 }, null);
      }, keep),
    );
    const batch = new BatchBuilder();
    for (const e of readEvents(2)) batch.add(e, 7);
    port2.postMessage({ type: 'events', batch: batch.take(), chars: 0 });
    port2.postMessage({ type: 'close', group: 7, sessionId: uuid(2), resort: false });
    const events = await seen;
    port1.close();
    assert.deepEqual(events.map((e) => e.rawText !== undefined), [keep, keep]);
    // The payload was read from the text either way.
    assert.deepEqual(events.map((e) => e.scopeCategory), ['start', 'end']);
  }
});
