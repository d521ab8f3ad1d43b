import { errorLineColumn } from '../json/error-position.js';
import { parseJson } from '../json/parse.js';
import { isObject, type Json } from '../json/value.js';
import type { Line } from './lines.js';
import { classifyRecordKind } from './record-kind.js';

/**
 * Telling a pretty-printed JSON document (a HAR file, a record printed over several lines) from NDJSON
 * lines, and where it ends: the tests the record reader asks of the lines it holds.
 */

/**
 * Whether a held document indents its nested lines, as far as its second line tells: a pretty printer
 * indents all or none (Python's `indent=0`, Go's MarshalIndent with an empty indent put every line at
 * column 0).
 */
export function indents(lines: readonly Line[]): boolean {
  const second = lines[1];
  return second === undefined || !('text' in second) || /^[ \t]/.test(second.text);
}

/**
 * A line that is by itself an input record other than a HAR entry (an ATOF event, a hook record or
 * payload, a gateway capture): it never stands on a line of its own inside a pretty-printed document.
 */
export function isStandaloneRecord(line: Line): boolean {
  if (!('text' in line)) return false;
  const text = line.text.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return false;
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return false;
  }
  const kind = classifyRecordKind(value);
  return kind === 'atof' || kind === 'hook' || kind === 'bare-hook' || kind === 'gateway';
}

/** Where a JSON.parse message's character position falls, as a line of the document (or nothing). */
export function lineOfPosition(text: string, message: string, firstLine: number): string {
  const at = errorLineColumn(message, text);
  return at ? ` (line ${firstLine + at.line - 1})` : '';
}

/**
 * Longest multi-line document read as one text: V8 caps a string near 512 MiB, and one text of this
 * size is already parsed at once. A longer document is read as a HAR file entry by entry.
 */
export const WHOLE_DOCUMENT_CHARS = 128 * 1024 * 1024;

/** The characters of a document's lines with the line breaks between them. */
export function documentChars(lines: readonly Line[]): number {
  let chars = lines.length - 1;
  for (const l of lines) if ('text' in l) chars += l.text.length;
  return chars;
}

/**
 * Whether a line after the first is a non-empty JSON object by itself (`{}` may be a line of a pretty
 * document): then the lines are NDJSON whose first line
 * is broken (of records no line ever looked like before the end of input), and are read as lines.
 */
export function continuesAsNdjson(lines: Line[]): boolean {
  return lines.slice(1).some((l) => {
    if (!('text' in l) || !l.text.trimStart().startsWith('{')) return false;
    try {
      const value = JSON.parse(l.text) as Json;
      return isObject(value) && Object.keys(value).length > 0;
    } catch {
      return false;
    }
  });
}

/**
 * A line that may open a pretty-printed document after the first line of a source: it starts an
 * object and does not end one. (A cheap test, so that a record line is never parsed twice; the first
 * line of a source is always asked {@link opensDocument}.)
 */
export function mayOpenDocument(text: string): boolean {
  // Asked of every line: the usual record line (`{…}` with nothing around it) is told by two characters.
  if (text.charCodeAt(0) === 123 /* { */ && text.charCodeAt(text.length - 1) === 125 /* } */) return false;
  const trimmed = text.trim();
  return trimmed.startsWith('{') && !trimmed.endsWith('}');
}

/** A line that starts a JSON object but is not one by itself: the first line of a pretty-printed document. */
export function opensDocument(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    parseJson(trimmed);
    return false;
  } catch {
    return true;
  }
}
