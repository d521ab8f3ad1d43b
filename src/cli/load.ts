import { stat } from 'node:fs/promises';
import type { FixSet } from '../profiles/fixes.js';
import { parseHookAgentKind } from '../hooks/index.js';
import { LineAccounting } from '../ingest/accounting.js';
import type { AtofEvent } from '../ingest/atof.js';
import { InputError, resolveInputs, type InputSource } from '../ingest/inputs.js';
import { TextSpill } from '../ingest/spill.js';
import type { Nanos } from '../ingest/time.js';
import { routeCapture } from '../gateway/capture-route.js';
import { rawFixOptions } from '../sessions/raw-fixes.js';
import { printedEvent } from '../ingest/held-records.js';
import { streamRecordBatches, type AtofRecord, type InputRecord, type ReadRecordsOptions } from '../ingest/read-records.js';
import type { TranscriptReader } from '../sessions/index.js';
import { transcriptFirstLines } from './transcripts.js';
import { replayInTimeOrder, replayRecordsInBatches, type CopiesTally, type LateEventNote } from '../pipeline/raw.js';
import { heldForConversion } from '../pipeline/convert.js';
import type { ScopesBeforeParentTally } from '../pipeline/stream.js';
import type { AttributionLog } from '../sessions/attribution.js';
import type { ReplayStats } from '../sessions/replay.js';
import { FINISHING, Progress } from './progress.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import { sizeSetting, type CliIO } from './io.js';

export interface Loaded {
  events: AtofEvent[];
  accounting: LineAccounting;
  /** Set when the input held raw records and the session replay ran. */
  replay?: { attributions: AttributionLog; stats: ReplayStats };
}

/** What a command sets of the record reader; the stages it is composed with are added here. */
export type ReaderFlags = Omit<ReadRecordsOptions, 'routeCapture'>;

/** The `--agent` option (the agent of bare hook payloads) as the record reader wants it. */
export function recordOptions(flags: { agent?: string }): ReaderFlags {
  if (flags.agent === undefined) return {};
  const agent = parseHookAgentKind(flags.agent);
  if (agent === undefined) throw usageError(`--agent must be claude-code, codex, cursor or hermes (got '${flags.agent}')`);
  return { agent };
}

/**
 * How a reporting command (explain, diff, events) reads: the record reader's options from its flags,
 * the profile's fixes, and a progress bar unless --quiet or --no-progress (on a terminal, for large
 * inputs: see Progress).
 */
export function readSettings(flags: ReplayFlags & { quiet?: boolean; progress?: boolean }, fixes: FixSet, opened?: ReadonlyMap<string, InputSource>): ReadSettings {
  return { read: recordOptions(flags), fixes, opened, progress: !flags.quiet && flags.progress !== false, readTranscript: transcriptReader(flags), hookClockOffsetNs: hookClockOffsetOf(flags) };
}

/** The flags of how raw records are read and replayed: `--agent`, `--read-transcripts`, `--hook-clock-offset`. */
export interface ReplayFlags {
  agent?: string;
  readTranscripts?: boolean;
  hookClockOffset?: string;
}

/** The largest `--hook-clock-offset` taken: a day; clocks further apart are no skew to correct. */
const MAX_HOOK_CLOCK_OFFSET_SECONDS = 86_400;

/**
 * `--hook-clock-offset SECONDS`: what is added to every hook record's time before the replay (negative
 * for hooks stamped later than the gateway's calls), to the millisecond. Undefined without the option.
 */
export function hookClockOffsetOf(flags: ReplayFlags): Nanos | undefined {
  const text = flags.hookClockOffset;
  if (text === undefined) return undefined;
  const seconds = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(seconds) || Math.abs(seconds) > MAX_HOOK_CLOCK_OFFSET_SECONDS) {
    throw usageError(`--hook-clock-offset must be a number of seconds from -${MAX_HOOK_CLOCK_OFFSET_SECONDS} to ${MAX_HOOK_CLOCK_OFFSET_SECONDS}, e.g. -3 or 2.5 (got '${text}')`);
  }
  return BigInt(Math.round(seconds * 1000)) * 1_000_000n;
}

/** `--read-transcripts`: the replay reads Codex transcripts from this machine's files. */
export function transcriptReader(flags: ReplayFlags): TranscriptReader | undefined {
  return flags.readTranscripts ? transcriptFirstLines() : undefined;
}

/**
 * Reader limits from the environment: RELAY_ATIF_MAX_LINE_BYTES lowers the per-line limit (default
 * 64 MiB); a longer line is a counted `too-long` skip.
 */
function readerOptions(options: ReaderFlags, io: CliIO, fixes: FixSet = new Set()): ReadRecordsOptions {
  const n = sizeSetting(io, 'RELAY_ATIF_MAX_LINE_BYTES', 0, 1);
  // The reader asks the gateway stage which captures are LLM calls, routed as the replay will route them.
  const routes = rawFixOptions(fixes).routes;
  const composed: ReadRecordsOptions = { ...options, routeCapture: (exchange) => routeCapture(exchange, routes), skipDuplicateRecords: fixes.has('skip-duplicate-records') };
  return n > 0 ? { maxLineBytes: n, ...composed } : composed;
}

/** Maps input failures onto the exit-code table. */
export function inputFailure(err: unknown): never {
  if (err instanceof InputError) throw new CliError(err.kind === 'unreadable' ? EXIT.UNREADABLE : EXIT.USAGE, err.message);
  throw err;
}

export interface StreamOptions {
  read?: ReaderFlags;
  /** Receives what the replay of raw records did (called only when there were raw records). */
  replay?: (outcome: NonNullable<Loaded['replay']>) => void;
  /**
   * Draws the progress bar when stderr is a terminal and the input is large, unless stdout is that
   * terminal too and carries the command's data (its text would run through the bar).
   */
  progress?: boolean;
  /** Stdout carries no data (`convert` writing files): the bar is drawn even when stdout is a terminal. */
  stdoutFree?: boolean;
  /** The active profile's fixes, which shape the replay and the grouping (skip-duplicate-events) (relay-0.3 when none). */
  fixes?: FixSet;
  /** Receives the total size of the inputs once they are resolved (undefined when one is stdin). */
  inputBytes?: (bytes: number | undefined) => void;
  /** Inputs already opened by the command (see {@link InputEnv.opened}). */
  opened?: ReadonlyMap<string, InputSource>;
  /** `--read-transcripts`: how the replay reads a Codex transcript's first line (none: it does not). */
  readTranscript?: TranscriptReader;
  /** `--hook-clock-offset`: added to every hook record's time before the replay. */
  hookClockOffsetNs?: Nanos;
}

/** How a command reads its inputs, whatever it makes of them. */
export type ReadSettings = Pick<StreamOptions, 'read' | 'fixes' | 'opened' | 'progress' | 'readTranscript' | 'hookClockOffsetNs'>;

/**
 * Events in batches (a batch per chunk of input read): ATOF events as the inputs are read (memory
 * stays bounded by what the consumer keeps); raw records are gathered and, at the end of input,
 * replayed into the events the live runtime would have emitted, which follow in emission order.
 */
export async function* streamEventBatches(args: string[], io: CliIO, accounting: LineAccounting, options: StreamOptions = {}): AsyncGenerator<AtofEvent[]> {
  const raw: InputRecord[] = [];
  let records = 0;
  let progress: Progress | undefined;
  // Raw records wait for the replay at the end of input: past the first few megabytes (kept decoded,
  // which spares the replay a second decode), held as their text, and past some more, in a file.
  const spill = new TextSpill(HELD_IN_MEMORY_BYTES);
  try {
    try {
      const tracked = await resolveTracked(args, io, accounting, options);
      options.inputBytes?.(tracked.bytes);
      progress = tracked.progress;
      const read = readerOptions({ ...options.read, holdRaw: true, keepDecodedChars: KEEP_DECODED_CHARS, spill }, io, options.fixes);
      for await (const batch of streamRecordBatches(tracked.sources, accounting, read)) {
        const events: AtofEvent[] = [];
        for (const record of batch) {
          records++;
          progress.event();
          if (record.kind === 'atof') events.push(record.event);
          else raw.push(record);
        }
        if (events.length > 0) yield events;
      }
    } catch (err) {
      inputFailure(err);
    } finally {
      progress?.phase(raw.length > 0 ? replaying(raw.length) : FINISHING);
    }
    if (raw.length === 0) return;
    // Replayed events go on as they are emitted: a trajectory is written when its scope closes, not after the whole replay.
    const replay = replayRecordsInBatches(raw, { firstSeq: records, fixes: options.fixes, readTranscript: options.readTranscript, hookClockOffsetNs: options.hookClockOffsetNs, onProgress: progress && replayProgress(progress, raw.length) });
    for (let step = replay.next(); ; step = replay.next()) {
      if (step.done) {
        progress?.phase(FINISHING);
        return options.replay?.(step.value);
      }
      yield step.value;
    }
  } finally {
    spill.close();
  }
}

/**
 * Raw-record text kept decoded until the replay. Measured on the benchmark's raw records, decoded ones
 * take about 2.9 times their text in the heap, held ones about 2 times (their bytes, in Buffer pool
 * slabs, and the record): this costs at most about 60 MB more than holding everything as text, and
 * the replay skips a second decode of those records (on the 100 MB benchmark stream, whose raw
 * records are 23 MB of text, about 0.4 s of CPU in the replay, which runs alone on the main thread).
 */
const KEEP_DECODED_CHARS = 64 * 1024 * 1024;

/**
 * Raw-record text held in memory, past the records kept decoded, before the rest goes to a temporary
 * file (TextSpill): what holding raw records costs in memory stays bounded however large the log. The
 * replay reads the file back in about the order it was written, a megabyte at a time.
 */
const HELD_IN_MEMORY_BYTES = 64 * 1024 * 1024;

/** What the progress bar says while raw records are replayed (see Progress.phase), with how far it is once known. */
const replaying = (records: number, done?: number) => `replaying ${records} hook and gateway records${done === undefined ? '' : `, ${done}% done`}`;

/** The replay's progress on the bar, in whole percents (so it is redrawn at most a hundred times). */
function replayProgress(progress: Progress, records: number): (replayed: number, points: number) => void {
  return (replayed, points) => progress.phase(replaying(records, Math.floor((100 * replayed) / points)));
}

/** The events of {@link streamEventBatches} one at a time. */
export async function* streamEvents(...args: Parameters<typeof streamEventBatches>): AsyncGenerator<AtofEvent> {
  for await (const batch of streamEventBatches(...args)) yield* batch;
}

/**
 * The inputs resolved (the files a directory walk passed over noted in `accounting`), with their total size (undefined when one is stdin) and the progress bar that
 * their reading advances (see Progress: drawn only on a terminal, for large inputs, when asked for and
 * stdout is free; the command's end clears it).
 */
async function resolveTracked(args: string[], io: CliIO, accounting: LineAccounting, options: ReadSettings & Pick<StreamOptions, 'stdoutFree'>): Promise<{ sources: InputSource[]; bytes: number | undefined; progress: Progress }> {
  const sources = await resolveInputs(args, { stdinIsTTY: io.stdinIsTTY, cwd: io.cwd, stdin: io.stdin, opened: options.opened, passedOver: (name) => accounting.passOver(name) });
  const bytes = await totalSize(sources);
  const progress = Progress.start(bytes, io, { wanted: options.progress === true, stdoutFree: options.stdoutFree === true });
  return { sources: sources.map((s) => progress.track(s)), bytes, progress };
}

/** The summed size of file inputs; undefined when one is stdin (or cannot be inspected). */
async function totalSize(sources: readonly InputSource[]): Promise<number | undefined> {
  if (sources.some((s) => s.name === '-')) return undefined;
  const sizes = await Promise.all(sources.map((s) => stat(s.path ?? s.name).then((st) => st.size, () => undefined)));
  return sizes.some((n) => n === undefined) ? undefined : sizes.reduce((a: number, b) => a + b!, 0);
}

/**
 * Every event as `convert` reads it: ATOF events in input order, then the events the replay of raw
 * records rebuilt (numbered after every record). For commands that must describe what `convert`
 * writes (explain, diff); `events` prints the replay's merged timeline instead ({@link streamTimelineEvents}).
 * Their line text is let go: these commands never print an event back (see keepsLineText).
 */
export async function loadEventsAsConverted(args: string[], io: CliIO, settings: ReadSettings = {}): Promise<Loaded> {
  const accounting = new LineAccounting();
  const events: AtofEvent[] = [];
  let replay: Loaded['replay'];
  for await (const batch of streamEventBatches(args, io, accounting, { ...settings, replay: (r) => (replay = r) })) for (const e of batch) events.push(heldForConversion(e, false));
  return { events, accounting, replay };
}

/** What a grouped read of a report (see runGroupedReport) read, once every group has been handed on. */
export interface StreamedInput {
  accounting: LineAccounting;
  replay?: Loaded['replay'];
  /** Events read, less those that came after their top-level scope had closed. */
  events: number;
  /** Late events the replay built (late input lines are skips in the accounting). */
  lateReconstructed: number;
  /** The first of them, which the run summary names. */
  firstLateReconstructed?: LateEventNote;
  /** Rebuilt events that repeat events already read after their scope was written: copies, said apart. */
  reconstructedCopies?: CopiesTally;
  /** Top-level scopes read before their parent (input out of order); absent where nothing is grouped (--session-id). */
  scopesBeforeParent?: ScopesBeforeParentTally;
}

/**
 * What `events` prints, in batches: ATOF-only input in input order; with raw records, the replay's
 * merged timeline, ATOF events passing through at their place. No event's place is known before the
 * end of input, so every record is held until then: ATOF events as the canonical JSON they are printed
 * as, raw records as their text (see held-records.ts), each past a memory budget in a temporary file.
 * Memory holds a few hundred bytes per record, not the input. Calls `replay` when the replay ran.
 */
export async function* streamTimelineEvents(args: string[], io: CliIO, accounting: LineAccounting, options: ReadSettings & Pick<StreamOptions, 'replay'> = {}): AsyncGenerator<AtofEvent[]> {
  const records: InputRecord[] = [];
  /** Raw records read (they are replayed at the end). */
  let raw = 0;
  let progress: Progress | undefined;
  const spill = new TextSpill(HELD_IN_MEMORY_BYTES);
  try {
    try {
      const tracked = await resolveTracked(args, io, accounting, options);
      progress = tracked.progress;
      const read = readerOptions({ ...options.read, holdRaw: true, keepDecodedChars: KEEP_DECODED_CHARS, spill }, io, options.fixes);
      for await (const batch of streamRecordBatches(tracked.sources, accounting, read)) {
        for (const record of batch) {
          progress.event();
          if (record.kind === 'atof') record.event = printedEvent(record.event, spill);
          else raw++;
          records.push(record);
        }
      }
    } catch (err) {
      inputFailure(err);
    } finally {
      progress?.phase(raw > 0 ? replaying(raw) : FINISHING);
    }
    if (raw === 0) {
      // Nothing to replay: the events as read.
      for (let at = 0; at < records.length; at += PRINT_BATCH) yield records.slice(at, at + PRINT_BATCH).map((r) => (r as AtofRecord).event);
      return;
    }
    const replay = replayInTimeOrder(records, { fixes: options.fixes, readTranscript: options.readTranscript, hookClockOffsetNs: options.hookClockOffsetNs, onProgress: progress && replayProgress(progress, raw) });
    for (let step = replay.next(); ; step = replay.next()) {
      if (step.done) return options.replay?.(step.value);
      yield step.value;
    }
  } finally {
    spill.close();
  }
}

/** Events of ATOF-only input handed on at a time by {@link streamTimelineEvents}. */
const PRINT_BATCH = 4096;
