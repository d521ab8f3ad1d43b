/**
 * Reading every record kind of input-records.md: classification, the accounting bucket of every
 * line (hook records and bare payloads, gateway captures, HAR entries and whole HAR documents,
 * unsupported routes), and the merged timeline (§ intro: by timestamp, ties in input order).
 */
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { classifyRecordKind } from '../src/ingest/record-kind.js';
import { buildTimeline } from '../src/ingest/timeline.js';
import { parseJson } from '../src/json/parse.js';
import type { Json } from '../src/json/value.js';
import { at, gatewayRecord, hookRecord, ndjson, readAll } from './fixtures/sessions/records.js';

const HAR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway', 'session.har');
const atof = (uuidTail: string, seconds: number) =>
  ({ atof_version: '0.1', kind: 'mark', name: 'm', uuid: `0197c4e2-3a10-7b21-9c4d-5e6f7081${uuidTail}`, timestamp: at(seconds) }) as Json;

describe('classifyRecordKind', () => {
  it('recognises every kind from its fields', () => {
    assert.equal(classifyRecordKind(atof('aa01', 0)), 'atof');
    assert.equal(classifyRecordKind({ record: 'hook', agent: 'codex', payload: {} }), 'hook');
    assert.equal(classifyRecordKind({ record: 'gateway' }), 'gateway');
    assert.equal(classifyRecordKind({ record: 'other', hook_event_name: 'x' }), 'unknown');
    assert.equal(classifyRecordKind({ startedDateTime: at(0), request: {}, response: null }), 'har-entry');
    assert.equal(classifyRecordKind({ log: { entries: [] } }), 'har-document');
    assert.equal(classifyRecordKind({ hook_event_name: 'PreToolUse', session_id: 's' }), 'bare-hook');
    assert.equal(classifyRecordKind([1, 2]), 'unknown');
  });
});

describe('reading records, every line in one bucket', () => {
  it('uses, skips and rejects each kind with the schema path at fault', async () => {
    const lines: Array<Json | string> = [
      atof('aa01', 0),
      hookRecord('claude-code', 1, { hook_event_name: 'SessionStart', session_id: 's' }),
      { record: 'hook', agent: 'claude-code', payload: {} },
      { record: 'hook', agent: 'vim', received_at: at(1), payload: {} },
      { record: 'hook', agent: 'codex', received_at: at(1) },
      gatewayRecord('cap-1', 2, {}),
      { record: 'gateway', id: 'cap-2', started_at: at(2) },
      { record: 'gateway', id: 'cap-3', started_at: at(2), method: 'GET', path: '/v1/models' },
      { record: 'gateway', id: 'cap-4', started_at: at(2), method: 'POST', path: '/v1/embeddings' },
      { record: 'gateway', id: 'cap-5', started_at: at(2), method: 'GET', path: '/v1/messages' },
      { hook_event_name: 'PreToolUse', session_id: 's' },
      { record: 'other' },
      '',
      'not json',
    ];
    const { records, accounting } = await readAll([ndjson('mixed.ndjson', lines)]);
    assert.deepEqual(records.map((r) => r.kind), ['atof', 'hook', 'gateway']);
    const report = accounting.toJSON();
    assert.equal(report.total, lines.length);
    assert.deepEqual(report.used.by_kind, { atof: 1, gateway: 1, hook: 1 });
    const where = (bucket: 'skipped' | 'rejected') =>
      Object.fromEntries(Object.entries(report[bucket].by_reason).map(([reason, s]) => [reason, s!.examples.map((e) => (e.path ? `${e.line}@${e.path}` : e.line))]));
    assert.deepEqual(where('rejected'), { 'invalid-gateway': ['7@path'], 'invalid-hook': ['3@received_at', '4@agent', '5@payload', '11@(root)'] });
    assert.deepEqual(where('skipped'), { blank: [13], 'not-json': [14], 'unknown-record': [12], 'unsupported-route': [8, 9, 10] });
    assert.match(report.rejected.by_reason['invalid-hook']!.examples[3].message ?? '', /--agent/);
  });

  it('an untimed bare payload before any timestamp of its file takes the first one (at 0 its turn looked idle for decades); a file with none keeps 0', async () => {
    const ns = (seconds: number) => BigInt(Date.parse(at(seconds))) * 1_000_000n;
    const leading: Json[] = [
      { hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'first, untimed' },
      { hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'second, untimed' },
      { hook_event_name: 'PreToolUse', session_id: 's', tool_name: 'Bash', tool_use_id: 't1', tool_input: {}, timestamp: at(7) },
      { hook_event_name: 'Stop', session_id: 's' },
    ];
    const untimed = [{ hook_event_name: 'UserPromptSubmit', session_id: 'u', prompt: 'no time anywhere' }];
    const { records } = await readAll([ndjson('leading.ndjson', leading), ndjson('untimed.ndjson', untimed)], { agent: 'claude-code' });
    const hooks = records.flatMap((r) => (r.kind === 'hook' ? [[r.origin.file, r.origin.line, r.timed, r.atNs]] : []));
    assert.deepEqual(
      hooks.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1])),
      [
        ['leading.ndjson', 1, false, ns(7)],
        ['leading.ndjson', 2, false, ns(7)],
        ['leading.ndjson', 3, true, ns(7)],
        ['leading.ndjson', 4, false, ns(7)],
        ['untimed.ndjson', 1, false, 0n],
      ],
    );
    // On the timeline they keep their place, by position among equal times (the file without a time is at 0: first).
    assert.deepEqual(buildTimeline(records).map((p) => p.order), [4, 0, 1, 2, 3]);
  });

  it('an untimed bare payload after a gateway capture is timed when the call completed, not when it started (the capture is logged once the call is over)', async () => {
    const ns = (seconds: number) => BigInt(Date.parse(at(seconds))) * 1_000_000n;
    const lines = [
      hookRecord('claude-code', 0, { hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'hi' }),
      gatewayRecord('cap-1', 1, { duration: 2 }),
      { hook_event_name: 'PreToolUse', session_id: 's', tool_name: 'Bash', tool_use_id: 't1', tool_input: {} },
      gatewayRecord('cap-2', 10, { path: '/v1/models' }), // not an LLM call (skipped), logged when over too
      { hook_event_name: 'Stop', session_id: 's' },
    ];
    const { records } = await readAll([ndjson('bare.ndjson', lines)], { agent: 'claude-code' });
    const bare = records.flatMap((r) => (r.kind === 'hook' && r.bare ? [r.atNs] : []));
    assert.deepEqual(bare, [ns(3), ns(11)]);
    // On the timeline the tool's start comes after the call's completion, which is earlier in the input at the same time.
    const points = buildTimeline(records).map((p) => `${p.kind}@${p.atNs / 1_000_000_000n - ns(0) / 1_000_000_000n}`);
    assert.deepEqual(points, ['hook@0', 'gateway-arrival@1', 'gateway-completion@3', 'hook@3', 'hook@11']);
  });

  it('reads bare payloads with --agent, timed by their own timestamp or placed after the record before them', async () => {
    const lines = [
      hookRecord('claude-code', 5, { hook_event_name: 'SessionStart', session_id: 's' }),
      { hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'hi' },
      { hook_event_name: 'Stop', session_id: 's', timestamp: at(9) },
    ];
    const { records, accounting } = await readAll([ndjson('bare.ndjson', lines)], { agent: 'claude-code' });
    assert.equal(accounting.usedCount('hook'), 3);
    const ns = (seconds: number) => BigInt(Date.parse(at(seconds))) * 1_000_000n;
    const hooks = records.flatMap((r) => (r.kind === 'hook' ? [[r.bare, r.timed, r.atNs]] : []));
    assert.deepEqual(hooks, [
      [false, true, ns(5)],
      [true, false, ns(5)],
      [true, true, ns(9)],
    ]);
  });

  it('reads a whole pretty-printed .har document as its entries, by content not by name', async () => {
    const source = { name: 'capture.txt', open: () => createReadStream(HAR) };
    const { records, accounting } = await readAll([source]);
    const report = accounting.toJSON();
    // Three entries: a Messages call (used), GET /v1/models (proxied, skipped) and a call that never got a response (used).
    assert.equal(report.total, 3);
    assert.deepEqual(report.used.by_kind, { har: 2 });
    // An entry is named by the line it starts on: the GET entry's `{` is on line 75 of the fixture.
    assert.deepEqual(report.skipped.by_reason['unsupported-route']?.examples.map((e) => e.line), [75]);
    assert.equal(readFileSync(HAR, 'utf8').split('\n')[75].trim(), '"startedDateTime": "2026-05-29T19:18:05.000Z",');
    const exchanges = records.flatMap((r) => (r.kind === 'gateway' ? [r.exchange] : []));
    assert.deepEqual(exchanges.map((x) => [x.id, x.path]), [['capture.txt:entries[0]', '/v1/messages'], ['capture.txt:entries[2]', '/v1/chat/completions']]);
  });

  it('names the entries of a second HAR in the same stream by its line too: no two captures share a name', async () => {
    const text = readFileSync(HAR, 'utf8');
    const second = text.split('\n').length + (text.endsWith('\n') ? 0 : 1); // the line the second copy starts on
    const both = text.endsWith('\n') ? text + text : `${text}\n${text}`;
    const { records } = await readAll([{ name: '-', open: () => Readable.from([Buffer.from(both)]) }]);
    const ids = records.flatMap((r) => (r.kind === 'gateway' ? [r.exchange.id] : []));
    assert.deepEqual(ids, ['-:entries[0]', '-:entries[2]', `-:${second}:entries[0]`, `-:${second}:entries[2]`]);
  });

  it('reads HAR entries one per line, and a one-line HAR document', async () => {
    const doc = parseJson(readFileSync(HAR, 'utf8')) as { log: { entries: Json[] } };
    const { records, accounting } = await readAll([ndjson('entries.ndjson', [doc.log.entries[0], doc as unknown as Json])]);
    assert.equal(records.length, 3);
    assert.equal(accounting.usedCount('har'), 3);
  });

  it('accounts a valid multi-line document that is not HAR line by line, as one kind of unknown record', async () => {
    const { records, accounting } = await readAll([ndjson('pretty.json', ['{', '  "not": "har"', '}'])]);
    assert.equal(records.length, 0);
    assert.equal(accounting.total(), 3);
    assert.equal(accounting.skippedCount('unknown-record'), 3);
  });
});

describe('the merged timeline', () => {
  it('orders by time, with a gateway call split into arrival and completion, ties kept in input order', async () => {
    const { records } = await readAll([
      ndjson('a.ndjson', [hookRecord('codex', 3, { hook_event_name: 'Stop', session_id: 's' }), gatewayRecord('cap-1', 1, { duration: 2 })]),
      ndjson('b.ndjson', [atof('bb01', 3), hookRecord('codex', 2, { hook_event_name: 'PreToolUse', session_id: 's' })]),
    ]);
    const points = buildTimeline(records).map((p) => `${p.kind}@${Number((p.atNs / 1_000_000n) % 10_000n)}`);
    // cap-1 completes at 3 s, tying with the hook (line 1 of a.ndjson, read first) and the ATOF mark (b.ndjson).
    assert.deepEqual(points, ['gateway-arrival@1000', 'hook@2000', 'hook@3000', 'gateway-completion@3000', 'atof@3000']);
  });

  it('keeps ATOF events in their input order among themselves, each merged into the raw records by its time', async () => {
    // bb02 (at 5 s) is read before bb01 (at 1 s): sorted, they would swap (and an event read after its
    // scope's end would come before it); merged, the raw records go where the times place them around them.
    const { records } = await readAll([
      ndjson('a.ndjson', [atof('bb02', 5), atof('bb01', 1), atof('bb03', 6)]),
      ndjson('b.ndjson', [hookRecord('codex', 0, { hook_event_name: 'PreToolUse', session_id: 's' }), hookRecord('codex', 2, { hook_event_name: 'PreToolUse', session_id: 's' }), hookRecord('codex', 7, { hook_event_name: 'Stop', session_id: 's' })]),
    ]);
    const points = buildTimeline(records).map((p) => `${p.kind}@${Number((p.atNs / 1_000_000n) % 10_000n)}`);
    assert.deepEqual(points, ['hook@0', 'hook@2000', 'atof@5000', 'atof@1000', 'atof@6000', 'hook@7000']);
  });

  it('gives a call that never completed no completion point, and an unmanaged stream none either', async () => {
    const incomplete = { ...(gatewayRecord('cap-1', 1, {}) as object), ended_at: null };
    const unmanaged = gatewayRecord('cap-2', 1, { path: '/v1/messages/count_tokens', body: { model: 'c', stream: true } });
    const { records } = await readAll([ndjson('x.ndjson', [incomplete, unmanaged])]);
    assert.deepEqual(buildTimeline(records).map((p) => p.kind), ['gateway-arrival', 'gateway-arrival']);
  });
});
