import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { createGunzip, createInflate, gunzipSync, inflateSync } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { InputError, WholeFile, type InputSource } from './inputs.js';

/**
 * Line splitting over a byte stream, chunk by chunk: a file is never held in one string (multi-hundred
 * MB logs overflow V8's string limit), only the current line is, and even that is capped.
 */

/**
 * Longest line kept, in bytes, line terminator excluded. A longer line is reported as `too-long` and
 * its remainder is skipped without being buffered, so one runaway line cannot exhaust memory.
 * 64 MiB comfortably holds a large captured LLM response while staying far below V8's string limit.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export type LineError = 'invalid-utf8' | 'too-long';

/** A decoded line, or a line that could not be decoded (its `bytes` is its length without terminator). */
export type Line =
  | { file: string; line: number; text: string }
  | { file: string; line: number; error: LineError; bytes: number };

export interface ReadLinesOptions {
  /** Overrides {@link MAX_LINE_BYTES} (tests use a small value). */
  maxLineBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/**
 * A zlib stream (RFC 1950), as mitmproxy writes a `.zhar`: CMF 0x78 (deflate, 32K window), then a FLG
 * byte that makes (CMF·256 + FLG) divisible by 31. Only the FLG bytes of levels 0–1, 6 (the default)
 * and 7–9 (mitmproxy's) are taken: those of levels 2–5 (0x5e, `^`) and of a preset dictionary are
 * printable or never written to a file, and `x^` could begin a line of text.
 */
const ZLIB_CMF = 0x78;
const ZLIB_FLG: readonly number[] = [0x01, 0x9c, 0xda];
/**
 * A zstd frame (RFC 8878 §3.1.1), as `zstd` and logrotate's `compresscmd zstd` write a `.zst`: its magic
 * number 0xFD2FB528, little-endian. `(` then 0xB5 is no UTF-8 text, so no log line begins so.
 */
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

/** What an input's first bytes say it is compressed with: gzip, zlib and zstd are read decompressed, whatever the name. */
export type Compression = 'gzip' | 'zlib' | 'zstd';

export function compressionOf(head: Uint8Array): Compression | undefined {
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) return 'gzip';
  if (head[0] === ZLIB_CMF && head[1] !== undefined && ZLIB_FLG.includes(head[1])) return 'zlib';
  if (ZSTD_MAGIC.every((b, i) => head[i] === b)) return 'zstd';
  return undefined;
}

/** An inflater's failure on data that began as {@link Compression} announces, named as such. */
class CorruptCompressedData extends Error {
  constructor(
    readonly compression: Compression,
    cause: Error,
  ) {
    super(cause.message, { cause });
  }
}
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * `ignoreBOM` keeps the decoder from silently eating a BOM at the start of every line; a BOM is
 * dropped only where it belongs, at the start of a file (see {@link decodeLine}).
 */

/**
 * The lines of one source, 1-based, `\n` or `\r\n` terminated, a final unterminated line included.
 * Gzip and zlib are recognised by their magic bytes whatever the name. Read failures (missing permissions,
 * a directory, a corrupt or truncated gzip or zlib stream) throw {@link InputError} `unreadable` naming the source.
 */
export async function* readLines(source: InputSource, options: ReadLinesOptions = {}): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(source, options)) yield* batch;
}

/**
 * The same lines, a batch per chunk read: a consumer that handles a batch synchronously pays the
 * cost of asynchronous iteration once per chunk instead of once per line.
 */
export async function* readLineBatches(source: InputSource, options: ReadLinesOptions = {}): AsyncGenerator<Line[]> {
  const splitter = new LineSplitter(source.name, options.maxLineBytes ?? MAX_LINE_BYTES);
  try {
    for await (const chunk of contentChunks(source.open())) {
      const batch = splitter.push(chunk);
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    throw asUnreadable(error, source.name);
  }
  const last = splitter.end();
  if (last.length > 0) yield last;
}

function asUnreadable(error: unknown, name: string): InputError {
  if (error instanceof InputError) return error;
  const detail = (error as Error)?.message ?? String(error);
  const what = error instanceof CorruptCompressedData ? `corrupt or truncated ${error.compression} data` : 'cannot read';
  return new InputError('unreadable', name, `${name}: ${what}: ${detail}`, { cause: error });
}

function isZlibError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** The stream's bytes, inflated when they start with the gzip or zlib magic (as every input is read). */
export async function* contentChunks(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  if (stream instanceof WholeFile) {
    const inflated = inflatedAtOnce(stream.bytes);
    if (inflated) {
      stream.destroy();
      if (inflated.length > 0) yield inflated;
      return;
    }
  }
  const chunks = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  // A stream may deliver a single byte first (a pipe), so gather enough to see the magic number.
  let head = Buffer.alloc(0);
  while (head.length < ZSTD_MAGIC.length) {
    const next = await chunks.next();
    if (next.done) break;
    head = Buffer.concat([head, toBuffer(next.value)]);
  }
  const rest = followedBy(head, chunks);
  const compression = compressionOf(head);
  if (compression === 'zstd') yield* unzstd(rest);
  else if (compression) yield* inflate(rest, compression);
  else yield* rest;
}

/** Inflated text of a small file inflated at once at most (a file that inflates further is streamed). */
const INFLATED_AT_ONCE_BYTES = 16 * 1024 * 1024;

/**
 * A small compressed file's text, inflated in one call: the streaming inflater waits on the thread pool
 * for every chunk, which on a directory of small compressed logs took a third of the run. Undefined when
 * the bytes are not compressed, or the inflation fails or would exceed {@link INFLATED_AT_ONCE_BYTES}: the
 * file is then streamed, which gives what precedes any damage before the error, as for any other file.
 */
function inflatedAtOnce(bytes: Buffer): Buffer | undefined {
  const compression = compressionOf(bytes);
  // zstd is always streamed: fzstd's one-call decoder takes no output limit.
  if (!compression || compression === 'zstd') return undefined;
  try {
    const options = { maxOutputLength: INFLATED_AT_ONCE_BYTES };
    return compression === 'gzip' ? gunzipSync(bytes, options) : inflateSync(bytes, options);
  } catch {
    return undefined;
  }
}

async function* followedBy(head: Buffer, tail: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  try {
    for (let next = await tail.next(); !next.done; next = await tail.next()) yield toBuffer(next.value);
  } finally {
    // Lets the underlying stream release its file when a consumer stops early.
    await tail.return?.();
  }
}

/** A stream chunk as bytes (a stream in text mode yields strings). */
export function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * The inflated bytes, every one the inflater produced before an error included: a truncated or
 * corrupt file still yields what precedes the damage (whose lines are read and converted, then the
 * run fails as unreadable). Iterating the inflater directly would drop its buffered output at the
 * error, so how much is lost would depend on how fast the consumer reads.
 */
async function* inflate(compressed: AsyncGenerator<Buffer>, compression: Compression): AsyncGenerator<Buffer> {
  const source = Readable.from(compressed);
  const inflater = compression === 'gzip' ? createGunzip() : createInflate();
  const ready: Buffer[] = [];
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  inflater.on('data', (chunk: Buffer) => {
    ready.push(chunk);
    if (ready.length >= INFLATED_AHEAD) inflater.pause(); // bounded read-ahead
    notify();
  });
  inflater.on('end', () => ((ended = true), notify()));
  inflater.on('error', (error) => ((failure = error), notify()));
  // `pipe` does not forward errors; a read error on the file must still end the iteration below.
  source.on('error', (error) => inflater.destroy(error));
  source.pipe(inflater);
  try {
    for (;;) {
      const chunk = ready.shift();
      if (chunk) {
        if (inflater.isPaused() && ready.length < INFLATED_AHEAD / 2) inflater.resume();
        yield chunk;
      } else if (failure) throw isZlibError(failure) ? new CorruptCompressedData(compression, failure) : failure;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    source.destroy();
    inflater.destroy();
  }
}

/**
 * A zstd stream's bytes, decoded by fzstd (pure JS: Node 20's zlib has no zstd) as the compressed
 * chunks arrive, so that memory holds a chunk's output and the decoder's window, not the file. As with
 * gzip, what precedes damage is given before the error; a stream that stops inside a frame (a log
 * compressed while it was written, a copy cut short) is corrupt or truncated data, exit 3.
 */
async function* unzstd(compressed: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  const ready: Buffer[] = [];
  // fzstd may hand out views of its own window, which later data overwrites: each chunk is copied.
  const decoder = new ZstdDecompress((data) => ready.push(Buffer.from(data)));
  const decode = (chunk: Uint8Array, final: boolean) => {
    try {
      decoder.push(chunk, final);
    } catch (error) {
      throw new CorruptCompressedData('zstd', error as Error);
    }
  };
  for await (const chunk of compressed) {
    decode(chunk, false);
    while (ready.length > 0) yield ready.shift()!;
  }
  let failure: Error | undefined;
  try {
    decode(new Uint8Array(0), true);
  } catch (error) {
    failure = error as Error;
  }
  // What was decoded before a truncated end is read, then the error stops the run.
  while (ready.length > 0) yield ready.shift()!;
  if (failure) throw failure;
}

/** Inflated chunks (of up to 16 KiB) held ahead of the consumer at most. */
const INFLATED_AHEAD = 64;

/**
 * The splitting state machine, free of I/O. Bytes of the current line are kept as a list of pieces
 * (copied into one buffer only once the line is complete); past the limit it stops keeping them and
 * only counts until the next newline.
 */
class LineSplitter {
  private pieces: Buffer[] = [];
  private pendingBytes = 0;
  private overflowing = false;
  /** Tracked even while overflowing, so a too-long line's size excludes its `\r\n` ending too. */
  private endsWithCR = false;
  private lineNumber = 0;

  constructor(
    private readonly file: string,
    private readonly maxLineBytes: number,
  ) {}

  /** The lines completed by `chunk`. */
  push(chunk: Buffer): Line[] {
    const out: Line[] = [];
    let start = 0;
    let newline = chunk.indexOf(LF);
    if (newline !== -1 && (this.pendingBytes > 0 || this.overflowing)) {
      // The end of a line begun in an earlier chunk.
      this.take(chunk.subarray(0, newline));
      out.push(this.finishLine());
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      // Lines wholly inside this chunk: decoded with one call when the bytes allow it.
      if (!this.decodeRegion(chunk.subarray(start, last), out)) {
        for (newline = chunk.indexOf(LF, start); newline !== -1 && newline <= last; newline = chunk.indexOf(LF, start)) {
          this.take(chunk.subarray(start, newline));
          out.push(this.finishLine());
          start = newline + 1;
        }
      }
      start = last + 1;
    }
    this.take(chunk.subarray(start));
    return out;
  }

  /**
   * Complete lines (the region holds no final newline) decoded at once and split on `\n` — a UTF-8
   * sequence never contains that byte, so splitting text or bytes is the same. False (nothing done)
   * when a line of the region might need the per-line path: invalid UTF-8, a BOM at the start of
   * the file, or a region longer than the line limit.
   */
  private decodeRegion(region: Buffer, out: Line[]): boolean {
    if (region.length > this.maxLineBytes || !isUtf8(region) || (this.lineNumber === 0 && startsWithBom(region))) return false;
    const text = region.toString('utf8');
    let from = 0;
    for (;;) {
      const to = text.indexOf('\n', from);
      const end = to === -1 ? text.length : to;
      const line = text.charCodeAt(end - 1) === CR && end > from ? text.slice(from, end - 1) : text.slice(from, end);
      out.push({ file: this.file, line: ++this.lineNumber, text: line });
      if (to === -1) return true;
      from = to + 1;
    }
  }

  end(): Line[] {
    return this.pendingBytes > 0 ? [this.finishLine()] : [];
  }

  /**
   * One byte of slack over the limit leaves room for the `\r` of a `\r\n` ending, so a line of exactly
   * the limit is kept whichever line ending it has.
   */
  private take(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pendingBytes += bytes.length;
    this.endsWithCR = bytes[bytes.length - 1] === CR;
    if (this.overflowing) return;
    if (this.pendingBytes > this.maxLineBytes + 1) {
      this.overflowing = true;
      this.pieces = [];
    } else {
      this.pieces.push(bytes);
    }
  }

  private finishLine(): Line {
    this.lineNumber++;
    const where = { file: this.file, line: this.lineNumber };
    const total = this.pendingBytes;
    const pieces = this.pieces;
    const overflowing = this.overflowing;
    const contentBytes = this.endsWithCR ? total - 1 : total;
    this.pieces = [];
    this.pendingBytes = 0;
    this.overflowing = false;
    this.endsWithCR = false;
    if (overflowing || contentBytes > this.maxLineBytes) return { ...where, error: 'too-long', bytes: contentBytes };
    const joined = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, total);
    const bytes = joined.subarray(0, contentBytes);
    return decodeLine(bytes, where, this.lineNumber === 1);
  }
}

function decodeLine(bytes: Buffer, where: { file: string; line: number }, firstLine: boolean): Line {
  const content = firstLine && startsWithBom(bytes) ? bytes.subarray(UTF8_BOM.length) : bytes;
  // isUtf8 is a native validity check; toString never throws, so it must come first.
  return isUtf8(content) ? { ...where, text: content.toString('utf8') } : { ...where, error: 'invalid-utf8', bytes: bytes.length };
}

function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}
