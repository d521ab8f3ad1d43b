import { parseJson } from '../json/parse.js';
import type { Json } from '../json/value.js';
import { classifyRecordKind, RECORD_NAMES, type RecordKindClass } from './record-kind.js';

/**
 * A line that does not parse because its writer stopped in the middle of a record (the agent was
 * killed, the machine crashed: the line is cut, or padded with NULs where the file system had not
 * written the data yet) and the next run appended to the same file with no newline before its first
 * record. That record is complete and ends the line, but it is lost with the cut one (a line is one
 * unit of the accounting, in one bucket): the line's `not-json` skip says so, and where it starts,
 * since that first record is often what the new run hangs on (its top-level agent start, its
 * SessionStart).
 */
export interface RecordAfterCut {
  /** Where the complete record starts in the line (0-based). */
  at: number;
  kind: RecordKindClass;
}

/** Kinds a run writes as its own lines. A bare hook payload is not one: a hook record cut just before its last `}` ends with its payload. */
const APPENDED_KINDS: ReadonlySet<RecordKindClass> = new Set(['atof', 'hook', 'gateway', 'har-entry']);

/** `{"` candidates tried after the point where the line stopped parsing: the cut is there, or a few characters before. */
const CANDIDATES_AFTER_ERROR = 8;

/**
 * The complete record that ends a line that does not parse, when there is one after a cut, given
 * JSON.parse's error for the line. Two places can hold its start: after the error position (the cut
 * left the parser inside a string or between a key and its colon: the new record's first characters
 * are where it fails, or a NUL of the padding is), or, when the parser read on to the end of the line,
 * the `{` that the line's last `}` closes (the cut left it where a value may start, and it took the new
 * record for one: `"data":` + `{"kind":…}`). A candidate must parse to the end of the line as a record
 * of a kind a run writes. Undefined when none does (a line merely cut short, or damaged otherwise).
 */
export function recordAfterCut(text: string, error: string): RecordAfterCut | undefined {
  const position = /at position (\d+)/.exec(error);
  const failedAt = position ? Number(position[1]) : text.length;
  const candidates: number[] = [];
  const enclosing = objectEndingAt(text, failedAt);
  if (enclosing !== undefined && enclosing > 0) candidates.push(enclosing);
  for (let i = text.indexOf('{"', Math.max(1, failedAt - 2)); i !== -1 && candidates.length <= CANDIDATES_AFTER_ERROR; i = text.indexOf('{"', i + 1)) candidates.push(i);
  for (const at of candidates) {
    const rest = text.slice(at).trim();
    let value: Json;
    try {
      value = parseJson(rest);
    } catch {
      continue;
    }
    const kind = classifyRecordKind(value);
    if (APPENDED_KINDS.has(kind)) return { at, kind };
  }
  return undefined;
}

/**
 * Where the object starts whose `}` is the last character before `end` but spaces, scanning the line
 * as JSON up to `end` (the parser read that far, so strings and brackets are as it saw them).
 */
function objectEndingAt(text: string, end: number): number | undefined {
  let last = end - 1;
  while (last >= 0 && /\s/.test(text[last])) last--;
  if (last < 0 || text[last] !== '}') return undefined;
  const opened: number[] = [];
  let inString = false;
  for (let i = 0; i <= last; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) opened.push(i);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      const start = opened.pop();
      if (i === last) return start;
    }
  }
  return undefined;
}

/** What the line's `not-json` skip says when a complete record follows the cut. */
export function cutLineMessage(error: string, after: RecordAfterCut): string {
  const name = after.kind === 'unknown' ? 'record' : RECORD_NAMES[after.kind];
  return `${error}; from column ${after.at + 1} the line holds a complete ${name}, the first of a run appended without a line break after a record cut off mid-write (a crash?): it is lost with this line (break the line before column ${after.at + 1} to read it)`;
}
