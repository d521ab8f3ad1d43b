import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ROOT } from './support/cli.js';
import { conformanceCases } from './support/shared.js';
import { rng } from './support/fuzz.js';

// Same input, byte-identical output; and the trajectories of independent sessions do not depend on
// how their lines are interleaved or split over files.
const work = mkdtempSync(join(tmpdir(), 'relay-atif-determinism-'));
const samples = readdirSync(join(ROOT, 'samples')).filter((f) => /\.(ndjson|jsonl)$/.test(f)).map((f) => join(ROOT, 'samples', f));

test('every sample and every conformance input converts to byte-identical output twice', async () => {
  const runs: string[][] = samples.map((s) => ['convert', s, '-q']);
  for (const c of conformanceCases()) {
    runs.push(['convert', join(c.dir, 'input.ndjson'), '--session-id', c.options.session_id, '-q']);
    runs.push(['convert', join(c.dir, 'input.ndjson'), '-q']);
  }
  for (const args of runs) {
    const a = await runCli(args);
    const b = await runCli(args);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout, args.join(' '));
  }
});

/** Several independent sessions: the sample's top-level scope copied under fresh uuids. */
function sessions(count: number): string[][] {
  const base = readFileSync(join(ROOT, 'samples', 'hermes-session.atof.ndjson'), 'utf8').trim().split('\n');
  return Array.from({ length: count }, (_, i) => base.map((l) => l.replaceAll('01972d4e-8a00-7000-8000-', `01972d4e-8a0${i}-7000-8000-`)));
}

const bySession = (stdout: string) =>
  Object.fromEntries(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => [JSON.parse(l).session_id, l]),
  );

test('interleaving independent sessions or splitting them over files gives the same trajectories', async () => {
  const parts = sessions(4);
  const inOrder = join(work, 'in-order.ndjson');
  writeFileSync(inOrder, parts.flat().join('\n') + '\n');
  const expected = bySession((await runCli(['convert', inOrder, '-q'])).stdout);
  assert.equal(Object.keys(expected).length, 4);
  const r = rng(11);
  for (let trial = 0; trial < 5; trial++) {
    // A random interleaving that keeps each session's own order.
    const cursors = parts.map(() => 0);
    const mixed: string[] = [];
    while (mixed.length < parts.flat().length) {
      const open = parts.map((p, i) => (cursors[i] < p.length ? i : -1)).filter((i) => i >= 0);
      const i = open[Math.floor(r() * open.length)];
      mixed.push(parts[i][cursors[i]++]);
    }
    const file = join(work, `mixed-${trial}.ndjson`);
    writeFileSync(file, mixed.join('\n') + '\n');
    assert.deepEqual(bySession((await runCli(['convert', file, '-q'])).stdout), expected, `interleaving ${trial}`);
  }
  const files = parts.map((p, i) => {
    const f = join(work, `part-${i}.ndjson`);
    writeFileSync(f, p.join('\n') + '\n');
    return f;
  });
  assert.deepEqual(bySession((await runCli(['convert', ...files.reverse(), '-q'])).stdout), expected, 'split over files, given in another order');
});
