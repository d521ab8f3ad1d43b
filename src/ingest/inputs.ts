import { constants, createReadStream, readFileSync, statSync, type Dirent, type Stats } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { glob, isDynamicPattern } from 'tinyglobby';

/**
 * Turning command-line arguments into an ordered list of input sources. Only names are resolved
 * here; files are opened lazily by {@link InputSource.open} so that a long list costs no descriptors.
 */

/** One input to read: a file (named as the user spelled it, or as found under a directory) or stdin (`-`). */
export interface InputSource {
  name: string;
  open(): NodeJS.ReadableStream;
}

/**
 * - `not-found`: a path that does not exist, a glob that matches nothing, a directory holding no inputs
 *   (the CLI exits 2: a usage problem, never an empty success).
 * - `no-input`: no arguments while stdin is a terminal (nothing to read; the CLI shows usage, exit 2).
 * - `unreadable`: a source that exists but cannot be read: permissions, a directory where a file was
 *   expected, a corrupt or truncated gzip or zlib stream (the CLI exits 3). Mostly raised while reading, by
 *   `readLines` (after the lines before the damage were yielded); here only when a path cannot be inspected
 *   or a directory listed.
 */
export type InputErrorKind = 'not-found' | 'no-input' | 'unreadable';

export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly kind: InputErrorKind,
    /** The path as given (or `-` for stdin). */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface InputEnv {
  stdinIsTTY: boolean;
  cwd: string;
  /** Where `-` reads from; `process.stdin` unless a caller (a test, a library user) supplies another stream. */
  stdin?: NodeJS.ReadableStream;
  /**
   * Sources a caller has already opened, by argument: a pipe it looked into (and must not open again)
   * is read from where the caller left it, under the name the user gave.
   */
  opened?: ReadonlyMap<string, InputSource>;
}

export const STDIN_NAME = '-';

/** File names a directory walk picks up; explicit file arguments and glob matches are taken whatever their name. */
const INPUT_FILE_NAME = /\.((ndjson|jsonl|har)(\.gz)?|zhar)$/i;

export function isInputFileName(name: string): boolean {
  return INPUT_FILE_NAME.test(name);
}

/**
 * Resolves arguments in order: each argument expands to one or more sources (a directory or a glob to
 * its matches sorted by path), and the lists are concatenated. A file reached twice (named and also
 * under a named directory, or by two globs) is read once, at its first position, so overlapping
 * arguments never double-count lines. `-` likewise appears at most once: stdin can be read only once.
 */
export async function resolveInputs(args: string[], env: InputEnv): Promise<InputSource[]> {
  if (args.length === 0) {
    if (env.stdinIsTTY) {
      throw new InputError('no-input', STDIN_NAME, 'no input given and standard input is a terminal');
    }
    return [stdinSource(env)];
  }
  const sources: InputSource[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    const given = env.opened?.get(arg);
    const expanded = given ? [given] : arg === STDIN_NAME ? [stdinSource(env)] : await resolveArgument(arg, env.cwd);
    // Looked up together, not one after another: a directory of 20,000 logs took a second in turn.
    const keys = await Promise.all(expanded.map((source) => (source.name === STDIN_NAME || given ? resolve(env.cwd, source.name) : fileIdentity(resolve(env.cwd, source.name)))));
    for (const [i, source] of expanded.entries()) {
      const key = keys[i];
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push(source);
    }
  }
  return sources;
}

/**
 * What makes two paths one file: its device and inode, so that a file reached through a symlink (a
 * `latest.ndjson` beside the log it points to), a hard link or another spelling of its path is read
 * once. A path that cannot be inspected keeps its own name (opening it will say why).
 */
async function fileIdentity(absolute: string): Promise<string> {
  try {
    const info = await stat(absolute);
    return `file:${info.dev}:${info.ino}`;
  } catch {
    return absolute;
  }
}

function stdinSource(env: InputEnv): InputSource {
  const stream = env.stdin ?? process.stdin;
  return { name: STDIN_NAME, open: () => stream };
}

function fileSource(name: string, cwd: string): InputSource {
  const absolute = resolve(cwd, name);
  return { name, open: () => openFile(absolute) };
}

/** A file read at once: a stream of its bytes, which a reader may also take as they are (see contentChunks). */
export class WholeFile extends Readable {
  constructor(readonly bytes: Buffer) {
    super({ read() {} });
    if (bytes.length > 0) this.push(bytes);
    this.push(null);
  }
}

/** Reads of 1 MiB: fewer, larger chunks for the line splitter on multi-gigabyte logs. */
export const FILE_READ_BYTES = 1 << 20;

/**
 * A regular file smaller than one read is read at once, synchronously: a stream would allocate a
 * 1 MiB buffer outside the JavaScript heap for its read and another to find the end, and wait on the
 * thread pool for each of its four file operations. On a directory of 5,500 small session logs (20 MB),
 * the garbage collections that the outside memory forced and the waits took 8.8 s where one file of
 * the same lines takes 0.9 s. Larger files, pipes and anything that cannot be inspected here are
 * streamed (opening them reports any error). `info`: the file's stat, when the caller has it.
 */
export function openFile(absolute: string, info: Stats | undefined = statSync(absolute, { throwIfNoEntry: false })): NodeJS.ReadableStream {
  if (info?.isFile() && info.size < FILE_READ_BYTES) return new WholeFile(readFileSync(absolute));
  return createReadStream(absolute, { highWaterMark: FILE_READ_BYTES });
}

/**
 * An existing path wins over glob syntax, so a file literally named `run[1].ndjson` is still readable;
 * only a path that does not exist is tried as a pattern.
 */
async function resolveArgument(arg: string, cwd: string): Promise<InputSource[]> {
  const info = await statOrUndefined(resolve(cwd, arg), arg);
  if (info) return info.isDirectory() ? resolveDirectory(arg, cwd) : [fileSource(arg, cwd)];
  if (isDynamicPattern(arg)) return resolveGlob(arg, cwd);
  throw new InputError('not-found', arg, `input not found: ${arg}`);
}

async function resolveDirectory(dir: string, cwd: string): Promise<InputSource[]> {
  const names = await listInputFiles(dir, cwd);
  if (names.length === 0) {
    throw new InputError('not-found', dir, `no input files (*.ndjson, *.jsonl, *.har, optionally .gz, or *.zhar) under ${dir}`);
  }
  return names.map((name) => fileSource(name, cwd));
}

/**
 * Input files under `dir`, recursively, named relative to the directory as given, sorted by path.
 * Symlinks are followed, as a glob follows them: a link to a file is a file, a link to a directory is
 * walked, unless that directory was walked already (by device and inode: a link back up the tree, a
 * loop, or two links to one place are walked once). A link that leads nowhere (dangling, or a loop of
 * links) holds no input and is passed over.
 */
async function listInputFiles(dir: string, cwd: string): Promise<string[]> {
  const found: string[] = [];
  const walked = new Set<string>();
  const walk = async (relativeDir: string, info: Stats): Promise<void> => {
    const identity = `${info.dev}:${info.ino}`;
    if (walked.has(identity)) return;
    walked.add(identity);
    // In name order: a directory reached by two paths is walked under the first of them, whatever
    // order the file system lists them in.
    const entries = (await readDirectory(resolve(cwd, relativeDir), relativeDir)).sort((a, b) => comparePaths(a.name, b.name));
    for (const entry of entries) {
      const name = join(relativeDir, entry.name);
      const target = entry.isSymbolicLink() ? await linkTarget(resolve(cwd, name), name, isInputFileName(entry.name)) : undefined;
      if (entry.isDirectory()) {
        const info = await statOrUndefined(resolve(cwd, name), name);
        if (info) await walk(name, info); // (gone since it was listed: nothing to read)
      } else if (target?.isDirectory()) {
        // A linked directory that cannot be listed holds nothing the walk was asked for (before links
        // were followed, it was not walked at all): passed over, not a reason to stop the run.
        if (await canList(resolve(cwd, name))) await walk(name, target);
      } else if (isInputFileName(entry.name) && (entry.isFile() || target?.isFile())) {
        found.push(name);
      }
    }
  };
  await walk(dir, await stat(resolve(cwd, dir)));
  return found.sort(comparePaths);
}

/**
 * What a symlink in a walked directory leads to; undefined when nothing (dangling, or a loop of
 * links). A link that cannot be followed (permissions) stops the run only when its name is an input
 * file's (`inputName`): any other name was never going to be read.
 */
async function linkTarget(absolute: string, name: string, inputName: boolean): Promise<Stats | undefined> {
  try {
    return await stat(absolute);
  } catch (error) {
    if (!inputName || isMissing(error) || (error as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
    throw new InputError('unreadable', name, `cannot inspect ${name}: ${(error as Error).message}`, { cause: error });
  }
}

async function canList(absolute: string): Promise<boolean> {
  try {
    await access(absolute, constants.R_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Glob matches that are directories are walked like directory arguments (so `logs/2026-*` works), and
 * the whole expansion is sorted by path. An absolute pattern yields absolute names, a relative one
 * names relative to `cwd`, so names read like what the user typed.
 */
async function resolveGlob(pattern: string, cwd: string): Promise<InputSource[]> {
  const matches = await glob(pattern, {
    cwd,
    absolute: isAbsolute(pattern),
    onlyFiles: false,
    expandDirectories: false,
  });
  const names: string[] = [];
  for (const match of matches) {
    const name = match.endsWith('/') && match.length > 1 ? match.slice(0, -1) : match;
    const info = await statOrUndefined(resolve(cwd, name), name);
    if (info?.isDirectory()) for (const file of await listInputFiles(name, cwd)) names.push(file); // a directory may hold very many files
    else if (info) names.push(name);
  }
  if (names.length === 0) throw new InputError('not-found', pattern, `no input matches ${pattern}`);
  return [...new Set(names)].sort(comparePaths).map((name) => fileSource(name, cwd));
}

/**
 * The files a list of trajectory-file arguments names (`validate`): an argument that exists, or that is
 * `-` or no pattern, is taken as given (reading it says what is wrong with it); a quoted glob pattern
 * (`'out/*.json'`: a shell that expands none, as on Windows, or an npm script) becomes the regular
 * files it matches, sorted by path; a pattern that matches none is not-found; a file given twice is
 * listed once. Convert and the other commands that read logs expand patterns in resolveInputs.
 */
export async function expandFilePatterns(args: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === STDIN_NAME || !isDynamicPattern(arg) || (await statOrUndefined(resolve(cwd, arg), arg))) {
      out.push(arg);
      continue;
    }
    const matches = await glob(arg, { cwd, absolute: isAbsolute(arg), onlyFiles: true, expandDirectories: false });
    if (matches.length === 0) throw new InputError('not-found', arg, `no file matches ${arg}`);
    out.push(...[...new Set(matches)].sort(comparePaths));
  }
  // A file reached twice (named twice, or named and matched) is checked once, at its first position,
  // as resolveInputs reads it once: `validate a.json a.json` said "2 of 2 valid".
  const keys = await Promise.all(out.map((name) => (name === STDIN_NAME ? name : fileIdentity(resolve(cwd, name)))));
  const seen = new Set<string>();
  return out.filter((_, i) => !seen.has(keys[i]) && seen.add(keys[i]) !== undefined);
}

/**
 * Orders paths segment by segment by UTF-16 code unit: deterministic whatever the locale, and a
 * directory's files stay together (`a/x` sorts before `a-b/x`, which plain string order would invert).
 */
export function comparePaths(a: string, b: string): number {
  const as = a.split(/[\\/]/);
  const bs = b.split(/[\\/]/);
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    if (as[i] !== bs[i]) return as[i] < bs[i] ? -1 : 1;
  }
  return as.length - bs.length;
}

/** `stat`, with a missing path as undefined; `name` is the path as the user would recognise it. */
async function statOrUndefined(absolute: string, name: string) {
  try {
    return await stat(absolute);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new InputError('unreadable', name, `cannot inspect ${name}: ${(error as Error).message}`, { cause: error });
  }
}

async function readDirectory(absolute: string, name: string): Promise<Dirent[]> {
  try {
    return await readdir(absolute, { withFileTypes: true });
  } catch (error) {
    throw new InputError('unreadable', name, `cannot list ${name}: ${(error as Error).message}`, { cause: error });
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
