import { fstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { usageError } from './exit-codes.js';
import type { StatusLine } from './status-line.js';
import { wholeNumber } from './whole-number.js';

/** Everything a command touches outside itself, injected so commands run in tests without a process. */
export interface CliIO {
  /** Data: text, or UTF-8 bytes (trajectories are printed as bytes). */
  stdout: { write(chunk: string | Uint8Array): unknown; once?(event: 'drain', listener: () => void): unknown };
  stderr: { write(chunk: string): unknown };
  stdin: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Human output is coloured only on a terminal; optional so existing fakes read as "not a TTY". */
  stdoutIsTTY?: boolean;
  cwd: string;
  /** Cores this process may use: the default of `--jobs` (1 when absent, as in tests). */
  cores?: number;
  env: Record<string, string | undefined>;
  /**
   * The command's status line (its progress bar), set by the program for each command it runs, whose
   * `stderr` then writes above the bar; absent, no bar is drawn.
   */
  status?: StatusLine;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: standardInput(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    cores: availableParallelism(),
    env: process.env,
  };
}

/**
 * The process's standard input. Node reads a directory on fd 0 (`relay-atif convert < logs/`, a slip for
 * `convert logs/`) as an empty stream, with no error, so the run converted nothing and exited 0. Such an
 * input is read as what it is, a source that cannot be read: its stream fails as a file argument that is
 * no file does (EISDIR), and the command says so with exit 3.
 */
function standardInput(): NodeJS.ReadableStream {
  let directory = false;
  try {
    directory = fstatSync(0).isDirectory();
  } catch {
    // No fd 0 to inspect (closed): process.stdin says what there is to say when it is read.
  }
  if (!directory) return process.stdin;
  const err = Object.assign(new Error('EISDIR: standard input is a directory, read'), { code: 'EISDIR', syscall: 'read' });
  return new Readable({
    read() {
      this.destroy(err);
    },
  });
}

/** A size in bytes from the environment variable `name` when it is set, else `fallback` (tuning, and tests on small inputs). */
export function sizeSetting(io: Pick<CliIO, 'env'>, name: string, fallback: number, min = 0): number {
  const given = io.env[name];
  if (given === undefined || given === '') return fallback;
  const n = wholeNumber(given);
  // A typo must not pass for the default: the run would not be the one asked for (as RELAY_ATIF_HEAP_MB).
  if (n === undefined || n < min) throw usageError(`${name} must be a whole number of bytes${min > 0 ? ` of at least ${min}` : ''} (got '${given}')`);
  return n;
}
