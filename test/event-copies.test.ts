/**
 * Copies of events already read and written, after their trajectory was written (`cat a a |`, the
 * same session given as ATOF and as its raw records): they are in no trajectory, as any event after
 * its top-level scope was written is, but they are copies, not events that came late. Said apart: an
 * input line is an `event-copy` skip (--strict still fails on it), a reconstructed event is counted
 * apart from the late ones. The output is the same as for the input given once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

const ATOF = 'samples/hermes-session.atof.ndjson';
const RAW = 'samples/claude-code-session.ndjson';

interface Report {
  lines: { skipped: { total: number; by_reason: Record<string, { count: number; examples: Array<{ line: number; message: string }> }> } };
  replay?: { late_reconstructed_events: number; reconstructed_event_copies: number };
}

const dir = mkdtempSync(join(tmpdir(), 'relay-atif-copies-'));

describe('copies of events already written', () => {
  it('an ATOF log given twice: the second copy is 14 event-copy skips, not late-event; the output is that of one copy', async () => {
    const twice = join(dir, 'twice.atof.ndjson');
    const text = readFileSync(ATOF, 'utf8');
    writeFileSync(twice, text + text);
    for (const profile of ['default', 'relay-0.3']) {
      const once = await runCli(['convert', ATOF, '-o', '-', '--profile', profile]);
      const r = await runCli(['convert', twice, '-o', '-', '--profile', profile]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout === once.stdout, `${profile}: the output of one copy`);
      assert.match(r.stderr, /skipped event-copy: 14 line\(s\) \(first at .*twice\.atof\.ndjson:15: event 01972d4e-8a00-7000-8000-000000000001 \(start\) repeats one already read and written in its trajectory \(the same input given twice\?\): a copy, not converted again\)/);
      assert.doesNotMatch(r.stderr, /late-event/);
    }
    const json = JSON.parse((await runCli(['convert', twice, '-o', '-', '--json'])).stderr) as Report;
    assert.deepEqual(Object.keys(json.lines.skipped.by_reason), ['event-copy']);
    const strict = await runCli(['convert', twice, '-o', '-', '--strict', '-q']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /--strict: .*twice\.atof\.ndjson:15: skipped \(event-copy\)/);
  });

  it('an event that is new after its scope was written stays late-event, and a copy of it is then a copy', async () => {
    const lines = readFileSync(ATOF, 'utf8').trim().split('\n');
    // A mark of the session's agent scope that was not in the trajectory written: new, and late.
    const fresh = JSON.stringify({ kind: 'mark', atof_version: '0.1', name: 'note', uuid: '01972d4e-8a00-7000-8000-0000000000ff', parent_uuid: '01972d4e-8a00-7000-8000-000000000001', timestamp: '2026-05-29T21:18:01.700+00:00', data: null });
    const file = join(dir, 'late.atof.ndjson');
    writeFileSync(file, [...lines, fresh, fresh].join('\n') + '\n');
    const json = JSON.parse((await runCli(['convert', file, '-o', '-', '--json'])).stderr) as Report;
    assert.deepEqual(json.lines.skipped.by_reason['late-event'].examples.map((e) => e.line), [15]);
    assert.deepEqual(json.lines.skipped.by_reason['event-copy'].examples.map((e) => e.line), [16]);
  });

  it('a session given as ATOF and as its raw records: the 24 rebuilt events are copies, said as such, not late', async () => {
    const events = await runCli(['events', RAW]);
    const atof = join(dir, 'cc.atof.ndjson');
    writeFileSync(atof, events.stdout);
    const alone = await runCli(['convert', atof, '-o', '-']);
    const both = await runCli(['convert', atof, RAW, '-o', '-']);
    assert.equal(both.code, 0, both.stderr);
    assert.ok(both.stdout === alone.stdout, 'the output of the ATOF alone');
    assert.match(both.stderr, /24 reconstructed events repeat events already read and written in their trajectory \(the same uuid and phase: the same session given twice, as ATOF and as raw records\?\): copies, not converted again; the first: samples\/claude-code-session\.ndjson:2: the agent start of claude-code-turn /);
    assert.doesNotMatch(both.stderr, /came after their top-level scope was written/);
    const json = JSON.parse((await runCli(['convert', atof, RAW, '-o', '-', '--json'])).stderr) as Report;
    assert.deepEqual([json.replay?.late_reconstructed_events, json.replay?.reconstructed_event_copies], [0, 24]);
  });

  it('explain --request on that input: the call is in the output (its rebuilt events are copies), not "came after its top-level scope"', async () => {
    const atof = join(dir, 'cc-request.atof.ndjson');
    writeFileSync(atof, (await runCli(['events', RAW])).stdout);
    const r = await runCli(['explain', '--request', 'cap-c1', atof, RAW, '-q', '--no-color']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /came after its top-level scope was written/);
    assert.match(r.stdout, /steps {7}step 1 \(user\), step 2 \(agent\)/);
  });
});
