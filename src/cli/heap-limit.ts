import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { constants, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { EXIT } from './exit-codes.js';
import { wholeNumber } from './whole-number.js';
import { printable } from './printable.js';

/**
 * The heap limit of a run. Every event of a trajectory is held until its top-level scope ends (about
 * five times its text in memory), and V8's own limit, when node is not given one, is about 4 GB on a
 * 64-bit machine of 16 GB or more: a 1 GB log of one session aborted after 77 s with V8's "JavaScript
 * heap out of memory" at 4.4 GB, on a machine of 24 GB. So, unless node was given a limit, the CLI
 * runs itself again (once, before loading anything else) with a limit of three quarters of the memory
 * it may use. This module imports node's built-ins only (and two small modules of its own, which import
 * nothing): the first process stays small and quick.
 * The second process costs about 0.1 s, a third of a small run: it is spared when the inputs are
 * plain files small enough for V8's own limit (see {@link INPUT_MEMORY_FACTOR}).
 */

/** What decides the limit; the process's own values in {@link wantedHeapMbHere}. */
export interface HeapFacts {
  /** The CLI's arguments (after the script): the first names the command. */
  args: readonly string[];
  execArgv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Bytes of memory of the machine, and the cgroup limit when there is one (0 or more than the machine: none). */
  totalMemory: number;
  constrainedMemory?: number;
  /** V8's limit in this process, in bytes. */
  currentLimit: number;
  /** The summed size of the inputs when every one is a plain file (see {@link plainInputBytes}); else undefined. */
  inputBytes?: number;
}

/** Given by the user: RELAY_ATIF_HEAP_MB=N (0 keeps V8's own limit). */
export const HEAP_ENV = 'RELAY_ATIF_HEAP_MB';

/** The flags node was given (its arguments, then NODE_OPTIONS), spelt with dashes (node takes `_` too). */
export function nodeFlagsGiven(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  return [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map((a) => a.replace(/_/g, '-'));
}

/**
 * The commands that read logs or trajectories, whose size has no bound: the others (`schema`,
 * `profiles`, `help`, `--help`, `--version`, a usage error) hold little and are spared the second
 * process. (Names, not the command table: importing it would load the whole CLI here, before the
 * process it is meant for. test/heap-limit.test.ts checks the two agree.)
 */
export const COMMANDS_READING_INPUT: ReadonlySet<string> = new Set(['convert', 'explain', 'validate', 'diff', 'events']);

/** A limit this much above V8's own is worth a second process (about 0.1 s). */
const WORTH = 1.25;

/**
 * Inputs whose size times this fits V8's own limit run in the first process. A trajectory takes about
 * five times its text while it is held (the 100,000-span benchmark: 1.1 GB of RSS for 203 MB), `diff`
 * holds two conversions of it: this leaves room to spare. With V8's 4 GB, inputs up to 256 MB.
 */
export const INPUT_MEMORY_FACTOR = 16;

/**
 * The options that take a value, spelt every way the option table spells them (test/heap-limit.test.ts
 * checks this against the table): what follows one of them is its value, not an input.
 */
export const OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set([
  '-o', '--output', '--filename-template', '--session-id', '--agent-name', '--agent-version', '--model-name', '--profile', '--fix', '--no-fix',
  '--report', '--jobs', '--require-version', '--span', '--step', '--trajectory', '--agent', '--request', '--hook-clock-offset',
]);

/**
 * The input arguments of a command line (what follows the command name), options and their values
 * left out, as commander reads them: `--x=value`, `-o value`, `-qo value`, `-ovalue`, and `--` before
 * arguments that start with a dash.
 */
export function inputArguments(args: readonly string[]): string[] {
  const inputs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      inputs.push(...args.slice(i + 1));
      break;
    }
    if (a === '-' || !a.startsWith('-')) inputs.push(a);
    else if (a.startsWith('--')) {
      if (!a.includes('=') && OPTIONS_WITH_VALUE.has(a)) i++;
    } else {
      // Short flags, possibly several: the first that takes a value takes the rest of the argument, or the next one.
      const at = [...a.slice(1)].findIndex((c) => OPTIONS_WITH_VALUE.has(`-${c}`));
      if (at === a.length - 2) i++;
    }
  }
  return inputs;
}

/** What {@link plainInputBytes} needs of the file system: a path's size, whether it is a file, and its first bytes. */
export interface InputProbe {
  /** undefined when the path is not a regular file (missing, a directory, a device or pipe). */
  fileSize(path: string): number | undefined;
  /** Whether the file starts with the gzip, zlib or zstd magic (read decompressed, it takes more memory than its size). */
  isCompressed(path: string): boolean;
}

/**
 * The summed size of the inputs when each is a plain, uncompressed regular file; undefined when the
 * size that matters cannot be known: stdin (`-`, or no input at all), a directory, a glob, a gzip, zlib or zstd file,
 * a name that is not there (the run will say so).
 */
export function plainInputBytes(args: readonly string[], probe: InputProbe): number | undefined {
  const inputs = inputArguments(args.slice(1));
  if (inputs.length === 0) return undefined;
  let total = 0;
  for (const name of inputs) {
    const size = name === '-' ? undefined : probe.fileSize(name);
    if (size === undefined || probe.isCompressed(name)) return undefined;
    total += size;
  }
  return total;
}

/** {@link InputProbe} on the real file system. */
export const fileProbe: InputProbe = {
  fileSize(path) {
    try {
      const st = statSync(path);
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  },
  isCompressed(path) {
    const head = Buffer.alloc(4);
    try {
      const fd = openSync(path, 'r');
      try {
        // The magic bytes of ingest/lines.ts compressionOf, not imported: this module stays built-ins only.
        const read = readSync(fd, head, 0, 4, 0);
        const zstd = read === 4 && head.readUInt32LE(0) === 0xfd2fb528;
        return zstd || (read >= 2 && ((head[0] === 0x1f && head[1] === 0x8b) || (head[0] === 0x78 && [0x01, 0x9c, 0xda].includes(head[1]))));
      } finally {
        closeSync(fd);
      }
    } catch {
      return true; // unreadable: the run says so; no reason to skip the usual limit
    }
  },
};

/**
 * The limit in MB to run with, or undefined to run as is: the command reads no input, node was given
 * a limit (a flag, or NODE_OPTIONS: the user's choice wins, and the process run again has one) or a
 * debugger, RELAY_ATIF_HEAP_MB=0, the inputs are plain files small enough for V8's own limit, or the
 * limit wanted is not much above V8's own.
 */
export function wantedHeapMb(f: HeapFacts): number | undefined {
  if (!COMMANDS_READING_INPUT.has(f.args[0] ?? '')) return undefined;
  // A debugger attached to this process would not see the run: a session under --inspect stays in one.
  if (nodeFlagsGiven(f.execArgv, f.env).some((a) => /^--(max-(old-space|heap)-size|inspect)/.test(a))) return undefined;
  const current = f.currentLimit / 2 ** 20;
  const asked = f.env[HEAP_ENV];
  if (asked !== undefined && asked.trim() !== '') {
    const mb = wholeNumber(asked);
    if (mb === undefined) throw new Error(`${HEAP_ENV} must be a whole number of megabytes (0: V8's own limit), not '${asked}'`);
    return mb === 0 ? undefined : mb;
  }
  // Small plain files fit V8's own limit: no second process for them.
  if (f.inputBytes !== undefined && f.inputBytes * INPUT_MEMORY_FACTOR <= f.currentLimit) return undefined;
  const constrained = f.constrainedMemory && f.constrainedMemory < f.totalMemory ? f.constrainedMemory : f.totalMemory;
  const mb = Math.floor((constrained * 3) / 4 / 2 ** 20);
  return mb > current * WORTH ? mb : undefined;
}

/** {@link wantedHeapMb} of this process; a bad RELAY_ATIF_HEAP_MB ends it as a usage error. */
export function wantedHeapMbHere(): number | undefined {
  try {
    const args = process.argv.slice(2);
    // The inputs are looked at only for a command that reads them (the others never get a second process).
    const inputBytes = COMMANDS_READING_INPUT.has(args[0] ?? '') ? plainInputBytes(args, fileProbe) : undefined;
    return wantedHeapMb({ args, execArgv: process.execArgv, env: process.env, totalMemory: totalmem(), constrainedMemory: process.constrainedMemory?.(), currentLimit: getHeapStatistics().heap_size_limit, inputBytes });
  } catch (err) {
    process.stderr.write(`relay-atif: ${printable((err as Error).message)}\n`);
    process.exit(EXIT.USAGE);
  }
}

/**
 * Runs `script` with the same arguments in a node process of heap limit `heapMb`, sharing this one's
 * standard streams, and ends this process as that one ends: with its exit code, or 128 + the number
 * of the signal that ended it, after a hint when that was an abort (how V8 ends a process whose heap
 * is full) or a kill (how the system ends one when memory runs out). Signals sent to this process are
 * passed on (a terminal's Ctrl-C reaches both).
 */
export function runWithHeapLimit(script: string, args: readonly string[], heapMb: number): void {
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${heapMb}`, script, ...args], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  child.on('error', (err) => {
    process.stderr.write(`relay-atif: cannot start node with a heap limit of ${heapMb} MB (${err.message}); set ${HEAP_ENV}=0 to run without\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    // V8 ends a process whose heap is full by abort, or by a trap when that happens while it starts (a
    // limit of 1–3 MB: RELAY_ATIF_HEAP_MB=2 meant as 2 GB); the trap ended with status 133 and no hint.
    if (signal === 'SIGABRT' || signal === 'SIGTRAP') {
      process.stderr.write(
        `relay-atif: the run was aborted. If node said above that the JavaScript heap is out of memory: a trajectory is held\n` +
          `  in memory until its top-level scope ends (about five times its text); this run's limit was ${heapMb} MB.\n` +
          `  ${HEAP_ENV}=N (megabytes) or NODE_OPTIONS=--max-old-space-size=N sets another.\n`,
      );
    } else if (signal === 'SIGKILL') {
      // What the system's out-of-memory killer sends when the machine, not the heap, runs out.
      process.stderr.write(`relay-atif: the run was killed (SIGKILL), as the system does when memory runs out; its heap limit was ${heapMb} MB (${HEAP_ENV}=N lowers it).\n`);
    }
    process.exit(128 + (constants.signals[signal] ?? 0));
  });
}
