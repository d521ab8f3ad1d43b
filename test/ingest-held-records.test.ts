/**
 * Raw records held for the replay (`holdRaw`): what the streaming converter keeps of hook and gateway
 * records until the end of input. Held, a record must read back exactly as it was read, and the
 * replay in batches (which lets go of each record once replayed) must emit what the whole replay does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { preparedLlmCall } from '../src/gateway/capture-route.js';
import type { InputSource } from '../src/ingest/inputs.js';
import type { InputRecord } from '../src/ingest/read-records.js';
import { canonicalJson } from '../src/json/stringify.js';
import { replayRecords, replayRecordsInBatches } from '../src/pipeline/raw.js';
import { gatewayRecord, hookRecord, ndjson, readAll } from './fixtures/sessions/records.js';
import { Readable } from 'node:stream';
import { TextSpill } from '../src/ingest/spill.js';
import { eventJson, printedEvent } from '../src/ingest/held-records.js';
import { tmpdir } from 'node:os';

const ATOF_SAMPLE = new URL('../samples/hermes-session.atof.ndjson', import.meta.url);
const SAMPLES = ['claude-code-session.ndjson', 'codex-session.ndjson', 'hermes-gateway-session.ndjson'].map((name) => new URL(`../samples/${name}`, import.meta.url));

function file(url: URL): InputSource {
  return { name: url.pathname, open: () => Readable.from([readFileSync(url)]) };
}

/** Every source kind of a raw record: hook records, a bare payload, gateway captures (JSON and SSE), a HAR document. */
function sources(): InputSource[] {
  return [
    ...SAMPLES.map(file),
    ndjson('extra.ndjson', [
      hookRecord('claude-code', 0, { session_id: 'c9', hook_event_name: 'UserPromptSubmit', prompt: 'hi ✓' }, { 'x-nemo-relay-session-id': 'c9' }),
      gatewayRecord('cap-9', 1, { path: '/v1/messages', headers: { 'x-claude-code-session-id': 'c9' }, body: { model: 'claude', messages: [], temperature: 1.0 }, response: { content: [{ type: 'text', text: 'ok' }] } }),
      { session_id: 'h9', hook_event_name: 'pre_llm_call', timestamp: '2026-05-30T09:00:02Z' },
      { session_id: 'h9', hook_event_name: 'post_llm_call' },
      { session_id: 'h9', hook_event_name: 'post_llm_call', timestamp: 'soon' },
    ]),
    file(new URL('./fixtures/gateway/session.har', import.meta.url)),
  ];
}

/** What the replay reads of a record (getters included), as a plain object. */
function readBack(r: InputRecord): unknown {
  switch (r.kind) {
    case 'hook':
      return { agent: r.agent, headers: r.headers, payload: r.payload, atNs: r.atNs, timed: r.timed, timeProblem: r.timeProblem, bare: r.bare, seed: r.seed, order: r.order, origin: r.origin };
    case 'gateway':
      return { exchange: r.exchange, ...preparedLlmCall(r.exchange), seed: r.seed, order: r.order, origin: r.origin, arrivalNs: r.arrivalNs, completionNs: r.completionNs };
    case 'atof':
      return canonicalJson(r.event.raw);
  }
}

describe('raw records held for the replay', () => {
  it('read back exactly as they were read: payloads, exchanges, prepared starts, outcomes, places', async () => {
    const plain = await readAll(sources(), { agent: 'hermes' });
    const held = await readAll(sources(), { agent: 'hermes', holdRaw: true });
    assert.ok(plain.records.length > 30);
    assert.ok(plain.records.some((r) => r.kind === 'gateway') && plain.records.some((r) => r.kind === 'hook' && r.bare));
    assert.ok(held.records.some((r) => r.kind === 'hook' && r.timeProblem !== undefined));
    assert.deepEqual(held.records.map(readBack), plain.records.map(readBack));
    assert.deepEqual(held.accounting.toJSON(), plain.accounting.toJSON());
  });

  it('held past a memory budget in a spill file: read back and replayed exactly as held in memory', async () => {
    const plain = await readAll(sources(), { agent: 'hermes' });
    // A small write chunk, so that the samples' text goes through the file, not only the write buffer.
    const spill = new TextSpill(2_000, tmpdir(), 4_096);
    try {
      const spilled = await readAll(sources(), { agent: 'hermes', holdRaw: true, spill });
      assert.ok(spill.spilledBytes > 10_000, 'most of the raw text went to the file');
      assert.deepEqual(spilled.records.map(readBack), plain.records.map(readBack));
      const again = await readAll(sources(), { agent: 'hermes', holdRaw: true, spill });
      assert.deepEqual(replayRecords(again.records).events.map((e) => canonicalJson(e.raw)), replayRecords(plain.records).events.map((e) => canonicalJson(e.raw)));
    } finally {
      spill.close();
    }
  });

  it('replay in batches, letting go of each record, emits what the whole replay emits', async () => {
    const whole = replayRecords((await readAll(sources(), { agent: 'hermes' })).records);
    const records = (await readAll(sources(), { agent: 'hermes', holdRaw: true })).records;
    const replay = replayRecordsInBatches(records, {});
    const events = [];
    let step = replay.next();
    for (; !step.done; step = replay.next()) events.push(...step.value);
    assert.equal(records.length, 0, 'the records were taken over');
    assert.ok(whole.events.length > 50);
    assert.deepEqual(events.map((e) => canonicalJson(e.raw)), whole.events.map((e) => canonicalJson(e.raw)));
    assert.deepEqual(step.value.stats, whole.stats);
    assert.deepEqual(step.value.attributions.all, whole.attributions.all);
  });

  it('ATOF events held as their printed text (`events`): placed, replayed and printed as decoded ones, in memory or spilled', async () => {
    const withAtof = () => [...sources(), file(ATOF_SAMPLE)];
    const plain = await readAll(withAtof(), { agent: 'hermes' });
    for (const budget of [Number.MAX_SAFE_INTEGER, 0]) {
      const spill = new TextSpill(budget, tmpdir(), 4_096);
      try {
        const held = await readAll(withAtof(), { agent: 'hermes', holdRaw: true, spill });
        for (const r of held.records) if (r.kind === 'atof') r.event = printedEvent(r.event, spill);
        const atof = held.records.filter((r) => r.kind === 'atof');
        const plainAtof = plain.records.filter((r) => r.kind === 'atof');
        assert.ok(atof.length > 10);
        assert.equal(spill.spilledBytes > 0, budget === 0, 'with no memory budget, the printed text is in the file');
        // Nothing of the payload is kept; the envelope is read again from the text when asked for.
        assert.ok(atof.every((r) => Object.keys(r.event.raw).length === 0));
        assert.deepEqual(
          atof.map((r) => [r.event.uuid, r.event.kind, r.event.name, r.event.ts, eventJson(r.event)]),
          plainAtof.map((r) => [r.event.uuid, r.event.kind, r.event.name, r.event.ts, canonicalJson(r.event.raw)]),
        );
        assert.deepEqual(replayRecords(held.records).events.map(eventJson), replayRecords(plain.records).events.map((e) => canonicalJson(e.raw)));
      } finally {
        spill.close();
      }
    }
  });

  it('keepDecodedChars: the first records, up to that much text, stay decoded; the rest are held; they read back the same', async () => {
    const plain = await readAll(sources(), { agent: 'hermes' });
    const raw = plain.records.filter((r) => r.kind !== 'atof');
    // A budget that ends partway: the records before it stay decoded (plain objects), the rest are held.
    const budget = raw.slice(0, 10).reduce((n, r) => n + readFileLine(r.origin.file, r.origin.line).length, 0);
    const mixed = await readAll(sources(), { agent: 'hermes', holdRaw: true, keepDecodedChars: budget });
    const mixedRaw = mixed.records.filter((r) => r.kind !== 'atof');
    const isHeld = (r: InputRecord) => Object.getPrototypeOf(r) !== Object.prototype;
    assert.deepEqual(mixedRaw.map(isHeld), mixedRaw.map((_, i) => i >= 10));
    assert.deepEqual(mixed.records.map(readBack), plain.records.map(readBack));
    const none = await readAll(sources(), { agent: 'hermes', holdRaw: true, keepDecodedChars: Number.MAX_SAFE_INTEGER });
    assert.ok(none.records.every((r) => !isHeld(r)));
    assert.deepEqual(replayRecords(mixed.records).events.map((e) => canonicalJson(e.raw)), replayRecords(plain.records).events.map((e) => canonicalJson(e.raw)));
  });
});

/** The text of a line of a sample file (the first ten raw records are all in the first sample). */
function readFileLine(name: string, line: number): string {
  return readFileSync(name, 'utf8').split('\n')[line - 1].trim();
}
