import { constants, createReadStream, readFileSync, statSync, type Dirent, type PathLike, type Stats } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
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
  /**
   * Where the file system finds the file, when its name cannot say: a file found in a directory whose
   * name is not UTF-8 (`caf\xe9.ndjson`), opened by its bytes and shown with them escaped.
   */
  path?: PathLike;
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
  /**
   * Told of each file a directory walk passes over because its name is not an input file's
   * (`logs/events.json`, `logs/run.log`; hidden files are not told), so a run can say what it did not
   * read: a file named on the command line is read whatever its name.
   */
  passedOver?: (name: string) => void;
}

export const STDIN_NAME = '-';

/**
 * File names a directory walk picks up; explicit file arguments and glob matches are taken whatever
 * their name. A log rotated by logrotate (or Python's RotatingFileHandler, log4j) is one too: its name
 * with a number after it, the higher the older, compressed or not (`events.ndjson.1`, `events.ndjson.2.gz`).
 */
const INPUT_FILE_NAME = /\.((ndjson|jsonl|har)(\.\d+)?(\.gz|\.zst)?|zhar)$/i;
/** A rotated log's name: the live log's name, and its number (see INPUT_FILE_NAME). */
const ROTATED_NAME = /^(.*\.(?:ndjson|jsonl|har))\.(\d+)(?:\.gz|\.zst)?$/i;

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
  const passedOver: string[] = [];
  for (const arg of args) {
    const given = env.opened?.get(arg);
    const expanded = given ? [given] : arg === STDIN_NAME ? [stdinSource(env)] : await resolveArgument(arg, env.cwd, (name) => passedOver.push(name));
    // Looked up together, not one after another: a directory of 20,000 logs took a second in turn.
    const keys = await Promise.all(expanded.map((source) => (source.name === STDIN_NAME || given ? resolve(env.cwd, source.name) : fileIdentity(source.path ?? resolve(env.cwd, source.name)))));
    for (const [i, source] of expanded.entries()) {
      const key = keys[i];
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push(source);
    }
  }
  // A file one walk passed over and another argument names (`logs/ logs/events.json`) is read: not told.
  if (env.passedOver && passedOver.length > 0) {
    const read = new Set(sources.map((source) => resolve(env.cwd, source.name)));
    for (const name of new Set(passedOver)) if (!read.has(resolve(env.cwd, name))) env.passedOver(name);
  }
  return sources;
}

/**
 * What makes two paths one file: its device and inode, so that a file reached through a symlink (a
 * `latest.ndjson` beside the log it points to), a hard link or another spelling of its path is read
 * once. A path that cannot be inspected keeps its own name (opening it will say why).
 */
async function fileIdentity(absolute: PathLike): Promise<string> {
  try {
    const info = await stat(absolute);
    return `file:${info.dev}:${info.ino}`;
  } catch {
    return String(absolute);
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

/** A file found by a directory walk: opened by its path's bytes when its name is not UTF-8. */
function foundSource(found: FoundFile, cwd: string): InputSource {
  if (typeof found.path === 'string') return fileSource(found.name, cwd);
  const path = found.path;
  return { name: found.name, path, open: () => openFile(path) };
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
export function openFile(absolute: PathLike, info: Stats | undefined = statSync(absolute, { throwIfNoEntry: false })): NodeJS.ReadableStream {
  if (info?.isFile() && info.size < FILE_READ_BYTES) return new WholeFile(readFileSync(absolute));
  return createReadStream(absolute, { highWaterMark: FILE_READ_BYTES });
}

/**
 * An existing path wins over glob syntax, so a file literally named `run[1].ndjson` is still readable;
 * only a path that does not exist is tried as a pattern.
 */
async function resolveArgument(arg: string, cwd: string, passedOver?: (name: string) => void): Promise<InputSource[]> {
  const info = await statOrUndefined(resolve(cwd, arg), arg);
  if (info) return info.isDirectory() ? resolveDirectory(arg, cwd, passedOver) : [fileSource(arg, cwd)];
  if (isDynamicPattern(arg)) return resolveGlob(arg, cwd, passedOver);
  throw new InputError('not-found', arg, `input not found: ${arg}`);
}

/** What a directory walk reads, said where a walk passes files over and where one finds none. */
export const INPUT_FILE_NAMES = '*.ndjson, *.jsonl, *.har, optionally .gz or .zst, rotated copies such as *.ndjson.1, or *.zhar';

async function resolveDirectory(dir: string, cwd: string, passedOver?: (name: string) => void): Promise<InputSource[]> {
  const listed = await listInputFiles(dir, cwd);
  if (listed.found.length === 0) {
    // The files it does hold are named: a user with `logs/events.json` learns that naming it reads it.
    const others = listed.passedOver;
    const holds = others.length === 0 ? '' : `; it holds ${namesSample(others)}, read only when named as inputs`;
    throw new InputError('not-found', dir, `no input files (${INPUT_FILE_NAMES}) under ${dir}${holds}`);
  }
  for (const name of listed.passedOver) passedOver?.(name);
  return listed.found.map((found) => foundSource(found, cwd));
}

/** Up to three names, then how many more. */
export function namesSample(names: readonly string[], shown = 3): string {
  const listed = names.slice(0, shown).join(', ');
  return names.length > shown ? `${listed} and ${names.length - shown} more` : listed;
}

/** A file a directory walk found: its name as shown, and the path it is opened by (bytes when the name is not UTF-8). */
interface FoundFile {
  name: string;
  path: string | Buffer;
}

/**
 * Input files under `dir`, recursively, named relative to the directory as given, sorted by path, and
 * the other files the walk passed over, likewise (not hidden ones, nor any under a hidden directory:
 * `convert .` in a repository would list all of `.git`). Symlinks are followed, as a glob follows
 * them: a link to a file is a file, a link to a directory is walked, unless that directory was walked
 * already (by device and inode: a link back up the tree, a loop, or two links to one place are walked
 * once). A link that leads nowhere (dangling, or a loop of links) holds no input and is passed over.
 * Names are read as bytes: one that is not UTF-8 is kept as its bytes to open the file, and shown with
 * them escaped (decoded, it named no file, and the run stopped).
 */
async function listInputFiles(dir: string, cwd: string): Promise<{ found: FoundFile[]; passedOver: string[] }> {
  const found: FoundFile[] = [];
  const passedOver: string[] = [];
  const walked = new Set<string>();
  // `hidden`: under a hidden directory (.git, .cache), whose other files are not told either.
  const walk = async (relativeDir: string, absoluteDir: string | Buffer, info: Stats, hidden: boolean): Promise<void> => {
    const identity = `${info.dev}:${info.ino}`;
    if (walked.has(identity)) return;
    walked.add(identity);
    // In name order: a directory reached by two paths is walked under the first of them, whatever
    // order the file system lists them in.
    const entries = (await readDirectory(absoluteDir, relativeDir))
      .map((entry) => ({ entry, ...entryName(entry.name) }))
      .sort((a, b) => comparePaths(a.name, b.name));
    for (const { entry, name: entryText, raw } of entries) {
      const name = join(relativeDir, entryText);
      const path = childPath(absoluteDir, entryText, raw);
      const inputName = isInputFileName(entryText);
      const target = entry.isSymbolicLink() ? await linkTarget(path, name, inputName) : undefined;
      if (entry.isDirectory()) {
        const info = await statOrUndefined(path, name);
        if (info) await walk(name, path, info, hidden || entryText.startsWith('.')); // (gone since it was listed: nothing to read)
      } else if (target?.isDirectory()) {
        // A linked directory that cannot be listed holds nothing the walk was asked for (before links
        // were followed, it was not walked at all): passed over, not a reason to stop the run.
        if (await canList(path)) await walk(name, path, target, hidden || entryText.startsWith('.'));
      } else if (entry.isFile() || target?.isFile()) {
        if (inputName) found.push({ name, path });
        else if (!hidden && !entryText.startsWith('.')) passedOver.push(name);
      }
    }
  };
  const absolute = resolve(cwd, dir);
  await walk(dir, absolute, await stat(absolute), false);
  return { found: found.sort((a, b) => compareInputOrder(a.name, b.name)), passedOver: passedOver.sort(comparePaths) };
}

/**
 * A directory entry's name as text, and its bytes when that text cannot give them back (not UTF-8):
 * invalid bytes are shown as `\xNN`, so the name printed is one a user can find.
 */
function entryName(raw: Buffer): { name: string; raw?: Buffer } {
  const text = raw.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(raw)) return { name: text };
  let shown = '';
  for (const byte of raw) shown += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return { name: shown, raw };
}

/** A directory's child path: text while every name on the way is UTF-8, bytes from the first that is not. */
function childPath(dir: string | Buffer, name: string, raw: Buffer | undefined): string | Buffer {
  if (typeof dir === 'string' && raw === undefined) return join(dir, name);
  const dirBytes = typeof dir === 'string' ? Buffer.from(dir, 'utf8') : dir;
  return Buffer.concat([dirBytes, Buffer.from(sep, 'utf8'), raw ?? Buffer.from(name, 'utf8')]);
}

/**
 * What a symlink in a walked directory leads to; undefined when nothing (dangling, or a loop of
 * links). A link that cannot be followed (permissions) stops the run only when its name is an input
 * file's (`inputName`): any other name was never going to be read.
 */
async function linkTarget(absolute: PathLike, name: string, inputName: boolean): Promise<Stats | undefined> {
  try {
    return await stat(absolute);
  } catch (error) {
    if (!inputName || isMissing(error) || (error as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
    throw new InputError('unreadable', name, `cannot inspect ${name}: ${(error as Error).message}`, { cause: error });
  }
}

async function canList(absolute: PathLike): Promise<boolean> {
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
async function resolveGlob(pattern: string, cwd: string, passedOver?: (name: string) => void): Promise<InputSource[]> {
  const matches = await glob(pattern, {
    cwd,
    absolute: isAbsolute(pattern),
    onlyFiles: false,
    expandDirectories: false,
  });
  const files = new Map<string, FoundFile>();
  const passed = new Set<string>();
  for (const match of matches) {
    const name = match.endsWith('/') && match.length > 1 ? match.slice(0, -1) : match;
    const info = await statOrUndefined(resolve(cwd, name), name);
    if (info?.isDirectory()) {
      const listed = await listInputFiles(name, cwd);
      for (const file of listed.found) files.set(file.name, file); // a directory may hold very many files
      for (const other of listed.passedOver) passed.add(other);
    } else if (info) files.set(name, { name, path: resolve(cwd, name) });
    else for (const file of await notUtf8Files(name, cwd)) files.set(file.name, file);
  }
  if (files.size === 0) throw new InputError('not-found', pattern, `no input matches ${pattern}`);
  // A file a directory walk passed over that the pattern also matched by itself is read, not passed over.
  for (const other of [...passed].sort(comparePaths)) if (!files.has(other)) passedOver?.(other);
  return [...files.values()].sort((a, b) => compareInputOrder(a.name, b.name)).map((found) => foundSource(found, cwd));
}

/**
 * The files a glob match that names no file stands for when its name is not UTF-8: the glob library
 * decodes names, turning bytes that are not UTF-8 into U+FFFD, so the match names no file (it was
 * dropped unsaid). Its directory, read as bytes, gives back the files whose names decode to it.
 */
async function notUtf8Files(match: string, cwd: string): Promise<FoundFile[]> {
  if (!match.includes('\uFFFD')) return [];
  const dir = dirname(match);
  const entries = await readdir(resolve(cwd, dir), { withFileTypes: true, encoding: 'buffer' }).catch(() => []);
  return entries
    .filter((entry) => entry.name.toString('utf8') === basename(match) && (entry.isFile() || entry.isSymbolicLink()))
    .map((entry) => {
      const name = entryName(entry.name);
      return { name: join(dir, name.name), path: childPath(resolve(cwd, dir), name.name, name.raw) };
    });
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

/**
 * The order a directory walk or a glob reads input files in: by path, except that a log and its
 * rotated copies are read oldest first, as they were written (`events.ndjson.10`, …, `events.ndjson.2.gz`,
 * `events.ndjson.1`, then `events.ndjson`): by path alone the live log would come first and `.10`
 * before `.2`, and a session spanning a rotation would be read out of order (its turns before its
 * start: trajectories of their own).
 */
export function compareInputOrder(a: string, b: string): number {
  const ra = ROTATED_NAME.exec(a);
  const rb = ROTATED_NAME.exec(b);
  if (!ra && !rb) return comparePaths(a, b);
  // The live log counts as number 0; higher numbers are older, so they come first.
  const byLog = comparePaths(ra ? ra[1] : a, rb ? rb[1] : b);
  if (byLog !== 0) return byLog;
  const age = (r: RegExpExecArray | null) => (r ? Number(r[2]) : 0);
  return age(rb) - age(ra) || comparePaths(a, b);
}

/** `stat`, with a missing path as undefined; `name` is the path as the user would recognise it. */
async function statOrUndefined(absolute: PathLike, name: string) {
  try {
    return await stat(absolute);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new InputError('unreadable', name, `cannot inspect ${name}: ${(error as Error).message}`, { cause: error });
  }
}

async function readDirectory(absolute: PathLike, name: string): Promise<Array<Dirent<Buffer>>> {
  try {
    return await readdir(absolute, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    throw new InputError('unreadable', name, `cannot list ${name}: ${(error as Error).message}`, { cause: error });
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
