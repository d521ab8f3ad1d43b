import { readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { resolveInputs } from '../ingest/inputs.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import type { CliIO } from './io.js';
import { MAX_LINK_HOPS, whyNotWritten, type OutputTarget } from './output.js';

/**
 * What convert writes must not land on what it reads or on another of its outputs: checked before
 * anything is read or written, on real paths (a symbolic link names its target). Returns the report
 * path. Inputs are the file arguments themselves (files found in directories or by globs are not
 * looked at: those are read by extension, and outputs are `.json`).
 */
export async function checkedOutputs(opts: { inputs: string[]; output: string; target: OutputTarget; template: string; report?: string; cwd: string }): Promise<string | undefined> {
  const { target, report, cwd } = opts;
  const inputs = new Set<string>();
  for (const arg of opts.inputs) {
    if (arg === '-') continue;
    const path = resolve(cwd, arg);
    if ((await stat(path).catch(() => undefined))?.isFile()) inputs.add(await realPath(path));
  }
  if (target.kind === 'file' && inputs.has(await realPath(target.path))) throw usageError(`-o ${opts.output} is one of the inputs; write the trajectory elsewhere`);
  // The file of -o FILE, as the report below: a folder that is not there is known now. It was found
  // when the first trajectory was printed, after its whole top-level scope had been read (at the end
  // of input for a log of one session, a minute into a 1 GB one), and then exit 4 all the same.
  if (target.kind === 'file') await checkFolder(target.path, false);
  if (report === undefined) return undefined;
  if (report === '-') throw usageError("--report takes a file name ('-' is not stdout here: --json prints the report on stderr)");
  const path = resolve(cwd, report);
  const real = await realPath(path);
  if (inputs.has(real)) throw usageError(`--report ${report} is one of the inputs; give the report another name`);
  if (target.kind === 'file' && real === (await realPath(target.path))) throw usageError(`--report ${report} is the output file of -o; give the report another name`);
  if (target.kind === 'dir' && dirname(real) === (await realPath(target.path)) && templatePattern(opts.template).test(basename(real))) {
    throw usageError(`--report ${report} has the name of a trajectory file of -o ${opts.output}; give the report another name`);
  }
  // A report that cannot be written is known now, not after a whole conversion that then exits 4 (its
  // folder may be the directory of -o DIR/, which the run makes).
  await checkFolder(path, target.kind === 'dir' && resolve(target.path) === dirname(path));
  return path;
}

/**
 * An output file whose folder is not a directory cannot be written: exit 4, named as a failed write
 * names it. `made`: the folder is the directory of -o DIR/, which the run makes.
 */
async function checkFolder(path: string, made: boolean): Promise<void> {
  // A directory where the file goes (`--report out/`, the output directory's name) is no file to
  // write either; found after the whole run before (EISDIR, exit 4).
  if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new CliError(EXIT.OUTPUT, `cannot write ${path}: it is a directory`);
  if (made) return;
  const st = await stat(dirname(path)).catch(() => undefined);
  if (!st?.isDirectory()) throw new CliError(EXIT.OUTPUT, `cannot write ${path}: ${whyNotWritten(path, Object.assign(new Error(), { code: st ? 'ENOTDIR' : 'ENOENT' }))}`);
}

/**
 * The real path of a file; for one that does not exist yet, of its directory joined with its name,
 * after following a dangling symbolic link to the file it would create.
 */
async function realPath(path: string, hops = 0): Promise<string> {
  const whole = await realpath(path).catch(() => undefined);
  if (whole !== undefined) return whole;
  const link = hops < MAX_LINK_HOPS ? await readlink(path).catch(() => undefined) : undefined;
  if (link !== undefined) return realPath(resolve(dirname(path), link), hops + 1);
  const dir = await realpath(dirname(path)).catch(() => dirname(path));
  return join(dir, basename(path));
}

/** The file names a `--filename-template` can produce. */
function templatePattern(template: string): RegExp {
  const [before, ...after] = template.split('{session_id}').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${before}.+${after.join('.+')}$`);
}

/**
 * The real path of every input file (those found in directories and by globs included), for
 * `-o DIR/`: its files are named after session ids, so whether one would be written over an input is
 * known only when it is written (see TrajectoryWriter). Inputs that cannot be resolved are left to the
 * run itself, which reports them.
 */
export async function inputFilePaths(args: string[], io: Pick<CliIO, 'cwd' | 'stdinIsTTY'>): Promise<Set<string>> {
  const sources = await resolveInputs(args, { stdinIsTTY: io.stdinIsTTY, cwd: io.cwd }).catch(() => []);
  const paths = await Promise.all(sources.filter((s) => s.name !== '-').map((s) => realpath(resolve(io.cwd, s.name)).catch(() => undefined)));
  return new Set(paths.filter((p): p is string => p !== undefined));
}
