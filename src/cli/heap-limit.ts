import { spawn } from 'node:child_process';
import { constants, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { EXIT } from './exit-codes.js';

/**
 * The heap limit of a run. Every event of a trajectory is held until its top-level scope ends (about
 * five times its text in memory), and V8's own limit, when node is not given one, is about 4 GB on a
 * 64-bit machine of 16 GB or more: a 1 GB log of one session aborted after 77 s with V8's "JavaScript
 * heap out of memory" at 4.4 GB, on a machine of 24 GB. So, unless node was given a limit, the CLI
 * runs itself again (once, before loading anything else) with a limit of three quarters of the memory
 * it may use. This module imports node's built-ins only: the first process stays small and quick.
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
 * The limit in MB to run with, or undefined to run as is: the command reads no input, node was given
 * a limit (a flag, or NODE_OPTIONS: the user's choice wins, and the process run again has one) or a
 * debugger, RELAY_ATIF_HEAP_MB=0, or the limit wanted is not much above V8's own.
 */
export function wantedHeapMb(f: HeapFacts): number | undefined {
  if (!COMMANDS_READING_INPUT.has(f.args[0] ?? '')) return undefined;
  // A debugger attached to this process would not see the run: a session under --inspect stays in one.
  if (nodeFlagsGiven(f.execArgv, f.env).some((a) => /^--(max-(old-space|heap)-size|inspect)/.test(a))) return undefined;
  const current = f.currentLimit / 2 ** 20;
  const asked = f.env[HEAP_ENV];
  if (asked !== undefined && asked.trim() !== '') {
    const mb = Number(asked);
    if (!Number.isSafeInteger(mb) || mb < 0) throw new Error(`${HEAP_ENV} must be a whole number of megabytes (0: V8's own limit), not '${asked}'`);
    return mb === 0 ? undefined : mb;
  }
  const constrained = f.constrainedMemory && f.constrainedMemory < f.totalMemory ? f.constrainedMemory : f.totalMemory;
  const mb = Math.floor((constrained * 3) / 4 / 2 ** 20);
  return mb > current * WORTH ? mb : undefined;
}

/** {@link wantedHeapMb} of this process; a bad RELAY_ATIF_HEAP_MB ends it as a usage error. */
export function wantedHeapMbHere(): number | undefined {
  try {
    return wantedHeapMb({ args: process.argv.slice(2), execArgv: process.execArgv, env: process.env, totalMemory: totalmem(), constrainedMemory: process.constrainedMemory?.(), currentLimit: getHeapStatistics().heap_size_limit });
  } catch (err) {
    process.stderr.write(`relay-atif: ${(err as Error).message}\n`);
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
    if (signal === 'SIGABRT') {
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
