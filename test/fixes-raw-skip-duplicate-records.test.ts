/**
 * Fix `skip-duplicate-records`: a raw record whose text repeats one read before is a copy (the same
 * log given twice, `cat a a |`, or a copy taken mid-run read beside the final log), not a second hook
 * or call: it is a counted `duplicate-record` skip, not replayed again. Fixture: a copy of a Claude
 * Code log taken mid-run (its SessionStart, prompt and first call: lines 1–3), then the final log
 * (lines 4–8: the same three records, the Stop and the SessionEnd).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { ROOT, runCli } from './support/cli.js';
import { rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'skip-duplicate-records';

/** Every trajectory `convert` writes to stdout for these inputs, with the run's stderr and exit code. */
async function convert(inputs: string[], ...flags: string[]) {
  const r = await runCli(['convert', ...inputs, '-o', '-', ...flags]);
  const trajectories = r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Trajectory);
  return { ...r, trajectories };
}

const sources = (t: Trajectory) => t.steps.map((s) => s.source);

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('the copy and the final log convert as the final log alone; without the fix the repeated prompt is an unanswered turn of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-atif-dup-'));
    const finalLog = join(dir, 'final.ndjson');
    writeFileSync(finalLog, readFileSync(join(ROOT, rawFixture(FIX)), 'utf8').split('\n').slice(3).join('\n'));
    const alone = await convert([finalLog], '--no-observed-events');
    const fixed = await convert([rawFixture(FIX)], '--no-observed-events');
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual(fixed.trajectories.map(sources), [['user', 'agent']]);
    assert.deepEqual(fixed.trajectories, alone.trajectories, 'the same trajectory, ids included');
    // Without the fix (else the default profile), the prompt's copy opens a turn of its own, which no answer closes.
    const unfixed = await convert([rawFixture(FIX)], '--no-fix', FIX, '--no-observed-events');
    assert.deepEqual(unfixed.trajectories.map(sources).sort(), [['user'], ['user', 'agent']]);
  });

  it('each copy is a duplicate-record skip naming the first; --strict fails on it, and relay-0.3 uses every line', async () => {
    const fixed = await convert([rawFixture(FIX)], '--json');
    const lines = (JSON.parse(fixed.stderr) as { lines: { used: { by_kind: Record<string, number> }; skipped: { by_reason: Record<string, { count: number; examples: Array<{ line: number; message: string }> }> } } }).lines;
    assert.deepEqual(lines.used.by_kind, { hook: 4, gateway: 1 });
    const skipped = lines.skipped.by_reason['duplicate-record'];
    assert.deepEqual(skipped.examples.map((e) => e.line), [4, 5, 6]);
    assert.match(skipped.examples[0].message, /^the same hook record as .*skip-duplicate-records\.ndjson:1: a copy, not replayed again \(fix skip-duplicate-records\)$/);
    assert.match(skipped.examples[2].message, /^the same gateway capture as .*:3:/);
    const strict = await runCli(['convert', rawFixture(FIX), '-o', '-', '--strict']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /--strict: .*skip-duplicate-records\.ndjson:4: skipped \(duplicate-record\)/);
    const seed = await convert([rawFixture(FIX)], ...SEED, '--json');
    assert.deepEqual((JSON.parse(seed.stderr) as { lines: { used: { total: number }; skipped: { total: number } } }).lines.used.total, 8);
  });

  it('the same log given twice through stdin replays once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-atif-dup-'));
    const twice = join(dir, 'twice.ndjson');
    const text = readFileSync(join(ROOT, rawFixture(FIX)), 'utf8');
    writeFileSync(twice, text + text);
    const r = await convert([twice], '-q', '--no-observed-events');
    assert.deepEqual(r.trajectories.map(sources), [['user', 'agent']]);
  });

  it('an untimed bare payload may repeat for real (the same notification twice): it is replayed each time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-atif-dup-'));
    const file = join(dir, 'bare.ndjson');
    const start = { session_id: 'cc-bare', hook_event_name: 'SessionStart', source: 'startup', timestamp: '2026-06-01T09:00:00Z' };
    const note = { session_id: 'cc-bare', hook_event_name: 'Notification', message: 'Claude is waiting for your input' };
    writeFileSync(file, [start, note, note, start].map((p) => JSON.stringify(p)).join('\n') + '\n');
    const r = await convert([file], '--agent', 'claude-code', '--json');
    const lines = (JSON.parse(r.stderr) as { lines: { used: { total: number }; skipped: { by_reason: Record<string, { examples: Array<{ line: number }> }> } } }).lines;
    assert.equal(lines.used.total, 3, 'both notifications are used');
    assert.deepEqual(lines.skipped.by_reason['duplicate-record'].examples.map((e) => e.line), [4], 'the timed SessionStart is a copy');
  });
});
