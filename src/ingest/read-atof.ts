import { parseJson } from '../json/parse.js';
import { isNumber, isObject, type Json, type JsonObject } from '../json/value.js';
import type { LineAccounting, LineRef } from './accounting.js';
import { decodeAtof, looksLikeAtof, type AtofEvent } from './atof.js';
import type { InputSource } from './inputs.js';
import { readLines, type Line, type ReadLinesOptions } from './lines.js';

/**
 * Reading ATOF events out of NDJSON sources, with every line accounted for: the reader for inputs
 * that are ATOF streams only. Every other line, raw hook and gateway records included, is an
 * `unknown-record` skip here; `read-records.ts` reads all record kinds (and shares the line
 * handling below), and the CLI uses that one.
 */

export type RecordClass = 'atof' | 'unknown';

/** Whether a parsed line is an ATOF event, from its fields alone (input-records.md §1). */
export function classifyRecord(value: Json): RecordClass {
  return looksLikeAtof(value) ? 'atof' : 'unknown';
}

export type ReadAtofOptions = ReadLinesOptions;

/**
 * Events in input order (sources in the order given, then line order), yielded as they are read so a
 * consumer can process a large input without holding it. `seq` counts the events yielded, from 0,
 * across all sources: the tie-breaker that keeps input order among equal timestamps.
 * Throws `InputError` (`unreadable`) when a source cannot be read.
 */
export async function* streamAtofEvents(
  sources: readonly InputSource[],
  acct: LineAccounting,
  options: ReadAtofOptions = {},
): AsyncGenerator<AtofEvent> {
  let seq = 0;
  for (const source of sources) {
    for await (const line of readLines(source, options)) {
      const event = readRecord(line, seq, acct);
      if (event) {
        seq++;
        yield event;
      }
    }
  }
}

/** All events of all sources, in input order; see {@link streamAtofEvents}. */
export async function readAtofEvents(
  sources: readonly InputSource[],
  acct: LineAccounting,
  options: ReadAtofOptions = {},
): Promise<AtofEvent[]> {
  const events: AtofEvent[] = [];
  for await (const event of streamAtofEvents(sources, acct, options)) events.push(event);
  return events;
}

/**
 * The JSON value of one line, or undefined after accounting the line as an undecodable, blank or
 * non-JSON skip. Shared by every record reader.
 */
export function parseLine(line: Line, acct: LineAccounting): Json | undefined {
  const where: LineRef = { file: line.file, line: line.line };
  if ('error' in line) {
    acct.skip(line.error, where, describeUndecodable(line.error, line.bytes));
    return undefined;
  }
  if (isBlank(line.text)) {
    acct.skip('blank', where);
    return undefined;
  }
  try {
    return parseJson(line.text);
  } catch (error) {
    acct.skip('not-json', where, (error as Error).message);
    return undefined;
  }
}

/** Decides one line's bucket (recorded in `acct`) and returns its event when it is a valid ATOF event. */
function readRecord(line: Line, seq: number, acct: LineAccounting): AtofEvent | undefined {
  const value = parseLine(line, acct);
  if (value === undefined || 'error' in line) return undefined;
  const where: LineRef = { file: line.file, line: line.line };
  switch (classifyRecord(value)) {
    case 'atof': {
      // classifyRecord said 'atof' only because looksLikeAtof saw an object.
      const decoded = decodeAtof(value as JsonObject, seq, where);
      if (decoded.ok) {
        acct.use('atof', where);
        decoded.event.rawText = line.text.trim();
        return decoded.event;
      }
      acct.reject('invalid-atof', where, { path: decoded.path, message: decoded.message });
      return undefined;
    }
    case 'unknown':
      acct.skip('unknown-record', where, describeUnknown(value));
      return undefined;
  }
}

/** JSON's own whitespace; anything else on a line (even a no-break space) makes it non-blank. */
export function isBlank(text: string): boolean {
  return /^[ \t\r]*$/.test(text);
}

function describeUndecodable(error: 'invalid-utf8' | 'too-long', bytes: number): string {
  return error === 'invalid-utf8'
    ? `line of ${bytes} bytes is not valid UTF-8`
    : `line of ${bytes} bytes is longer than the line limit`;
}

const KEYS_SHOWN = 5;

/** A hint for the report: what the line held, since it matched no known record kind. */
export function describeUnknown(value: Json): string {
  if (!isObject(value)) return `a JSON ${jsonTypeName(value)}, not a record object`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  // Output given back as input (`convert out.ndjson`): say what it is and which commands read it.
  if (typeof value.schema_version === 'string' && value.schema_version.startsWith('ATIF')) {
    return `an ATIF trajectory (${value.schema_version}), not an input record: validate and diff read trajectories`;
  }
  // An ATOF event of a kind 0.1 does not define (a newer producer's): readers ignore those (spec §10.2).
  if ('atof_version' in value && 'kind' in value) {
    const kind = typeof value.kind === 'string' ? `of kind ${JSON.stringify(value.kind.slice(0, 40))}` : `whose kind is a JSON ${jsonTypeName(value.kind)}`;
    return `an ATOF event ${kind}, not a kind ATOF 0.1 defines (scope, mark): ignored, as its readers ignore unknown kinds`;
  }
  const transcript = agentTranscriptLine(value);
  if (transcript) return `a line of ${transcript}, not an input record: relay-atif reads what the agent's hooks and the LLM gateway record (README, "Input record kinds")`;
  const shown = keys.slice(0, KEYS_SHOWN).join(', ');
  return `an object matching no record kind (keys: ${shown}${keys.length > KEYS_SHOWN ? ', …' : ''})`;
}

/** Entry types of a Claude Code session transcript (`~/.claude/projects/<project>/<session>.jsonl`). */
const CLAUDE_TRANSCRIPT_TYPES = new Set(['user', 'assistant', 'system', 'summary', 'attachment', 'file-history-snapshot']);
/** Line types of a Codex rollout (`~/.codex/sessions/…/rollout-….jsonl`). */
const CODEX_ROLLOUT_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);

/**
 * Which agent's own transcript a line comes from, when it has that shape: the file a user of Claude
 * Code or Codex has at hand first, and the one most often given by mistake for a hook log.
 */
function agentTranscriptLine(value: JsonObject): string | undefined {
  const type = value.type;
  if (typeof type !== 'string') return undefined;
  if (CLAUDE_TRANSCRIPT_TYPES.has(type) && (typeof value.sessionId === 'string' || typeof value.leafUuid === 'string')) {
    return 'a Claude Code session transcript (~/.claude/projects/…/<session>.jsonl)';
  }
  if (CODEX_ROLLOUT_TYPES.has(type) && 'payload' in value && typeof value.timestamp === 'string') return 'a Codex session rollout (~/.codex/sessions/…/rollout-….jsonl)';
  return undefined;
}

function jsonTypeName(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (isNumber(value)) return 'number';
  return typeof value;
}
