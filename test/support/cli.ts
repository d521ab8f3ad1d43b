import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIO } from '../../src/cli/io.js';
import { createProgram } from '../../src/cli/program.js';

/** The repository root: tests run the CLI from there so paths in the output are stable. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CASES = join(ROOT, '..', 'shared', 'conformance', 'cases');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface FakeEnv {
  env?: Record<string, string | undefined>;
  stdoutIsTTY?: boolean;
  /** stderr a terminal (where a progress bar may be drawn). */
  stderrIsTTY?: boolean;
  cwd?: string;
  /** What stdin holds (else it is an empty terminal): text, or bytes that need not be UTF-8. */
  stdin?: string | Buffer;
}

/** Runs the CLI in-process on a fake IO that collects stdout and stderr. */
export async function runCli(args: string[], fake: FakeEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string | Uint8Array) => (stdout += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')) },
    // A terminal's stderr says so itself too (the progress bar library asks the stream).
    stderr: { write: (s: string) => (stderr += s), isTTY: fake.stderrIsTTY ?? false } as CliIO['stderr'],
    stdin: Readable.from(fake.stdin === undefined ? [] : [Buffer.from(fake.stdin)]),
    stdinIsTTY: fake.stdin === undefined,
    stderrIsTTY: fake.stderrIsTTY ?? false,
    stdoutIsTTY: fake.stdoutIsTTY ?? false,
    cwd: fake.cwd ?? ROOT,
    env: fake.env ?? {},
  };
  const code = await createProgram(io).run(args);
  return { code, stdout, stderr };
}

/** Runs the CLI and parses its --json output, failing with stderr when it did not exit 0. */
export async function runJson<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, '--json', '-q']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/**
 * A snapshot file: one JSON object from a key (the exact CLI arguments) to the expected text.
 * `UPDATE_SNAPSHOTS=1` writes what the run produced instead of comparing.
 */
export class SnapshotFile {
  private readonly entries: Record<string, string>;
  constructor(private readonly path: string) {
    this.entries = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {};
  }

  match(key: string, actual: string): void {
    if (process.env.UPDATE_SNAPSHOTS === '1') {
      this.entries[key] = actual;
      const sorted = Object.fromEntries(Object.entries(this.entries).sort(([a], [b]) => (a < b ? -1 : 1)));
      writeFileSync(this.path, JSON.stringify(sorted, null, 2) + '\n');
      return;
    }
    const expected = this.entries[key];
    assert.ok(expected !== undefined, `no snapshot for '${key}' in ${this.path}; run with UPDATE_SNAPSHOTS=1 to record it`);
    assert.equal(actual, expected);
  }
}
