import { isUtf8 } from 'node:buffer';
import { error, quote, warning, type Finding } from './finding.js';
import { formatPath, type JsonPath } from './path.js';

/**
 * Reading a document too large to be one string (V8 holds at most about 512 MiB of text in a string;
 * `convert -o FILE` writes a trajectory of 100,000 LLM calls as 676 MB of pretty JSON). Its bytes are
 * walked here down through the containers too large to read at once; every smaller value is read as
 * text by the ordinary loader, and the containers are put together around them. The outcome is the
 * ordinary loader's for the same text: the same document, the same duplicate-key warnings in the same
 * order (an object's repeated keys first, then what its surviving values hold), the same non-finite
 * tokens. A syntax error is reported with its line and column (in words of its own).
 */

/** Longest document read as one text: V8's string limit (UTF-8 never takes fewer bytes than UTF-16 units). */
export const MAX_TEXT_BYTES = 0x1fffffe8;

/** Values of at most this many bytes are read as text; larger containers are walked. */
export const PIECE_BYTES = 64 * 1024 * 1024;

/** What the ordinary loader gives for one value's text. */
export type LoadedPiece = { ok: true; document: unknown; findings: Finding[]; noTokens?: true } | { ok: false; findings: Finding[] };

/** A failure anywhere ends the load: its findings are the outcome. */
class Failed {
  constructor(readonly findings: Finding[]) {}
}

const [SPACE, TAB, LF, CR, QUOTE, BACKSLASH, COMMA, COLON] = [0x20, 0x09, 0x0a, 0x0d, 0x22, 0x5c, 0x2c, 0x3a];
const [OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = [0x7b, 0x7d, 0x5b, 0x5d];

/**
 * Loads `bytes` reading values of at most `pieceBytes` as text with `loadText` (the ordinary loader);
 * larger containers are walked here.
 */
export function loadLargeJson(bytes: Uint8Array, pieceBytes: number, loadText: (text: string) => LoadedPiece): LoadedPiece {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buf)) return failed('not UTF-8: The encoded data was not valid for encoding utf-8');
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return failed('starts with a UTF-8 byte-order mark');
  const walker = new Walker(buf, pieceBytes, loadText);
  try {
    const start = walker.skipSpace(0);
    const { value, findings, end } = walker.value(start, []);
    if (walker.skipSpace(end) !== buf.length) walker.syntax(walker.skipSpace(end), 'unexpected text after the document');
    return walker.mayHoldTokens ? { ok: true, document: value, findings } : { ok: true, document: value, findings, noTokens: true };
  } catch (e) {
    if (e instanceof Failed) return { ok: false, findings: e.findings };
    throw e;
  }
}

function failed(message: string): LoadedPiece {
  return { ok: false, findings: [error([], 'invalid-json', message)] };
}

interface Walked {
  value: unknown;
  findings: Finding[];
  /** Offset just past the value. */
  end: number;
}

class Walker {
  /** Whether a piece read so far may hold a NaN / Infinity token (see LoadedJson's `noTokens`). */
  mayHoldTokens = false;

  constructor(
    private readonly buf: Buffer,
    private readonly pieceBytes: number,
    private readonly loadText: (text: string) => LoadedPiece,
  ) {}

  /** The value starting at `start` (no space before it), found at `path`. */
  value(start: number, path: JsonPath): Walked {
    const first = this.buf[start];
    if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) return this.piece(start, this.valueEnd(start), path);
    // Followed only as far as a piece may reach: a large container is walked without being followed to
    // its end first (each level of the document would otherwise be followed again, and again below it).
    const end = this.containerEnd(start, start + this.pieceBytes);
    if (end !== undefined) return this.piece(start, end, path);
    try {
      return first === OPEN_OBJECT ? this.object(start, path) : this.array(start, path);
    } catch (e) {
      // What following the container to its end would have found comes first, as when it was followed
      // before being walked: a string that is not closed, or the document ending inside the container.
      if (e instanceof Failed) this.valueEnd(start);
      throw e;
    }
  }

  /** A value read as text by the ordinary loader; its findings moved to where it sits. */
  private piece(start: number, end: number, path: JsonPath): Walked {
    const loaded = this.loadText(this.buf.toString('utf8', start, end));
    if (loaded.ok && loaded.noTokens !== true) this.mayHoldTokens = true;
    const prefix = formatPath(path);
    if (!loaded.ok) {
      // Its line and column count from the value's start: say where that is.
      const at = this.lineColumn(start);
      throw new Failed(loaded.findings.map((f) => ({ ...f, path: prefix + f.path.slice(1), message: `${f.message} (in the value at ${prefix}, which starts at line ${at.line}, column ${at.column})` })));
    }
    return { value: loaded.document, findings: path.length === 0 ? loaded.findings : loaded.findings.map((f) => ({ ...f, path: prefix + f.path.slice(1) })), end };
  }

  private object(start: number, path: JsonPath): Walked {
    const out: Record<string, unknown> = {};
    const members = new Map<string, Finding[]>();
    const duplicates: string[] = [];
    let i = this.skipSpace(start + 1);
    if (this.buf[i] === CLOSE_OBJECT) return { value: out, findings: [], end: i + 1 };
    for (;;) {
      if (this.buf[i] !== QUOTE) this.syntax(i, 'expected a key');
      const keyEnd = this.stringEnd(i);
      const key = this.key(i, keyEnd);
      i = this.skipSpace(keyEnd);
      if (this.buf[i] !== COLON) this.syntax(i, "expected ':' after a key");
      const member = this.value(this.skipSpace(i + 1), [...path, key]);
      if (members.has(key) && !duplicates.includes(key)) duplicates.push(key);
      members.set(key, member.findings);
      // An own data property, even for `__proto__`, as JSON.parse makes; a repeated key keeps its first place.
      Object.defineProperty(out, key, { value: member.value, enumerable: true, writable: true, configurable: true });
      i = this.skipSpace(member.end);
      if (this.buf[i] === CLOSE_OBJECT) break;
      if (this.buf[i] !== COMMA) this.syntax(i, "expected ',' or '}'");
      i = this.skipSpace(i + 1);
    }
    const findings = duplicates.map((key) => warning([...path, key], 'duplicate-key', `key ${quote(key)} appears more than once in this object; the last value wins`));
    for (const f of members.values()) for (const x of f) findings.push(x);
    return { value: out, findings, end: i + 1 };
  }

  private array(start: number, path: JsonPath): Walked {
    const out: unknown[] = [];
    const findings: Finding[] = [];
    let i = this.skipSpace(start + 1);
    if (this.buf[i] === CLOSE_ARRAY) return { value: out, findings, end: i + 1 };
    for (;;) {
      const item = this.value(i, [...path, out.length]);
      out.push(item.value);
      for (const f of item.findings) findings.push(f);
      i = this.skipSpace(item.end);
      if (this.buf[i] === CLOSE_ARRAY) break;
      if (this.buf[i] !== COMMA) this.syntax(i, "expected ',' or ']'");
      i = this.skipSpace(i + 1);
    }
    return { value: out, findings, end: i + 1 };
  }

  /** A key's text (escapes read by JSON.parse, which also rejects a malformed one). */
  private key(start: number, end: number): string {
    const literal = this.buf.toString('utf8', start, end);
    try {
      return JSON.parse(literal) as string;
    } catch {
      return this.syntax(start, 'malformed key');
    }
  }

  /**
   * Just past the value starting at `start`: strings and brackets are followed (the value itself is
   * checked where it is read); anything else runs to the next delimiter.
   */
  private valueEnd(start: number): number {
    const buf = this.buf;
    const c = buf[start];
    if (c === QUOTE) return this.stringEnd(start);
    if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
      let i = start;
      while (i < buf.length && !isDelimiter(buf[i])) i++;
      if (i === start) this.syntax(start, 'expected a value');
      return i;
    }
    return this.containerEnd(start, buf.length)!;
  }

  /**
   * Just past the container opening at `start` when it closes before `limit`; undefined when it does
   * not (it is larger). A document that ends inside it first is a syntax error.
   */
  private containerEnd(start: number, limit: number): number | undefined {
    const buf = this.buf;
    let depth = 0;
    let i = start;
    for (; i < limit && i < buf.length; i++) {
      const b = buf[i];
      if (b === QUOTE) i = this.stringEnd(i) - 1;
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return i + 1;
    }
    if (i < buf.length) return undefined;
    return this.syntax(buf.length, 'the document ends inside a value');
  }

  /** Just past the closing quote of the string opening at `start`. */
  private stringEnd(start: number): number {
    const buf = this.buf;
    for (let i = buf.indexOf(QUOTE, start + 1); i !== -1; i = buf.indexOf(QUOTE, i + 1)) {
      let slashes = 0;
      while (buf[i - 1 - slashes] === BACKSLASH) slashes++;
      if (slashes % 2 === 0) return i + 1;
    }
    return this.syntax(start, 'a string is not closed');
  }

  skipSpace(from: number): number {
    let i = from;
    while (i < this.buf.length && (this.buf[i] === SPACE || this.buf[i] === LF || this.buf[i] === CR || this.buf[i] === TAB)) i++;
    return i;
  }

  syntax(at: number, what: string): never {
    const { line, column } = this.lineColumn(at);
    throw new Failed([error([], 'invalid-json', `not valid JSON: ${what} at line ${line}, column ${column}`)]);
  }

  /** The 1-based line and column (in characters) of a byte offset. */
  private lineColumn(at: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = this.buf.indexOf(LF); i !== -1 && i < at; i = this.buf.indexOf(LF, i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: this.buf.toString('utf8', lineStart, at).length + 1 };
  }
}

function isDelimiter(b: number): boolean {
  return b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || b === SPACE || b === LF || b === CR || b === TAB;
}
