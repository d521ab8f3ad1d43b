import { stringEnd } from '../../json/string-end.js';

/**
 * Where each entry of a HAR document starts: the line of the first character of every element of
 * `log.entries`, found by one pass over the document's text (strings and nesting tracked, nothing
 * built). A HAR entry is accounted as one input unit; with this, messages name the line a reader
 * finds it at in a pretty-printed file, rather than its index.
 *
 * Returns undefined when the text does not have exactly `count` entries where expected, or when that
 * cannot be told (a repeated `log` or `entries` key, whose last value JSON.parse keeps; an escaped key).
 */
export function harEntryLines(text: string, firstLine: number, count: number): number[] | undefined {
  const lines: number[] = [];
  let line = firstLine;
  let depth = 0;
  // The key of the value being read at each depth (objects only), and whether a key string is pending.
  const keys: Array<string | undefined> = [];
  let lastString: string | undefined;
  let inEntries = false;
  let awaitingElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
    if (awaitingElement && c !== 0x5d /* ] */) {
      lines.push(line);
      awaitingElement = false;
    }
    switch (c) {
      case 0x22: {
        // A string: find its end, skipping escapes; keep its text when it may be a key (short).
        const j = closingQuote(text, i);
        lastString = j - i < 64 ? text.slice(i + 1, j) : undefined;
        i = j;
        break;
      }
      case 0x3a: // ':' — the string before it is the key of the value that follows
        // An escaped key near the top may spell `log` or `entries` (JSON.parse reads it so): not told here.
        if (depth <= 2 && lastString?.includes('\\')) return undefined;
        keys[depth] = lastString;
        break;
      case 0x7b: // '{'
      case 0x5b: // '['
        depth++;
        keys[depth] = undefined;
        if (c === 0x5b && depth === 3 && keys[1] === 'log' && keys[2] === 'entries') {
          if (inEntries) return undefined; // a second entries array
          inEntries = true;
          awaitingElement = true;
        }
        break;
      case 0x7d: // '}'
      case 0x5d: // ']'
        if (c === 0x5d && depth === 3 && inEntries) awaitingElement = false;
        depth--;
        break;
      case 0x2c: // ','
        if (depth === 3 && inEntries && keys[1] === 'log' && keys[2] === 'entries') awaitingElement = true;
        break;
    }
  }
  return lines.length === count ? lines : undefined;
}

/**
 * The index of the quote that ends the string opened at `open` (escapes skipped, as JSON.parse reads
 * them), or at least `text.length` when the string does not end in `text`.
 */
export function closingQuote(text: string, open: number): number {
  const end = stringEnd(text, open);
  return end < 0 ? text.length : end - 1;
}
