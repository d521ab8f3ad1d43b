import { errorLineColumn } from '../../json/error-position.js';
import { parseJson } from '../../json/parse.js';
import { error, quote, warning, type Finding } from './finding.js';
import { loadLargeJson, MAX_TEXT_BYTES, PIECE_BYTES } from './json-load-large.js';
import { scanJsonText, type JsonScan } from './json-scan.js';
import type { JsonPath } from './path.js';
import { NonFiniteToken, isPyDict } from './py-values.js';

/**
 * Reads a trajectory file's bytes the way the reference does: UTF-8 without a byte-order mark, JSON
 * as Python's json module takes it (so `NaN` / `Infinity` are read, then reported by the validator
 * as invalid-json-number), repeated keys noted as duplicate-key warnings.
 */
export type LoadedJson =
  | {
      ok: true;
      document: unknown;
      findings: Finding[];
      /** Known to hold no NaN / Infinity token (its text had none): nothing to look for in the document. */
      noTokens?: true;
    }
  | { ok: false; findings: Finding[] };

/** How a document too large to be one string is read (see json-load-large.ts); tests make these small. */
export interface LargeDocuments {
  /** Documents of more bytes are read value by value. */
  fromBytes: number;
  /** Values of at most this many bytes are read as text. */
  pieceBytes: number;
}

const LARGE: LargeDocuments = { fromBytes: MAX_TEXT_BYTES, pieceBytes: PIECE_BYTES };

/**
 * A document's text as its bytes decode (valid UTF-8, no byte-order mark) with its scan: what a
 * reader that had to scan it anyway (validate's NDJSON detection) hands on, so that it is not
 * decoded and scanned again.
 */
export interface ScannedText {
  text: string;
  scan: JsonScan;
}

export function loadTrajectoryJson(input: Uint8Array | string | ScannedText, large: LargeDocuments = LARGE): LoadedJson {
  if (input instanceof Uint8Array && input.byteLength > large.fromBytes) return loadLargeJson(input, large.pieceBytes, (text) => loadTrajectoryJson(text));
  if (!(input instanceof Uint8Array) && typeof input !== 'string') return parsedWith(input.text, input.scan);
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch (e) {
      return failed(`not UTF-8: ${(e as Error).message}`);
    }
  }
  if (text.startsWith('\ufeff')) return failed('starts with a UTF-8 byte-order mark');

  const scan = scanJsonText(text);
  if (!scan) return failed(`not valid JSON: ${syntaxErrorIn(text)}`);
  return parsedWith(text, scan);
}

/** The document of JSON-shaped text, its scan's entries applied (non-finite tokens, duplicate-key warnings). */
function parsedWith(text: string, scan: JsonScan): LoadedJson {
  let document: unknown;
  try {
    document = parseJson(withNullsFor(text, scan.tokenRanges));
  } catch (e) {
    return failed(`not valid JSON: ${(e as Error).message}`);
  }
  const findings: Finding[] = [];
  for (const entry of scan.entries) {
    if (entry.kind === 'non-finite') {
      document = withValueAt(document, entry.path, new NonFiniteToken(entry.token));
    } else {
      const key = entry.path[entry.path.length - 1]!;
      findings.push(
        warning(entry.path, 'duplicate-key', `key ${quote(String(key))} appears more than once in this object; the last value wins`),
      );
    }
  }
  return scan.tokenRanges.length === 0 ? { ok: true, document, findings, noTokens: true } : { ok: true, document, findings };
}

/** The scan says where structure breaks but not why; JSON.parse's message does, and where, as line and column. */
function syntaxErrorIn(text: string): string {
  try {
    JSON.parse(text);
    return 'malformed JSON';
  } catch (e) {
    return withLineColumn((e as Error).message, text);
  }
}

/** A message naming a character position, with that position as a 1-based line and column too. */
function withLineColumn(message: string, text: string): string {
  const at = errorLineColumn(message, text);
  return at ? `${message} (line ${at.line}, column ${at.column})` : message;
}

function failed(message: string): LoadedJson {
  return { ok: false, findings: [error([], 'invalid-json', message)] };
}

/** The text with each non-finite token replaced by `null`, which JSON.parse accepts. */
function withNullsFor(text: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  if (ranges.length === 0) return text;
  let out = '';
  let last = 0;
  for (const [start, end] of ranges) {
    out += `${text.slice(last, start)}null`;
    last = end;
  }
  return out + text.slice(last);
}

/** Puts `value` at `path` (a freshly parsed document, so mutating it in place is safe). */
function withValueAt(document: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  let container: unknown = document;
  for (const segment of path.slice(0, -1)) {
    container = Array.isArray(container) ? container[segment as number] : (container as Record<string, unknown>)[segment];
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(container)) container[last as number] = value;
  else if (isPyDict(container)) {
    Object.defineProperty(container, last, { value, enumerable: true, writable: true, configurable: true });
  }
  return document;
}
