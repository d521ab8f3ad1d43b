/**
 * Fix `idle-waits-for-tool-calls` (relay-cli.md §3.10): a turn whose last answer asked for tools is
 * idle only after the tool-hint TTL (300 s), not 30 s. Fixture: a Codex session recorded by a gateway
 * alone: "Run the tests" answered with a `shell` call, the request with its output 45 s later (the
 * test run), the answer; then, 4 minutes on, "Thanks" and its answer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { ROOT, runCli } from './support/cli.js';
import { events, rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'idle-waits-for-tool-calls';

/** Each trajectory `convert` writes for a file, as its steps' sources and messages. */
async function trajectories(file: string, ...flags: string[]): Promise<Array<Array<[string, unknown]>>> {
  const r = await runCli(['convert', file, '-o', '-', '-q', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Trajectory).steps.map((s) => [s.source, s.message]));
}

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 closes the turn while the tests run; the fix keeps it open until the answer, then idles as before', async () => {
    const turnEnds = async (...flags: string[]) =>
      (await events(FIX, ...flags)).filter((e) => e.category === 'agent' && e.scope_category === 'end').map((e) => e.timestamp);
    // The sweep ticks every 5 s from the first record (10:00:00): 30 s after the answer at 10:00:02.
    assert.deepEqual(await turnEnds(...SEED), ['2026-06-01T10:00:35+00:00', '2026-06-01T10:01:20+00:00', '2026-06-01T10:05:01+00:00']);
    assert.deepEqual(await turnEnds(), ['2026-06-01T10:01:20+00:00', '2026-06-01T10:05:01+00:00'], 'a text answer lets the turn go idle after 30 s, as before');
    const summary = async (...flags: string[]) => (await runCli(['convert', rawFixture(FIX), '-o', '-', ...flags])).stderr;
    assert.match(await summary(...SEED), /2 turns closed by the idle timeout/);
    assert.match(await summary(), /1 turn closed by the idle timeout/);
  });

  it('so the call keeps its result and the answer stays in the turn of the prompt', async () => {
    const [first, second] = await trajectories(rawFixture(FIX));
    assert.deepEqual(first, [['user', 'Run the tests'], ['agent', ''], ['agent', 'One test fails: math.test.ts.']]);
    assert.deepEqual(second, [['user', 'Thanks'], ['agent', "You're welcome."]]);
    const r = await runCli(['convert', rawFixture(FIX), '-o', '-', '-q']);
    const call = (JSON.parse(r.stdout.trim().split('\n')[0]) as Trajectory).steps[1];
    assert.deepEqual(call.observation?.results.map((x) => [x.source_call_id, x.content]), [['call_1', '11 passing\n1 failing: math.test.ts']]);
    // Without the fix the second call opens a trajectory of its own, without the user's message.
    const off = await trajectories(rawFixture(FIX), '--no-fix', FIX);
    assert.equal(off.length, 3);
    assert.deepEqual(off[1], [['agent', 'One test fails: math.test.ts.']]);
  });

  it('waits no longer than the tool-hint TTL: tools that run past 300 s still split the turn', async () => {
    const lines = readFileSync(join(ROOT, rawFixture(FIX)), 'utf8').trim().split('\n').slice(0, 2);
    const late = JSON.parse(lines[1]) as { started_at: string; ended_at: string };
    // 305 s after the first answer completed (10:00:02): past the TTL, at a sweep tick.
    [late.started_at, late.ended_at] = ['2026-06-01T10:05:07Z', '2026-06-01T10:05:09Z'];
    const file = join(mkdtempSync(join(tmpdir(), 'idle-waits-')), 'late.ndjson');
    writeFileSync(file, `${lines[0]}\n${JSON.stringify(late)}\n`);
    assert.equal((await trajectories(file)).length, 2);
    // 290 s: still one turn.
    [late.started_at, late.ended_at] = ['2026-06-01T10:04:52Z', '2026-06-01T10:04:54Z'];
    writeFileSync(file, `${lines[0]}\n${JSON.stringify(late)}\n`);
    assert.equal((await trajectories(file)).length, 1);
  });
});
