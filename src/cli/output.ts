import { lstat, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import type { OutputFormat } from '../pipeline/exported.js';
import type { ImageFile } from '../atif/images.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import type { CliIO } from './io.js';
import { makeDirectory } from './make-directory.js';

export type OutputTarget = { kind: 'stdout' } | { kind: 'dir'; path: string } | { kind: 'file'; path: string };

/**
 * Where image files go (fix `image-parts`): the directory the trajectory files are in (`-o DIR/`, or
 * the one holding `-o FILE`), their paths (`images/…`) relative to it. None on stdout, nor beside a
 * device or pipe named as the file (`-o /dev/stdout`): no trajectory file is there to be beside.
 */
export function imageDirectory(target: OutputTarget): string | undefined {
  if (target.kind === 'dir') return target.path;
  if (target.kind === 'stdout') return undefined;
  const st = statNow(target.path);
  return st === undefined || st.isFile() ? dirname(target.path) : undefined;
}

/** `-` → stdout; an existing directory or a path ending in `/` → directory; anything else → one file. */
export async function resolveOutput(output: string, cwd: string): Promise<OutputTarget> {
  if (output === '-') return { kind: 'stdout' };
  const path = resolve(cwd, output);
  if (output.endsWith('/') || output.endsWith('\\')) return { kind: 'dir', path };
  const st = await stat(path).catch(() => undefined);
  return st?.isDirectory() ? { kind: 'dir', path } : { kind: 'file', path };
}

const MAX_NAME_PART = 120;

/** A session id made safe as one path segment: no separators, NUL, dot-only names, or unbounded length. */
export function safeNamePart(value: string): string {
  let s = value.replace(/[^A-Za-z0-9._-]/g, '_');
  if (s.length > MAX_NAME_PART) s = s.slice(0, MAX_NAME_PART);
  if (s === '' || /^\.+$/.test(s)) s = s.replace(/\./g, '_') || '_';
  return s;
}

export function checkTemplate(template: string): void {
  if (!template.includes('{session_id}')) throw usageError(`--filename-template must contain {session_id} (got '${template}')`);
  if (template.includes('/') || template.includes('\\')) throw usageError('--filename-template must be a file name, not a path');
  // Any other placeholder was written as it stands: `{agent}-{session_id}.json` made files named
  // "{agent}-….json", a name the user did not ask for, with exit 0.
  const other = /\{[A-Za-z_][A-Za-z0-9_]*\}/g.exec(template.replaceAll('{session_id}', ''));
  if (other) throw usageError(`--filename-template has the placeholder ${other[0]}, which is not one; the only placeholder is {session_id} (got '${template}')`);
}

/** Temp files still being written; removed if the process is interrupted (see main.ts). */
export const pendingTempFiles = new Set<string>();

/** Text as it reaches the writer: pieces of a document (strings, or UTF-8 bytes), possibly still arriving. */
export type Piece = string | Uint8Array;
export type Pieces = Iterable<Piece> | AsyncIterable<Piece>;

/** A failure of the pieces' source (not of the file): passed on as it is, not as an output error. */
class SourceFailure {
  constructor(readonly cause: unknown) {}
}

async function* guarded(pieces: Pieces): AsyncGenerator<Piece> {
  try {
    yield* pieces;
  } catch (err) {
    throw new SourceFailure(err);
  }
}

/**
 * Writes text (one string or its pieces) to `path` through a temp file and a rename, so a reader
 * never sees a partial file. A symbolic link is followed; a device or FIFO is written to directly.
 */
export async function writeAtomic(path: string, text: string | Pieces): Promise<void> {
  const file = await AtomicFile.open(path);
  await file.writeAll(typeof text === 'string' ? [text] : text);
  await file.commit();
}

/**
 * A file being written: into a temp file beside `path` that `commit` renames into place (`abort`
 * removes it), or — a device, FIFO or socket (`-o /dev/stdout`, a named pipe), which renaming over
 * would replace — straight into `path`. A symbolic link is written through, to what it names. Every
 * failure of the file is an output error naming the path; the file is then removed.
 */
class AtomicFile {
  private done = false;

  private constructor(
    /** The path named in messages: the file written in the end (a link's target). */
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly tmp?: string,
  ) {}

  static async open(path: string): Promise<AtomicFile> {
    const st = await lstat(path).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      // A dangling link is written through: opening it creates what it names.
      return target === undefined ? AtomicFile.direct(path) : AtomicFile.open(target);
    }
    if (st && !st.isFile() && !st.isDirectory()) return AtomicFile.direct(path);
    const tmp = tempPath(path);
    pendingTempFiles.add(tmp);
    const handle = await open(tmp, 'w').catch((err: unknown) => {
      pendingTempFiles.delete(tmp);
      return outputFailure(path, err);
    });
    return new AtomicFile(path, handle, tmp);
  }

  private static async direct(path: string): Promise<AtomicFile> {
    return new AtomicFile(path, await open(path, 'w').catch((err: unknown) => outputFailure(path, err)));
  }

  /** Writes pieces as they come; a failure of their source is passed on as it is (the file is removed). */
  async writeAll(pieces: Pieces): Promise<void> {
    try {
      for await (const piece of guarded(pieces)) await this.writeWhole(piece);
    } catch (err) {
      await this.abort();
      outputFailure(this.path, err);
    }
  }

  /**
   * One piece, all of it: a write may take fewer bytes than it was given (a disk with a few kilobytes
   * left takes what fits and fails only at the next write), so the rest is written until every byte is.
   * Taken as complete, a short write left a cut-off file renamed into place and reported as written.
   */
  private async writeWhole(piece: string | Uint8Array): Promise<void> {
    const first = typeof piece === 'string' ? await this.handle.write(piece) : await this.handle.write(piece);
    const bytes = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
    if (first.bytesWritten === bytes) return;
    // Rare: the piece as bytes (a string's UTF-8), to write on from where the short write stopped.
    const all = typeof piece === 'string' ? Buffer.from(piece) : piece;
    for (let done = first.bytesWritten; done < bytes; ) {
      const { bytesWritten } = await this.handle.write(all, done, bytes - done);
      if (bytesWritten === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      done += bytesWritten;
    }
  }

  async commit(): Promise<void> {
    if (this.done) return;
    try {
      await this.handle.close();
      if (this.tmp !== undefined) await rename(this.tmp, this.path);
      this.done = true;
      if (this.tmp !== undefined) pendingTempFiles.delete(this.tmp);
    } catch (err) {
      await this.abort();
      outputFailure(this.path, err);
    }
  }

  /** Closes and removes what was written (nothing after a commit). */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    if (this.tmp === undefined) return;
    await rm(this.tmp, { force: true }).catch(() => undefined);
    pendingTempFiles.delete(this.tmp);
  }
}

/** What a temp name adds to the file's name: `.` before it, then `.<12 hex>.tmp`. */
const TEMP_EXTRA_BYTES = 18;
/** Names up to this many bytes keep the whole name in their temp name (theirs is then 82 bytes at most). */
const WHOLE_NAME_BYTES = 64;

/**
 * A new temp file's path beside `path`: `.NAME.<12 random hex>.tmp`, hidden, in the same directory (a
 * rename stays within one file system), unique by its random part. A long name is cut so that the temp
 * name is no longer than the file's own, and fits wherever the file's name does (whatever the
 * file system's limit, and within the system's longest path): a name of 238 to 255 bytes, legal, got an
 * ENAMETOOLONG from its temp name.
 */
function tempPath(path: string): string {
  const name = basename(path);
  const bytes = Buffer.byteLength(name);
  const kept = bytes <= WHOLE_NAME_BYTES ? name : utf8Prefix(name, bytes - TEMP_EXTRA_BYTES);
  return join(dirname(path), `.${kept}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The longest start of `text` of at most `bytes` bytes in UTF-8, cut between characters. */
function utf8Prefix(text: string, bytes: number): string {
  const utf8 = Buffer.from(text);
  let end = Math.min(bytes, utf8.length);
  // A byte 10xxxxxx continues a character: the cut goes before the character it belongs to.
  while (end > 0 && end < utf8.length && (utf8[end] & 0xc0) === 0x80) end--;
  return utf8.subarray(0, end).toString('utf8');
}

/** The real path of an existing file (a link's target), else undefined. */
function realPathNow(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch {
    return undefined;
  }
}

/** A failure of the pieces' source passes on as it is; anything else is an output error naming the path. */
function outputFailure(path: string, err: unknown): never {
  if (err instanceof SourceFailure) throw err.cause;
  // A pipe named as the output (`-o /dev/stdout | head`) closed by its reader: as for stdout, a quiet 141.
  if ((err as NodeJS.ErrnoException).code === 'EPIPE') throw new CliError(EXIT.BROKEN_PIPE, '');
  throw new CliError(EXIT.OUTPUT, `cannot write ${path}: ${whyNotWritten(path, err as NodeJS.ErrnoException)}`);
}

/**
 * Why a file could not be written, in words about the path the user named: node's message names the
 * call and the file it failed on, which is the hidden temp file beside it (`open '/out/.x.json.1f….tmp'`).
 * A missing or blocked directory is told as the file system has it now (see {@link blockedOnTheWay}).
 */
export function whyNotWritten(path: string, err: NodeJS.ErrnoException): string {
  const blocked = err.code === 'ENOENT' || err.code === 'ENOTDIR' ? blockedOnTheWay(path) : undefined;
  if (blocked !== undefined) return blocked;
  return systemReason(err);
}

/**
 * Why an output directory could not be made (its missing parents are made with it): a file where a
 * directory should be, named, else the system's reason without node's call and path.
 */
export function whyNotMade(path: string, err: NodeJS.ErrnoException): string {
  const [existing, st] = nearestExisting(path);
  if (st !== undefined && !st.isDirectory()) return `${existing} is not a directory`;
  return danglingOnTheWay(path, existing) ?? systemReason(err);
}

/** Between the nearest directory there and `path`: a link that leads nowhere (nothing can be made through it). */
function danglingOnTheWay(path: string, existing: string): string | undefined {
  for (let at = path; at !== existing && dirname(at) !== at; at = dirname(at)) {
    const target = danglingTarget(at);
    if (target !== undefined) return `${at} is a symbolic link to ${target}, which does not exist`;
  }
  return undefined;
}

/** `ENOSPC: no space left on device, write` → `ENOSPC: no space left on device` (the call and path are node's, not the user's). */
function systemReason(err: NodeJS.ErrnoException): string {
  return typeof err.syscall === 'string' ? err.message.replace(/, \w+(?: '.*')?$/s, '') : err.message;
}

/**
 * What stops a file from being made at `path`, looked at after an ENOENT or ENOTDIR: its directory that
 * does not exist, a file where a directory should be, or the target of a dangling link that cannot be
 * made. Every ENOENT was told as "the directory <parent of the path> does not exist": wrong of a dangling
 * link `out.json -> missing-dir/t.json` (its own directory is there) and of `/proc/x.json` (/proc is
 * there, and makes no new files). Undefined when nothing is missing: the system's reason is then told.
 */
function blockedOnTheWay(path: string): string | undefined {
  const dir = dirname(path);
  const [existing, st] = nearestExisting(dir);
  if (st !== undefined && !st.isDirectory()) return `${existing} is not a directory`;
  if (existing !== dir) return danglingOnTheWay(dir, existing) ?? `the directory ${dir} does not exist`;
  const target = danglingTarget(path);
  const why = target === undefined ? undefined : blockedOnTheWay(target);
  return why === undefined ? undefined : `it is a symbolic link to ${target}, and ${why}`;
}

/** `dir` or the nearest of its ancestors that exists (links followed), with what it is. */
function nearestExisting(dir: string): [string, Stats | undefined] {
  for (let at = dir; ; at = dirname(at)) {
    const st = statNow(at);
    if (st !== undefined || dirname(at) === at) return [at, st];
  }
}

function statNow(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The path a dangling symbolic link would create (links to links followed), or undefined when `path` is no link. */
function danglingTarget(path: string): string | undefined {
  let at = path;
  for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
    let link: string;
    try {
      link = readlinkSync(at);
    } catch {
      return at === path ? undefined : at; // not a link (EINVAL) or not there (ENOENT): the end of the chain
    }
    at = resolve(dirname(at), link);
  }
  return undefined;
}

/** Symbolic links followed at most (as the kernel's own limit). */
export const MAX_LINK_HOPS = 40;

/**
 * Writes trajectories as they are produced: NDJSON lines on stdout, or one file each in a directory.
 * A single-file target takes one trajectory, put in place at `close`, and refuses a second. Trajectories
 * arrive as text already in {@link TrajectoryWriter.format} (printed here or on a worker thread).
 */
/** Files of `-o DIR/` written at once at most (see TrajectoryWriter.write). */
const FILES_IN_FLIGHT = 16;

export class TrajectoryWriter {
  readonly written: string[] = [];
  private readonly usedNames = new Set<string>();
  /** The one trajectory of a single-file target, in its temp file until `close`, and its session id. */
  private held?: AtomicFile;
  private heldId?: string;
  private dirMade?: Promise<void>;

  /** Files of `-o DIR/` being written (see `write`), oldest first, and the first that failed. */
  private readonly inFlight: Array<Promise<void>> = [];
  private failure?: { error: unknown };
  /** Image files written (fix `image-parts`), by their path as the trajectories name them, and where. */
  private readonly imagesDone = new Set<string>();
  readonly imagesWritten: string[] = [];
  private readonly imageDir: string | undefined;
  private imageDirMade?: Promise<void>;

  constructor(
    private readonly target: OutputTarget,
    private readonly template: string,
    private readonly io: CliIO,
    /** Real paths of the input files, which no file of `-o DIR/` may be written over (see inputFilePaths). */
    private readonly inputs: ReadonlySet<string> = new Set(),
  ) {
    if (target.kind === 'dir') checkTemplate(template);
    this.imageDir = imageDirectory(target);
  }

  /** Whether image files can be written beside the trajectories (see imageDirectory). */
  get writesImages(): boolean {
    return this.imageDir !== undefined;
  }

  /**
   * Writes the image files a trajectory refers to, each through a temp file and a rename as every
   * output file is, and each once in a run: they are named by their content, and trajectories of one
   * session refer to the same ones. Never over an input file.
   */
  async writeImages(files: readonly ImageFile[]): Promise<void> {
    const dir = this.imageDir;
    if (dir === undefined) return;
    for (const file of files) {
      if (this.imagesDone.has(file.path)) continue;
      this.imagesDone.add(file.path);
      const path = join(dir, file.path);
      if (this.inputs.size > 0 && this.inputs.has(realPathNow(path) ?? '')) {
        throw usageError(`the image ${file.path} would be written over the input file ${path}; give another output directory`);
      }
      this.imageDirMade ??= makeDirectory(dirname(path)).catch((err: Error) => {
        throw new CliError(EXIT.OUTPUT, `cannot create image directory ${dirname(path)}: ${whyNotMade(dirname(path), err as NodeJS.ErrnoException)}`);
      });
      await this.imageDirMade;
      await writeAtomic(path, [file.bytes]);
      this.imagesWritten.push(path);
    }
  }

  /** Stdout gets one compact line per trajectory; files get pretty JSON. */
  get format(): OutputFormat {
    return this.target.kind === 'stdout' ? 'ndjson' : 'pretty';
  }

  /**
   * Writes one trajectory's text (newline included) as its pieces come, named after its session id in
   * a directory. No pieces (an empty trajectory that is not written): nothing is written.
   *
   * `atHand` (its text is all here, or printed from a conversion in this thread: nothing is awaited from a worker): a file
   * of `-o DIR/` may then still be being written when this returns, beside up to FILES_IN_FLIGHT - 1
   * others, while the caller reads on. Each file waits on the file system for opening, writing,
   * closing and renaming, and several wait at once; written one at a time, the thread spent those
   * waits idle (the 100 MB ATOF stream in one thread, 1,412 files: 4.6–5.2 s against 5.3–6.6 s, runs
   * interleaved; one file at a time behind the reading gained nothing). A failed file fails the next
   * call, or `close`.
   */
  async write(sessionId: string, text: Pieces, atHand = false): Promise<void> {
    this.throwFailure();
    if (this.target.kind === 'dir' && atHand) {
      if (this.inFlight.length >= FILES_IN_FLIGHT) await this.inFlight.shift();
      this.throwFailure();
      this.inFlight.push(this.writeOne(sessionId, text).catch((error: unknown) => void (this.failure ??= { error })));
      return;
    }
    await this.settle();
    await this.writeOne(sessionId, text);
  }

  private async writeOne(sessionId: string, text: Pieces): Promise<void> {
    const pieces = inOrder(text);
    const first = await pieces.next();
    if (first.done) return;
    const all = prepend(first.value, pieces);
    if (this.target.kind === 'stdout') {
      for await (const piece of all) await writeOut(this.io, piece);
    } else if (this.target.kind === 'file') {
      // Refused as soon as a second trajectory comes, not after the whole input has been converted.
      if (this.heldId !== undefined) {
        throw usageError(`-o ${this.target.path} names one file but the input holds more than one trajectory (${this.heldId}, then ${sessionId}); give a directory (ending in '/') instead`);
      }
      this.heldId = sessionId;
      // Written as it is printed (a large trajectory is not held in memory), into the temp file that
      // `close` renames into place: until then the output path is untouched.
      this.held = await AtomicFile.open(this.target.path);
      await this.held.writeAll(all);
    } else {
      const base = safeNamePart(sessionId);
      let name = this.template.replaceAll('{session_id}', base);
      // Two session ids that sanitise to the same name get numbered, in output order (named before
      // any wait, so files written at once are named in the order they were given).
      for (let n = 2; this.usedNames.has(name); n++) name = this.template.replaceAll('{session_id}', `${base}-${n}`);
      this.usedNames.add(name);
      const path = join(this.target.path, name);
      // Its name comes from a session id, known only now: a template naming files as the inputs are
      // named (`{session_id}.ndjson`) could otherwise replace an input, perhaps one not read yet.
      // Asked without a wait (one system call): files written at once are listed in the order they came.
      if (this.inputs.size > 0 && this.inputs.has(realPathNow(path) ?? '')) {
        throw usageError(`-o ${this.target.path}: the trajectory ${sessionId} would be written over the input file ${path}; give another directory or --filename-template`);
      }
      this.written.push(path);
      await this.ensureDir(this.target.path);
      await writeAtomic(path, all);
    }
  }

  /** Finishes the output (the single-file target is written here). */
  async close(): Promise<void> {
    await this.settle();
    if (this.target.kind === 'dir') await this.ensureDir(this.target.path); // exists even when nothing was written
    // No trajectory: nothing to write, as on stdout or in a directory (the summary says 0).
    if (this.target.kind !== 'file' || this.held === undefined) return;
    await this.held.commit();
    this.written.push(this.target.path);
  }

  /** Removes the single-file target's temp file unless `close` put it in place (a run that stopped). */
  async discard(): Promise<void> {
    // Files of a directory still being written end first (put in place, or removed when they fail).
    while (this.inFlight.length > 0) await this.inFlight.shift();
    await this.held?.abort();
  }

  /** Waits for the files still being written; throws the first failure. */
  private async settle(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift();
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }

  /** The output directory, made once (files written at once wait for the same making). */
  private ensureDir(path: string): Promise<void> {
    this.dirMade ??= makeDirectory(path).catch((err: Error) => {
      throw new CliError(EXIT.OUTPUT, `cannot create output directory ${path}: ${whyNotMade(path, err as NodeJS.ErrnoException)}`);
    });
    return this.dirMade;
  }
}

/** Writes to stdout and waits when the pipe is full, so a large output is not buffered in memory. */
export async function writeOut(io: CliIO, chunk: Piece): Promise<void> {
  if (io.stdout.write(chunk) === false && io.stdout.once) await new Promise<void>((res) => io.stdout.once!('drain', () => res()));
}

async function* inOrder(pieces: Pieces): AsyncGenerator<Piece> {
  yield* pieces;
}

async function* prepend<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
