import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli, runJson, SnapshotFile } from './support/cli.js';

/**
 * Human output of explain and diff, colours off (stdout is not a TTY here), keyed by the exact CLI
 * arguments. Record or refresh with `UPDATE_SNAPSHOTS=1 node --import tsx --test test/explain-snapshot.test.ts`.
 */
const snapshots = new SnapshotFile(join(ROOT, 'test', '__snapshots__', 'explain-human.json'));

const MERGE = 'test/fixtures/explain/merge-and-tools.ndjson';
const CHAIN = 'test/fixtures/explain/chain-and-tie.ndjson';
const u = (tail: string) => `01970000-0000-7000-8000-${tail.padStart(12, '0')}`;

const FIXTURE_ARGS: string[][] = [
  ['explain', MERGE],
  ['explain', MERGE, '--span', u('a1')],
  ['explain', MERGE, '--span', u('c1')],
  ['explain', MERGE, '--span', u('d1')],
  ['explain', MERGE, '--span', u('d2')],
  ['explain', MERGE, '--step', '2'],
  ['explain', MERGE, '--step', '3', '--trajectory', 'unscoped'],
  ['explain', CHAIN, '--session-id', 's'],
  ['explain', CHAIN, '--span', u('e2')],
  ['explain', CHAIN, '--span', u('e3')],
  ['explain', CHAIN, '--span', u('f2')],
  ['explain', CHAIN, '--span', u('e6')],
  ['explain', 'test/fixtures/explain/tie-break-kept.ndjson', '--span', u('b2')],
  ['diff', MERGE],
  ['diff', CHAIN],
  ['diff', 'test/fixtures/explain/hook-summary-tool-loop.ndjson'],
  ['explain', 'test/fixtures/explain/hook-summary-tool-loop.ndjson', '--step', '2'],
  ['diff', 'test/fixtures/explain/atif-a.json', 'test/fixtures/explain/atif-b.json'],
  ['diff', 'test/fixtures/explain/atif-a.json', 'test/fixtures/explain/atif-a.json'],
];

async function check(args: string[]): Promise<void> {
  const r = await runCli([...args, '-q']);
  assert.ok(r.code === 0 || (args[0] === 'diff' && r.code === 1), `exit ${r.code}: ${r.stderr}`);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'colours are off');
  snapshots.match(args.join(' '), r.stdout);
}

describe('human output snapshots: fixtures', () => {
  for (const args of FIXTURE_ARGS) it(args.join(' '), () => check(args));
});

describe('human output snapshots: samples/', () => {
  const samples = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.ndjson')).sort().map((f) => `samples/${f}`);
  for (const sample of samples) {
    it(`explain ${sample}, diff ${sample}, and explain --span for each suppressed span`, async () => {
      await check(['explain', sample]);
      await check(['diff', sample]);
      const overview = await runJson<{ trajectories: Array<{ spans: Array<{ span: string; state: string }> }> }>(['explain', sample]);
      for (const s of overview.trajectories.flatMap((t) => t.spans)) {
        if (s.state === 'SPAN_SUPPRESSED') await check(['explain', sample, '--span', s.span]);
      }
    });
  }
});
