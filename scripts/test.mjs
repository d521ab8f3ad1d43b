// Runs the test suite (every test/*.test.ts, or the files named) with TMPDIR set to a directory of
// its own, removed when the run ends. The tests and the CLIs they spawn make hundreds of temporary
// directories and files; a run used to leave them in the machine's /tmp, and a CI box or a
// developer's laptop kept gaining them run after run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The files that take minutes start first, so that the short ones fill the other lane around them
// rather than one of these running alone at the end.
const SLOW_FIRST = ['test/parallel.test.ts', 'test/fuzz-slice.test.ts'];
const named = process.argv.slice(2);
const all = readdirSync('test').filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', f));
const files = named.length > 0 ? named : [...SLOW_FIRST.filter((f) => all.includes(f)), ...all.filter((f) => !SLOW_FIRST.includes(f))];
const root = mkdtempSync(join(tmpdir(), 'relay-atif-tests-'));
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: root },
});

// Ctrl-C reaches the test runner itself (same process group): this process only waits for it to end
// and cleans up rather than dying first. A SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));

child.on('exit', (code, signal) => {
  rmSync(root, { recursive: true, force: true });
  process.exitCode = code ?? (signal ? 1 : 0);
});
