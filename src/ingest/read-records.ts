import { hash } from 'node:crypto';
import { parseJson } from '../json/parse.js';
import { canonicalJson } from '../json/stringify.js';
import { getOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import type { LineAccounting, LineRef, RecordKind } from './accounting.js';
import { decodeAtof, looksLikeAtof, type AtofEvent } from './atof.js';
import { cutLineMessage, recordAfterCut } from './cut-lines.js';
import { documentEnd } from './document-end.js';
import type { InputSource } from './inputs.js';
import { readLineBatches, type Line, type ReadLinesOptions } from './lines.js';
import { continuesAsNdjson, documentChars, indents, isStandaloneRecord, lineOfPosition, mayOpenDocument, opensDocument, WHOLE_DOCUMENT_CHARS } from './pretty-documents.js';
import { classifyRecordKind, RECORD_NAMES } from './record-kind.js';
import { describeUnknown, isBlank, parseLine } from './read-atof.js';
import type { GatewayExchange } from './records/exchange.js';
import type { HookAgentKind, HookHeaders } from './records/hook-agent.js';
import { isHarDocument } from './records/har.js';
import { harEntryLines } from './records/har-lines.js';
import { decodeHookRecord } from './records/hook-record.js';
import { entryText, splitHarDocument } from './records/har-split.js';
import { decodeExchange, heldGateway, heldHook } from './held-records.js';
import type { TextSpill } from './spill.js';
import { parseRfc3339, rfc3339Problem, type Nanos } from './time.js';

/**
 * Reading every record kind of input-records.md (ATOF events, hook records and bare hook payloads,
 * gateway captures, HAR entries and whole HAR documents) with each line in exactly one accounting
 * bucket (the timeline they are merged onto is timeline.ts).
 */

// ── records ─────────────────────────────────────────────────────────────────────────────────────

interface RecordBase {
  /** Position in input order (file order, then line order): the timeline's tie-breaker. */
  order: number;
  origin: LineRef;
}

export interface HookRecord extends RecordBase {
  kind: 'hook';
  agent: HookAgentKind;
  headers: HookHeaders;
  payload: Json;
  /** Arrival time: `received_at`; for a bare payload its own `timestamp`, else that of the record before it in its file. */
  atNs: Nanos;
  /** False for a bare payload that carried no usable timestamp (ordered by position only). */
  timed: boolean;
  /** Why a bare payload's own `timestamp` was not used, when it had one (a number, a text that is no RFC 3339 time). */
  timeProblem?: string;
  /**
   * An untimed bare payload of a file with no timestamp at all: with no time of its file to take, it
   * stays at 0 (1970-01-01), before every timed record of the input.
   */
  timelessFile?: true;
  bare: boolean;
  /** Seed of the ids this record's events get: derived from its content, so the same input gives the same ids. */
  seed: string;
}

/** A capture of an LLM call (routes without LLM events never get here). */
export interface GatewayRecord extends RecordBase {
  kind: 'gateway';
  exchange: GatewayExchange;
  seed: string;
  /** The request's arrival on the timeline (the exchange's start). */
  arrivalNs: Nanos;
  /** The response's completion on the timeline; absent for a call that never completes or is piped through unmanaged (see earlyOutcome). */
  completionNs?: Nanos;
}

export interface AtofRecord extends RecordBase {
  kind: 'atof';
  event: AtofEvent;
}

export type InputRecord = HookRecord | GatewayRecord | AtofRecord;

/** What the gateway stage says of a capture as it is read (see `routeCapture` in gateway/). */
export type CaptureRoute = { llm: true; completionNs?: Nanos } | { llm: false; reason: string };

export interface ReadRecordsOptions extends ReadLinesOptions {
  /**
   * The gateway's routes, asked for each capture as it is read: this stage knows capture formats,
   * not routes. A capture of a route without LLM events is an `unsupported-route` skip.
   */
  routeCapture: (exchange: GatewayExchange) => CaptureRoute;
  /** The agent of bare hook payloads (`--agent`); without it they are rejected. */
  agent?: HookAgentKind;
  /**
   * Hook and gateway records keep only their text and their place on the timeline; their payloads
   * are decoded again, exactly as read, when first asked for (see held-records.ts). For a consumer
   * that holds raw records until the end of input: they then cost about their own size in memory.
   */
  holdRaw?: boolean;
  /**
   * With `holdRaw`: the first raw records, while their texts total at most this many characters, stay
   * decoded as read (which takes more memory than the text: see load.ts); only later ones are held as
   * text. Spares the replay a second decode of a log's first megabytes. Default 0.
   */
  keepDecodedChars?: number;
  /** With `holdRaw`: where held text goes (past its memory budget, to a temporary file). Default: memory. */
  spill?: TextSpill;
  /** Longest multi-line document read as one text; a longer one is read entry by entry (see readLargeDocument). Tests lower it. */
  wholeDocumentChars?: number;
  /**
   * Asked per line: whether ATOF events keep only their envelope and line text (see
   * {@link envelopeOf}), for a consumer that only routes them and re-reads payloads from `rawText`
   * elsewhere (the worker threads of --jobs, once started).
   */
  envelopeOnly?: () => boolean;
  /**
   * Fix `skip-duplicate-records`: a hook record, a bare hook payload with a timestamp of its own, or a
   * gateway or HAR capture whose text is that of one read before (the same log given twice, a copy
   * taken mid-run read beside the final log) is a `duplicate-record` skip naming the first copy,
   * instead of being replayed a second time. An untimed bare payload may repeat for real (the same
   * notification twice), and ATOF lines have their own rule (skip-duplicate-events).
   */
  skipDuplicateRecords?: boolean;
}

/**
 * Every record of every source, in input order, yielded as read. A source whose first line opens a
 * multi-line JSON document is read whole, and a HAR document is accounted entry by entry (each entry
 * one unit, named by the line it starts on); any other document is accounted line by line.
 */
export async function* streamRecords(sources: readonly InputSource[], acct: LineAccounting, options: ReadRecordsOptions): AsyncGenerator<InputRecord> {
  for await (const batch of streamRecordBatches(sources, acct, options)) yield* batch;
}

/** The same records, a batch per chunk of input read (see `readLineBatches`). */
export async function* streamRecordBatches(sources: readonly InputSource[], acct: LineAccounting, options: ReadRecordsOptions): AsyncGenerator<InputRecord[]> {
  const reader = new RecordReader(acct, options);
  for (const source of sources) {
    reader.startSource();
    let pending: Line[] | undefined;
    /** Brackets the held document has opened and not closed yet, as far as its lines go. */
    let depth = 0;
    for await (const lines of readLineBatches(source, options)) {
      // Back here, whoever reads these records has been through the last batch (or there was none, a
      // chunk of blank lines): the lines counted so far can no longer be a stop line's read-ahead.
      acct.settle();
      const out: InputRecord[] = [];
      const read = (line: Line) => {
        if (!('text' in line) || !isBlank(line.text)) reader.atSourceStart = false;
        for (const record of reader.readLine(line)) out.push(record);
        reader.releaseInto(out);
      };
      const endDocument = () => {
        for (const record of reader.readDocument(pending!, source.name)) out.push(record);
        reader.releaseInto(out);
        pending = undefined;
      };
      try {
        for (let line of lines) {
          if (pending && 'text' in line && line.text === '{' && indents(pending)) {
            // A `{` alone at the start of a line opens a document (nested objects are indented):
            // the one held is over, though its brackets never closed (a cut-off line or file before it).
            // In a document written without indentation (Python's indent=0), every nested object opens so.
            endDocument();
          }
          if (pending) {
            if (!isStandaloneRecord(line)) {
              const scan = 'text' in line ? documentEnd(line.text, depth) : { depth };
              depth = scan.depth;
              if (scan.end === undefined || !('text' in line)) {
                pending.push(line);
                // Its brackets are all closed: the document ends here (a HAR file in `cat a.har
                // b.ndjson`, or one in the middle of a stream), and reading goes on line by line after it.
                if (depth <= 0) endDocument();
                continue;
              }
              // The document ends inside the line (a file without a final newline, then the next one):
              // its part goes with the document, the rest is read as a line of its own.
              pending.push({ ...line, text: line.text.slice(0, scan.end) });
              endDocument();
              const rest = line.text.slice(scan.end);
              if (isBlank(rest)) continue;
              line = { ...line, text: rest };
            } else {
              // A record on a line of its own: NDJSON with a broken line, not a document. The held lines
              // are read as lines, and reading streams again (nothing more is held).
              const held = pending;
              pending = undefined;
              for (const h of held) read(h);
              read(line);
              continue;
            }
          }
          if ('text' in line && (reader.atSourceStart || mayOpenDocument(line.text)) && opensDocument(line.text)) {
            const opened = documentEnd(line.text, 0).depth;
            // A line whose brackets all close (`{"a":1,}`) is a broken record line, not the opening of
            // a document: it leaves nothing open for the next lines to close.
            if (opened > 0) {
              reader.atSourceStart = false;
              pending = [line];
              depth = opened;
              continue;
            }
          }
          read(line);
        }
      } catch (err) {
        // A problem that stops the run (--strict) comes after the records read before it: those
        // go out first, so that one of them that is itself a problem is the one reported.
        if (out.length > 0) yield out;
        throw err;
      }
      if (out.length > 0) yield out;
    }
    const last = pending ? [...reader.readDocument(pending, source.name)] : [];
    reader.releaseInto(last, true);
    if (last.length > 0) yield last;
  }
}


/** Why a bare payload's own `timestamp` (present, not null) cannot time it; undefined when it has none. */
function bareTimeProblem(own: Json | undefined): string | undefined {
  if (own === undefined || own === null) return undefined;
  const json = JSON.stringify(own);
  const quoted = json.length > 80 ? `${json.slice(0, 79)}…` : json;
  if (typeof own !== 'string') return `"timestamp" is ${quoted}, not an RFC 3339 text`;
  return `"timestamp" ${quoted} is ${rfc3339Problem(own) ?? 'not an RFC 3339 timestamp'}`;
}

class RecordReader {
  private order = 0;
  /** Per digest of a raw record's text: how often it was read, and where first. */
  private readonly seen = new Map<string, { count: number; first: LineRef }>();
  /** The last timestamp met in the current source: where an untimed bare payload is placed. */
  private lastNs: Nanos = 0n;
  /**
   * Untimed bare payloads met before any timestamp of their source, made once one is met (they take
   * that first time: placed at 0, their turn would look idle for decades and be closed by the idle
   * timeout before the records after them). A source with no timestamp at all leaves them at 0, and
   * marks them so (`timelessFile`): the replay says it.
   */
  private leading: Array<(atNs: Nanos, timelessFile: boolean) => HookRecord> = [];
  /** The first timestamp met in the current source, once one is. */
  private firstNs?: Nanos;
  /** Characters of raw-record text kept decoded so far (see `keepDecodedChars`). */
  private decodedChars = 0;
  atSourceStart = true;

  constructor(
    private readonly acct: LineAccounting,
    private readonly options: ReadRecordsOptions,
  ) {}

  startSource(): void {
    this.lastNs = 0n;
    this.firstNs = undefined;
    this.atSourceStart = true;
  }

  *readLine(line: Line): Generator<InputRecord> {
    if (this.options.envelopeOnly?.() && 'text' in line) {
      const record = this.readEnvelope(line.text, { file: line.file, line: line.line });
      if (record) return yield record;
    }
    if ('text' in line && !isBlank(line.text)) {
      const where = { file: line.file, line: line.line };
      let value: Json;
      try {
        value = parseJson(line.text);
      } catch (error) {
        // A complete record after a cut is said, not read: the line is one unit of the accounting, in one bucket.
        const message = (error as Error).message;
        const after = recordAfterCut(line.text, message);
        this.acct.skip('not-json', where, after ? cutLineMessage(message, after) : message);
        return;
      }
      return yield* this.readValue(value, where, line.text.trim());
    }
    // A blank or undecodable line: its skip.
    parseLine(line, this.acct);
  }

  /**
   * The fast path of envelope-only reading: a line that plain `JSON.parse` reads as a valid ATOF event
   * with a string timestamp. Numbers cannot change that verdict (only a numeric timestamp is checked
   * for exactness, and those take the full path), so the outcome is the full reader's; every other
   * line returns undefined and takes the full path, which gives it the same bucket and message.
   * (A syntax scanner that builds nothing was tried here: V8's JSON.parse is faster.)
   */
  private readEnvelope(text: string, where: LineRef): AtofRecord | undefined {
    let value: Json;
    try {
      value = JSON.parse(text) as Json;
    } catch {
      return undefined;
    }
    if (!looksLikeAtof(value) || typeof value.timestamp === 'number') return undefined;
    const decoded = decodeAtof(value, this.order, where);
    if (!decoded.ok) return undefined;
    this.acct.use('atof', where);
    const event = envelopeOf(decoded.event, text.trim());
    this.timedAt(event.ts);
    return { kind: 'atof', event, order: this.order++, origin: where };
  }

  /**
   * A whole document: a HAR file is read as its entries. A document that does not parse is one
   * problem, not one per line: each of its lines is a `not-json` skip that says so (a truncated
   * pretty-printed HAR, say), unless a later line is a JSON object by itself (NDJSON with a broken
   * first line, read line by line as usual). Anything else is accounted line by line.
   */
  *readDocument(lines: Line[], file: string): Generator<InputRecord> {
    let doc: Json | undefined;
    let failure: string | undefined;
    let text = '';
    const chars = documentChars(lines);
    const unreadable = lines.find((l) => 'error' in l);
    if (unreadable && 'error' in unreadable) {
      failure = `its line ${unreadable.line} is ${unreadable.error === 'invalid-utf8' ? 'not valid UTF-8' : 'too long'}`;
    } else if (chars > (this.options.wholeDocumentChars ?? WHOLE_DOCUMENT_CHARS)) {
      return yield* this.readLargeDocument(lines, file, chars);
    } else {
      // A byte-order mark can open a document in the middle of a stream (`cat a.ndjson b.har`).
      text = lines.map((l) => ('text' in l ? l.text : '')).join('\n').replace(/^\uFEFF/, '');
      try {
        doc = parseJson(text);
      } catch (err) {
        // The parser may quote the text around the error, line breaks and all: a diagnostic is one line.
        const message = (err as Error).message;
        failure = `${message.replace(/\s*\n\s*/g, ' ')}${lineOfPosition(text, message, lines[0].line)}`;
      }
    }
    // One line that does not parse (a log's last record cut off) is a broken line, not a document.
    if (failure !== undefined && lines.filter((l) => !('text' in l) || !isBlank(l.text)).length === 1) {
      return yield* this.readEachLine(lines);
    }
    if (failure !== undefined && !continuesAsNdjson(lines)) {
      // The unreadable line keeps its own reason (invalid-utf8, too-long); the others are the document's.
      return yield* this.skipDocument(lines, 'not-json', `line ${lines[0].line} opens a multi-line JSON document (a pretty-printed HAR file?) that does not parse: ${failure}`);
    }
    if (doc !== undefined && !isHarDocument(doc)) return yield* this.skipNoInput(lines, doc);
    if (doc === undefined) {
      return yield* this.readEachLine(lines);
    }
    // Each entry is one unit, named by the line it starts on; by the document's first line when that
    // cannot be told (and for a document without entries).
    const starts = harEntryLines(text, lines[0].line, doc.log.entries.length);
    yield* this.readHarEntries(doc.log.entries, file, lines[0].line, (index) => ({ file, line: starts?.[index] ?? lines[0].line }));
  }

  /**
   * A document too long to be one text, read as a HAR file entry by entry (see har-split.ts), with
   * the outcomes of {@link readDocument}: a document that does not parse is a `not-json` skip of its
   * lines (unless NDJSON follows its first line), valid JSON that is no HAR file an `unknown-record`
   * one, and a HAR file's entries are read in order, each named by the line it starts on. Every entry
   * is checked before any is read, then parsed as it is read: holding them
   * all parsed would take several times the document's size.
   */
  private *readLargeDocument(lines: Line[], file: string, chars: number): Generator<InputRecord> {
    const texts = lines.map((l) => ('text' in l ? l.text : ''));
    texts[0] = texts[0].replace(/^\uFEFF/, '');
    const first = lines[0].line;
    const last = lines[lines.length - 1].line;
    const size = `${(chars / 2 ** 20).toFixed(0)} MiB`;
    const notJson = (reason: string) =>
      continuesAsNdjson(lines)
        ? this.readEachLine(lines)
        : this.skipDocument(lines, 'not-json', `line ${first} opens a multi-line JSON document (a pretty-printed HAR file?) that does not parse: ${reason}`);
    const split = splitHarDocument(texts);
    if (!split.ok) {
      if (split.invalid) return yield* notJson(split.reason);
      return yield* this.skipDocument(lines, 'unknown-record', `lines ${first}–${last} are one JSON document of ${size}, too long to read as one text, and it cannot be read as a HAR file entry by entry: ${split.reason}`);
    }
    let skeleton: Json;
    try {
      skeleton = parseJson(split.skeleton);
    } catch (err) {
      return yield* notJson((err as Error).message.replace(/\s*\n\s*/g, ' '));
    }
    if (!isHarDocument(skeleton)) return yield* this.skipNoInput(lines, skeleton);
    const placed = skeleton.log.entries;
    if (placed.length !== split.entries.length || placed.some((e) => e !== 0)) {
      return yield* this.skipDocument(lines, 'unknown-record', `lines ${first}–${last} are one JSON document of ${size}, too long to read as one text, and its log.entries could not be told apart`);
    }
    for (const span of split.entries) {
      try {
        // A syntax check only (nothing is kept): JSON.parse rejects exactly what parseJson rejects, with
        // the same error, without parseJson's scan for numbers to keep exact.
        JSON.parse(entryText(texts, span));
      } catch (err) {
        return yield* notJson(`${(err as Error).message.replace(/\s*\n\s*/g, ' ')} (in the entry that starts on line ${first + span.line})`);
      }
    }
    const parsed = (function* () {
      for (const span of split.entries) yield parseJson(entryText(texts, span));
    })();
    yield* this.readHarEntries(parsed, file, first, (index) => ({ file, line: index < split.entries.length ? first + split.entries[index].line : first }));
  }

  private *readEachLine(lines: Line[]): Generator<InputRecord> {
    for (const line of lines) yield* this.readLine(line);
  }

  /** A valid document that is no input (its skeleton, for a long one): one explained kind of skip rather than a parse error per line. */
  private *skipNoInput(lines: Line[], doc: Json): Generator<InputRecord> {
    const kind = classifyRecordKind(doc);
    const what = kind === 'unknown' ? describeUnknown(doc) : `a pretty-printed ${RECORD_NAMES[kind]}, which is read only on one line`;
    yield* this.skipDocument(lines, 'unknown-record', `lines ${lines[0].line}–${lines[lines.length - 1].line} are one JSON document, not NDJSON records or a HAR file: ${what}`);
  }

  /** A document's lines as one kind of skip with one message; blank and unreadable lines keep their own. */
  private *skipDocument(lines: Line[], reason: 'not-json' | 'unknown-record', message: string): Generator<InputRecord> {
    for (const line of lines) {
      if ('text' in line && !isBlank(line.text)) this.acct.skip(reason, { file: line.file, line: line.line }, message);
      else yield* this.readLine(line);
    }
  }

  private *readValue(value: Json, where: LineRef, text: string): Generator<InputRecord> {
    switch (classifyRecordKind(value)) {
      case 'atof': {
        const decoded = decodeAtof(value as JsonObject, this.order, where);
        if (!decoded.ok) return this.acct.reject('invalid-atof', where, { path: decoded.path, message: decoded.message });
        this.acct.use('atof', where);
        decoded.event.rawText = text;
        this.timedAt(decoded.event.ts);
        return yield { kind: 'atof', event: decoded.event, order: this.order++, origin: where };
      }
      case 'hook':
        return yield* this.readHook(value as JsonObject, where, text);
      case 'bare-hook':
        return yield* this.readBareHook(value as JsonObject, where, text);
      case 'gateway':
        return yield* this.readExchange('gateway', value as JsonObject, `${where.file}:${where.line}`, where, text);
      case 'har-entry':
        return yield* this.readExchange('har', value as JsonObject, `${where.file}:${where.line}`, where, text);
      case 'har-document': {
        // A HAR document on one line: each entry stands for one unit of this line.
        const entries = (value as JsonObject & { log: { entries: Json[] } }).log.entries;
        return yield* this.readHarEntries(entries, where.file, where.line, () => where);
      }
      case 'unknown':
        return this.acct.skip('unknown-record', where, describeUnknown(value));
    }
  }

  /**
   * The entries of a HAR document that starts at line `docLine` of `file`. An entry without an id of its
   * own is named by its place: `file:entries[i]`, with the document's line when it is not the first
   * (several HARs in one stream, as `cat a.har b.har |` gives, must not share names).
   */
  private *readHarEntries(entries: Iterable<Json>, file: string, docLine: number, whereOf: (index: number) => LineRef): Generator<InputRecord> {
    const prefix = docLine === 1 ? file : `${file}:${docLine}`;
    let index = 0;
    for (const entry of entries) {
      const where = whereOf(index);
      if (!isObject(entry)) this.acct.reject('invalid-har', where, { path: `log.entries.${index}`, message: 'a HAR entry must be an object' });
      else yield* this.readExchange('har', entry, `${prefix}:entries[${index}]`, where, canonicalJson(entry));
      index++;
    }
    if (index === 0) this.acct.skip('unknown-record', whereOf(0), 'a HAR document with no entries');
  }

  private *readHook(value: JsonObject, where: LineRef, text: string): Generator<InputRecord> {
    const decoded = decodeHookRecord(value);
    if (!decoded.ok) return this.acct.reject('invalid-hook', where, { path: decoded.path, message: decoded.message });
    const { agent, atNs, headers } = decoded.envelope;
    this.timedAt(atNs);
    const seed = this.seedOf(text, where);
    if (this.skipsRepeat(seed, 'hook record', where)) return;
    this.acct.use('hook', where);
    const record: Omit<HookRecord, 'payload'> = {
      kind: 'hook',
      agent,
      headers,
      atNs,
      timed: true,
      bare: false,
      seed,
      order: this.order++,
      origin: where,
    };
    yield this.holds(text) ? heldHook(record, text, 'record', this.options.spill) : { ...record, payload: getOwn(value, 'payload') as Json };
  }

  private *readBareHook(value: JsonObject, where: LineRef, text: string): Generator<InputRecord> {
    const agent = this.options.agent;
    if (agent === undefined) {
      return this.acct.reject('invalid-hook', where, {
        path: '(root)',
        message: 'a bare hook payload (hook_event_name without "record") needs the agent: pass --agent claude-code|codex|cursor|hermes',
      });
    }
    const own = getOwn(value, 'timestamp');
    const ownNs = typeof own === 'string' ? parseRfc3339(own) : undefined;
    if (ownNs !== undefined) this.timedAt(ownNs);
    const seed = this.seedOf(text, where);
    // Only a payload timed by itself is a copy when repeated: untimed, the same notification may come twice.
    if (ownNs !== undefined && this.skipsRepeat(seed, 'bare hook payload', where)) return;
    this.acct.use('hook', where);
    const record: Omit<HookRecord, 'payload'> = { kind: 'hook', agent, headers: {}, atNs: ownNs ?? this.lastNs, timed: ownNs !== undefined, bare: true, seed, order: this.order++, origin: where };
    // A timestamp that is there but cannot be used is said, not taken for none (the payload is still used).
    const problem = ownNs === undefined ? bareTimeProblem(own) : undefined;
    if (problem !== undefined) record.timeProblem = problem;
    const held = this.holds(text);
    const made = (atNs: Nanos, timelessFile: boolean): HookRecord => {
      const placed: Omit<HookRecord, 'payload'> = timelessFile ? { ...record, atNs, timelessFile } : { ...record, atNs };
      return held ? heldHook(placed, text, 'bare', this.options.spill) : { ...placed, payload: value };
    };
    if (this.firstNs !== undefined) return yield made(record.atNs, false);
    this.leading.push(made);
  }

  private *readExchange(kind: Extract<RecordKind, 'gateway' | 'har'>, value: JsonObject, fallbackId: string, where: LineRef, text: string): Generator<InputRecord> {
    const decoded = decodeExchange(kind, value, fallbackId);
    if (!decoded.ok) return this.acct.reject(`invalid-${kind}`, where, { path: decoded.path, message: decoded.message });
    const exchange = decoded.exchange;
    this.timedAt(exchange.startedNs);
    const route = this.options.routeCapture(exchange);
    // A capture is logged once its call is over: an untimed bare payload after it in the file came
    // after the answer (a tool the answer asked for, the Stop after the last answer), not at its start.
    const overNs = route.llm ? route.completionNs : exchange.endedNs;
    if (overNs !== undefined && overNs > exchange.startedNs) this.lastNs = overNs;
    if (!route.llm) return this.acct.skip('unsupported-route', where, route.reason);
    const seed = this.seedOf(text, where);
    if (this.skipsRepeat(seed, kind === 'har' ? 'HAR entry' : 'gateway capture', where)) return;
    this.acct.use(kind, where);
    const place = { seed, order: this.order++, origin: where, arrivalNs: exchange.startedNs };
    const placed = route.completionNs === undefined ? place : { ...place, completionNs: route.completionNs };
    yield this.holds(text) ? heldGateway(placed, text, kind, fallbackId, this.options.spill) : { kind: 'gateway', exchange, ...placed };
  }

  /** A timestamp met in the current source. */
  private timedAt(ns: Nanos): void {
    this.lastNs = ns;
    this.firstNs ??= ns;
  }

  /**
   * The untimed bare payloads held back (see `leading`), once a timestamp of their source is known, at
   * that first time; at the end of a source (`end`) in any case, at 0 when it had none. Added to `out`
   * (asked after every line: a plain call that returns at once when nothing is held, no generator).
   */
  releaseInto(out: InputRecord[], end = false): void {
    if (this.leading.length === 0 || (this.firstNs === undefined && !end)) return;
    const atNs = this.firstNs ?? 0n;
    for (const make of this.leading) out.push(make(atNs, this.firstNs === undefined));
    this.leading = [];
  }

  /** Whether a raw record is held as its text (`holdRaw`), rather than kept decoded. */
  private holds(text: string): boolean {
    if (!this.options.holdRaw) return false;
    if (this.decodedChars + text.length > (this.options.keepDecodedChars ?? 0)) return true;
    this.decodedChars += text.length;
    return false;
  }

  /** A digest of the record text, numbered when the same text occurs again (a duplicated hook still gets its own ids). */
  private seedOf(text: string, where: LineRef): string {
    const digest = hash('sha256', text, 'hex').slice(0, 32);
    const seen = this.seen.get(digest);
    if (seen === undefined) this.seen.set(digest, { count: 1, first: where });
    const occurrence = seen === undefined ? 0 : seen.count++;
    return `${digest}#${occurrence}`;
  }

  /**
   * Fix skip-duplicate-records: whether the record just given `seed` repeats the text of one read
   * before, and is then counted as a `duplicate-record` skip naming where that one was. Replayed
   * again, a copy is a second prompt, tool call or answer: a turn of its own, never closed by its
   * answer (which the first copy's turn took), or a trajectory apart.
   */
  private skipsRepeat(seed: string, what: string, where: LineRef): boolean {
    if (!this.options.skipDuplicateRecords || seed.endsWith('#0')) return false;
    const first = this.seen.get(seed.slice(0, seed.indexOf('#')))!.first;
    this.acct.skip('duplicate-record', where, `the same ${what} as ${first.file}:${first.line}: a copy, not replayed again (fix skip-duplicate-records)`);
    return true;
  }
}

const NO_PAYLOAD: JsonObject = Object.freeze({}) as JsonObject;

/** Whether an event was read envelope-only: its payload is still in its line text only. */
export function isEnvelope(e: AtofEvent): boolean {
  return e.raw === NO_PAYLOAD;
}

/**
 * An event with what grouping reads (ids, kind, category, time, position) and its line text; the
 * payload (`raw`, `data`, `metadata`, `category_profile`) is left behind, so that holding routed events
 * costs little. The payload is read again from `rawText` where the event is converted.
 */
function envelopeOf(e: AtofEvent, rawText: string): AtofEvent {
  const out: AtofEvent = { kind: e.kind, uuid: e.uuid, ts: e.ts, name: e.name, raw: NO_PAYLOAD, rawText, seq: e.seq };
  if (e.parentUuid !== undefined) out.parentUuid = e.parentUuid;
  if (e.scopeCategory !== undefined) out.scopeCategory = e.scopeCategory;
  if (e.category !== undefined) out.category = e.category;
  if (e.origin !== undefined) out.origin = e.origin;
  return out;
}
