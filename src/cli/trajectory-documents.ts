import { statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { resolve } from 'node:path';
import { MAX_TEXT_BYTES } from '../atif/validate/json-load-large.js';
import { scanJsonText } from '../atif/validate/json-scan.js';
import type { ScannedText } from '../atif/validate/json-load.js';
import { openFile, type InputSource } from '../ingest/inputs.js';
import { contentChunks, toBuffer } from '../ingest/lines.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import type { CliIO } from './io.js';
import { OPENING_BYTES } from './trajectory-opening.js';

/** One trajectory to validate: its bytes and, in an NDJSON input, its 1-based line. */
export interface TrajectoryDocument {
  line?: number;
  bytes: Uint8Array;
  /** Its text and scan, when telling the input's form took them (the first line): not to be made again. */
  scanned?: ScannedText;
}

const LF = 0x0a;
/** A first line that opens a pretty-printed document (a BOM before it allowed). */
const PRETTY_OPENING = /^\uFEFF?\s*[{[]\s*$/;

/**
 * The trajectories of one `validate` input, read chunk by chunk. NDJSON (what `convert -o -` writes)
 * is one trajectory per non-blank line, each checked on its own, so a broken line is reported at its
 * line and the others are still checked. An input is NDJSON when its first non-blank line is a JSON
 * value by itself (then no more than one line is held at a time), or when it is not JSON as a whole
 * but a later line is a JSON object by itself (its first line is damaged). Otherwise it is one JSON
 * document (a pretty-printed trajectory file), held whole, as its validation needs. An NDJSON input
 * of a single line is reported as a document (no line number), as a file is.
 */
export async function* trajectoryDocuments(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<TrajectoryDocument> {
  let form: 'undecided' | 'ndjson' | 'document' = 'undecided';
  // Everything read while the form may still be a document.
  const whole: Buffer[] = [];
  let carry: Buffer[] = [];
  let lineNo = 0;
  const docs = new NumberedDocuments();
  // After a first line that is not JSON by itself: whether a later line is a JSON object by itself.
  let sawObjectLine = false;
  // Whether that first line is a lone `{` or `[`: the opening of a pretty document, not a damaged NDJSON line.
  let opensPretty = false;

  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (form !== 'ndjson') whole.push(chunk);
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
      const from = start;
      start = lf + 1;
      lineNo++;
      if (form === 'document' && carry.length === 0) {
        // A document's lines matter only as a sign of NDJSON with a damaged first line (below): they are
        // looked at where they are, not cut out (a pretty trajectory file has tens of millions of lines).
        if (!sawObjectLine && isObjectLineIn(chunk, from, lf)) sawObjectLine = true;
        continue;
      }
      const piece = chunk.subarray(from, lf);
      const line = carry.length > 0 ? Buffer.concat([...carry, piece]) : piece;
      carry = [];
      if (form === 'ndjson') {
        yield* docs.add(lineNo, line);
        continue;
      }
      if (isBlank(line)) continue;
      if (form === 'undecided') {
        const value = asJsonValue(line);
        form = value ? 'ndjson' : 'document';
        if (value) yield* docs.add(lineNo, line, value.scanned);
        else opensPretty = PRETTY_OPENING.test(line.toString('utf8'));
        continue;
      }
      if (!sawObjectLine && isObjectLineIn(line, 0, line.length)) sawObjectLine = true;
    }
    if (form === 'ndjson') whole.length = 0;
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length > 0) {
    const line = Buffer.concat(carry);
    lineNo++;
    if (form === 'ndjson') yield* docs.add(lineNo, line);
    else if (form === 'undecided' && !isBlank(line)) {
      const value = asJsonValue(line);
      if (value) return yield { bytes: line, scanned: value.scanned };
    } else if (form === 'document' && !sawObjectLine && isObjectLineIn(line, 0, line.length)) sawObjectLine = true;
  }
  if (form === 'ndjson') return yield* docs.end();
  const bytes = Buffer.concat(whole);
  // A document that is not JSON but has a line that is a JSON object by itself: NDJSON whose first
  // line is damaged, each line its own document. (A valid document stays one, whatever its lines; so
  // does a broken one that opens as a pretty document, whose one-line steps would read as trajectories.)
  if (form === 'document' && sawObjectLine && !opensPretty && bytes.length <= MAX_TEXT_BYTES && scanJsonText(bytes.toString('utf8')) === undefined) {
    const { lines, rest } = splitLines(bytes);
    for (const [i, held] of [...lines, rest].entries()) yield* docs.add(i + 1, held);
    return yield* docs.end();
  }
  // One document, or an input with no non-blank line (reported as not JSON, as the reference does).
  yield { bytes };
}

/** NDJSON documents with their line numbers, except that an input of one line is one unnumbered document. */
class NumberedDocuments {
  private first?: TrajectoryDocument;
  private count = 0;

  *add(line: number, bytes: Buffer, scanned?: ScannedText): Generator<TrajectoryDocument> {
    if (isBlank(bytes)) return;
    const doc: TrajectoryDocument = scanned ? { line, bytes, scanned } : { line, bytes };
    if (++this.count === 1) {
      this.first = doc;
      return;
    }
    if (this.count === 2) yield this.first!;
    yield doc;
  }

  *end(): Generator<TrajectoryDocument> {
    if (this.count !== 1) return;
    const { bytes, scanned } = this.first!;
    yield scanned ? { bytes, scanned } : { bytes };
  }
}

/** The complete lines of a buffer, and what follows the last newline. */
function splitLines(buf: Buffer): { lines: Buffer[]; rest: Buffer } {
  const lines: Buffer[] = [];
  let start = 0;
  for (let lf = buf.indexOf(LF); lf !== -1; lf = buf.indexOf(LF, start)) {
    lines.push(buf.subarray(start, lf));
    start = lf + 1;
  }
  return { lines, rest: buf.subarray(start) };
}

/** Whether the bytes are only JSON whitespace. */
export function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return false;
  }
  return true;
}

/**
 * Whether `buf[from, to)` is a JSON object by itself ({@link isObjectLine}): answered from the bytes
 * when its first or last character that `trim` keeps is ASCII and not a brace (almost every line of a
 * pretty-printed document), so a line need not be decoded, nor cut out of its chunk.
 */
function isObjectLineIn(buf: Buffer, from: number, to: number): boolean {
  if (to - from > MAX_TEXT_BYTES) return true;
  let first = from;
  while (first < to && isAsciiTrimmed(buf[first])) first++;
  if (first === to || (buf[first] < 0x80 && buf[first] !== 0x7b)) return false;
  let last = to - 1;
  while (last > first && isAsciiTrimmed(buf[last])) last--;
  if (buf[last] < 0x80 && buf[last] !== 0x7d) return false;
  return isObjectLine(buf.subarray(from, to));
}

/** The ASCII characters String.prototype.trim removes: tab, line feed, vertical tab, form feed, carriage return, space. */
function isAsciiTrimmed(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** A non-empty JSON object on one line: never a line of a pretty-printed document. */
function isObjectLine(bytes: Buffer): boolean {
  if (bytes.length > MAX_TEXT_BYTES) return true; // no pretty-printed line is that long (see asJsonValue)
  const text = bytes.toString('utf8').trim();
  return text.length > 2 && text.startsWith('{') && text.endsWith('}') && scanJsonText(text) !== undefined;
}

/**
 * Whether the line is a JSON value by itself, as the validator reads JSON (NaN and Infinity included).
 * A line longer than the longest string is taken for one (no pretty-printed document has such a line):
 * it is checked when it is validated, value by value (json-load-large.ts). When the scan is the one its
 * validation would make (valid UTF-8, nothing trimmed), it comes along: a trajectory of hundreds of
 * megabytes on one line is then decoded and scanned once.
 */
function asJsonValue(bytes: Buffer): { scanned?: ScannedText } | undefined {
  if (bytes.length > MAX_TEXT_BYTES) return {};
  const text = bytes.toString('utf8');
  const trimmed = text.trim();
  const scan = scanJsonText(trimmed);
  if (!scan) return undefined;
  return trimmed === text && isUtf8(bytes) ? { scanned: { text, scan } } : {};
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The chunks of one input ('-': stdin), after checking that a named file can be read. */
async function openInput(name: string, io: CliIO): Promise<NodeJS.ReadableStream> {
  if (name === '-') return io.stdin;
  const path = resolve(io.cwd, name);
  // Synchronous, as the file is then read (see openFile): on thousands of small files, waiting on the
  // thread pool for each step took half the run.
  const st = statOrUndefined(path);
  if (!st) throw usageError(`no such file: ${name}`);
  if (st.isDirectory()) throw usageError(`${name} is a directory; give the trajectory files`);
  return openFile(path, st);
}

/**
 * The trajectories of one named input ('-': stdin), gzip and zlib recognised by their magic bytes as convert
 * reads its inputs. Nothing at all on stdin is no trajectory (`convert … | validate` when nothing was
 * converted); an empty file is one document, which is not JSON.
 */
export async function* readTrajectoryDocuments(name: string, io: CliIO, opening?: OpeningTest): AsyncGenerator<TrajectoryDocument> {
  yield* documentsOf(name, () => openInput(name, io), opening);
}

/**
 * Whether an input's opening (its first {@link OPENING_BYTES} after gunzip, or all of a shorter one) may
 * begin trajectories: when it does not, the input is not read further and has no documents.
 */
export type OpeningTest = (opening: Buffer) => boolean;

/** The documents of a stream, its read errors as exit 3 naming the input; nothing at all on stdin is none. */
async function* documentsOf(name: string, open: () => Promise<NodeJS.ReadableStream>, opening?: OpeningTest): AsyncGenerator<TrajectoryDocument> {
  try {
    const chunks = await openedWith(contentChunks(await open()), opening);
    if (!chunks) return;
    for await (const doc of trajectoryDocuments(chunks)) {
      if (name === '-' && doc.line === undefined && isBlank(doc.bytes)) return;
      yield doc;
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(EXIT.UNREADABLE, `cannot read ${name}: ${(err as Error).message}`);
  }
}

/** The chunks, or undefined when their opening fails the test (nothing more is read of them then). */
async function openedWith(chunks: AsyncGenerator<Buffer>, opening?: OpeningTest): Promise<AsyncIterable<Buffer> | undefined> {
  if (!opening) return chunks;
  const head: Buffer[] = [];
  let length = 0;
  while (length < OPENING_BYTES) {
    const r = await chunks.next();
    if (r.done) break;
    head.push(r.value);
    length += r.value.length;
  }
  if (!opening(Buffer.concat(head))) {
    await chunks.return(undefined); // lets a file go (a pipe's bytes are kept by the recording)
    return undefined;
  }
  return (async function* () {
    yield* head;
    yield* chunks;
  })();
}

/**
 * One input that cannot be opened twice (stdin, a pipe such as `<(…)`) read as trajectory documents,
 * every byte read kept: when it turns out to hold something else (an event log), `rewound()` is a
 * source that reads it from its start, the kept bytes and then the rest.
 */
export async function recordedTrajectoryDocuments(name: string, io: CliIO, opening?: OpeningTest): Promise<{ documents: AsyncIterator<TrajectoryDocument>; rewound(): InputSource }> {
  const raw = ((await openInput(name, io)) as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const kept: Buffer[] = [];
  // Pulled only when the documents are: nothing is read ahead, so the rest starts where they stopped.
  const recording = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await raw.next();
        if (!r.done) kept.push(toBuffer(r.value));
        return r;
      },
    }),
  } as unknown as NodeJS.ReadableStream;
  async function* again(): AsyncGenerator<Buffer> {
    yield* kept;
    for (let r = await raw.next(); !r.done; r = await raw.next()) yield toBuffer(r.value);
  }
  return { documents: documentsOf(name, async () => recording, opening), rewound: () => ({ name, open: () => Readable.from(again()) }) };
}
