/**
 * A HAR document too large to be one string (V8 caps a string near 512 MiB; a long capture with
 * response bodies exceeds it) is read from its lines instead: cut into the text of each element of
 * `log.entries` and the rest of the document, its skeleton, in which each entry stands as `0`. The
 * skeleton is small and parsed to check everything around the entries; each entry is parsed alone.
 *
 * The document is valid JSON exactly when its skeleton is, the skeleton's `log.entries` is as many `0`s
 * as entries were cut, and every entry is: strings are followed as JSON.parse reads them (a quote ends
 * a string unless escaped), so the cuts fall between tokens and each `0` stands where its entry stood.
 */

import { closingQuote } from './har-lines.js';

/** Where one entry lies: from line `line` (an index into the document's lines), column `col`, to `endCol` of `endLine`, exclusive. */
export interface HarEntrySpan {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export type HarSplit =
  | { ok: true; skeleton: string; entries: HarEntrySpan[] }
  /** `invalid`: the document is not valid JSON (said why); otherwise it cannot be read entry by entry (said why). */
  | { ok: false; invalid: boolean; reason: string };

/** Longest skeleton kept: a document whose text outside its entries is longer is no HAR file to read here. */
const MAX_SKELETON_CHARS = 64 * 1024 * 1024;

/** Keys are followed only near the top (`log`, then `entries`), and only short ones are kept. */
const MAX_KEY_CHARS = 64;

/**
 * Cuts a document given as its lines (line breaks between them, none inside) into its skeleton and
 * entries. Not `ok` when a line ends inside a string (invalid JSON: a raw line break), when the
 * brackets do not close, or when the structure cannot be told without reading it whole: an entry that
 * is not an object, a second `log` or `entries` key (JSON.parse keeps the last), an escaped key near
 * the top, text outside the entries longer than {@link MAX_SKELETON_CHARS}.
 */
export function splitHarDocument(lines: readonly string[]): HarSplit {
  const skeleton: string[] = [];
  let skeletonChars = 0;
  const entries: HarEntrySpan[] = [];
  const keys: Array<string | undefined> = [];
  let depth = 0;
  let lastString: string | undefined;
  let entriesSeen = false;
  let inEntries = false;
  let awaitingElement = false;
  let open: { line: number; col: number } | undefined;
  const keep = (piece: string): boolean => {
    skeleton.push(piece);
    skeletonChars += piece.length;
    return skeletonChars <= MAX_SKELETON_CHARS;
  };
  const unsure = (reason: string): HarSplit => ({ ok: false, invalid: false, reason });
  for (let li = 0; li < lines.length; li++) {
    const text = lines[li];
    let copyFrom = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
      if (awaitingElement && c !== 0x5d /* ] */) {
        if (c !== 0x7b /* { */) return unsure(`an element of log.entries is not an object (document line ${li + 1})`);
        awaitingElement = false;
        open = { line: li, col: i };
        if (!keep(text.slice(copyFrom, i))) return unsure('its text outside log.entries is too long');
      }
      switch (c) {
        case 0x22: {
          const j = closingQuote(text, i);
          if (j >= text.length) return { ok: false, invalid: true, reason: `a string runs past the end of its line (document line ${li + 1})` };
          if (depth <= 2) lastString = j - i <= MAX_KEY_CHARS ? text.slice(i + 1, j) : undefined;
          i = j;
          break;
        }
        case 0x3a: // ':' — the string before it is the key of the value that follows
          if (depth <= 2) {
            if (lastString?.includes('\\')) return unsure('a key near the top of the document is escaped');
            keys[depth] = lastString;
          }
          break;
        case 0x7b:
        case 0x5b:
          depth++;
          keys[depth] = undefined;
          if (c === 0x5b && depth === 3 && keys[1] === 'log' && keys[2] === 'entries') {
            if (entriesSeen) return unsure('the document has a second log.entries');
            entriesSeen = inEntries = awaitingElement = true;
          }
          break;
        case 0x7d:
        case 0x5d:
          if (c === 0x5d && depth === 3 && inEntries) inEntries = awaitingElement = false;
          depth--;
          if (depth < 0) return { ok: false, invalid: true, reason: `a bracket closes that never opened (document line ${li + 1})` };
          if (open && depth === 3) {
            entries.push({ line: open.line, col: open.col, endLine: li, endCol: i + 1 });
            open = undefined;
            keep('0');
            copyFrom = i + 1;
          }
          break;
        case 0x2c: // ','
          if (depth === 3 && inEntries) awaitingElement = true;
          break;
      }
    }
    if (!open && !keep(text.slice(copyFrom) + '\n')) return unsure('its text outside log.entries is too long');
  }
  if (depth !== 0 || open) return { ok: false, invalid: true, reason: 'its brackets do not all close (a truncated file?)' };
  return { ok: true, skeleton: skeleton.join(''), entries };
}

/** The text of one entry, its lines joined as in the document. */
export function entryText(lines: readonly string[], span: HarEntrySpan): string {
  if (span.line === span.endLine) return lines[span.line].slice(span.col, span.endCol);
  const parts = [lines[span.line].slice(span.col)];
  for (let l = span.line + 1; l < span.endLine; l++) parts.push(lines[l]);
  parts.push(lines[span.endLine].slice(0, span.endCol));
  return parts.join('\n');
}
