import { isFixName, profileInEffect, resolveFixes, type FixName, type ProfileName } from '../../profiles/fixes.js';
import type { AgentInfo } from '../../atif/types.js';
import type { AgentField } from '../../atif/export.js';
import { heldForConversion, keepsLineText, type ConvertOptions } from '../../pipeline/convert.js';
import { exportConverted, type OutputFormat } from '../../pipeline/exported.js';
import { localOutput, type OutputItem } from '../../pipeline/output-queue.js';
import { ParallelSink } from '../../pipeline/parallel/sink.js';
import { convertEvents, ConvertingSink, type GroupSink, type ScopesBeforeParentTally } from '../../pipeline/stream.js';
import type { AtofEvent } from '../../ingest/atof.js';
import { CliError, EXIT, usageError, type ExitCode } from '../exit-codes.js';
import { printable } from '../printable.js';
import { sizeSetting, type CliIO } from '../io.js';
import { passedOverNotes, runAccounting, skipCounts, writeProblems } from '../problems.js';
import { checkedOutputs, inputFilePaths } from '../output-guards.js';
import { hookClockOffsetOf, recordOptions, streamEvents, transcriptReader, type Loaded, type ReplayFlags } from '../load.js';
import { runGrouped } from '../grouped-run.js';
import { accountDuplicateEvents, scopesBeforeParentNote, scopesBeforeParentReport } from '../late-events.js';
import { RepeatTracker, skipsDuplicates } from '../../pipeline/duplicates.js';
import { WORKER_ENTRY } from '../worker-entry.js';
import { describeReplay, type CopiesTally, type LateEventNote } from '../../pipeline/raw.js';
import type { ReplayStats } from '../../sessions/replay.js';
import { resolveOutput, TrajectoryWriter, writeAtomic, type OutputTarget } from '../output.js';
import { VERSION } from '../version.js';
import { wholeNumber } from '../whole-number.js';

/** `--agent` (the agent of bare hook payloads) and `--read-transcripts` come from {@link ReplayFlags}. */
export interface ExportFlags extends ReplayFlags {
  sessionId?: string;
  agentName?: string;
  agentVersion?: string;
  modelName?: string;
  profile: ProfileName;
  fix?: string[];
  noFix?: string[];
}

export interface ConvertFlags extends ExportFlags {
  output: string;
  filenameTemplate: string;
  observedEvents: boolean;
  dedupe: boolean;
  strict?: boolean;
  validate?: boolean;
  report?: string;
  json?: boolean;
  quiet?: boolean;
  /** False with --no-progress. */
  progress?: boolean;
  verbose?: boolean;
  jobs?: string;
}

/**
 * The `agent` of every trajectory as the flags give it, the reference's defaults for the rest; and
 * the fields no flag gave, which fix agent-identity takes from each session instead.
 */
export function agentOptions(flags: ExportFlags): { agent: AgentInfo; agentFromSession: AgentField[] } {
  const agent: AgentInfo = { name: flags.agentName ?? 'NeMo Relay', version: flags.agentVersion ?? VERSION };
  const modelName = flags.modelName ?? 'unknown';
  if (modelName !== '') agent.model_name = modelName;
  const given: Record<AgentField, unknown> = { name: flags.agentName, version: flags.agentVersion, model_name: flags.modelName };
  return { agent, agentFromSession: (Object.keys(given) as AgentField[]).filter((f) => given[f] === undefined) };
}

export function fixesOf(flags: Pick<ExportFlags, 'profile' | 'fix' | 'noFix'>) {
  const names = (list: string[] = []): FixName[] =>
    list.map((n) => {
      if (!isFixName(n)) throw usageError(`unknown fix '${n}' (see 'relay-atif profiles')`);
      return n;
    });
  const [enable, disable] = [names(flags.fix), names(flags.noFix)];
  // Both asked of one fix: whichever the resolution applied last would win silently.
  const both = enable.find((n) => disable.includes(n));
  if (both !== undefined) throw usageError(`--fix ${both} and --no-fix ${both} contradict each other; give one of them`);
  return resolveFixes(flags.profile, enable, disable);
}

export async function convertCommand(inputs: string[], flags: ConvertFlags, io: CliIO): Promise<ExitCode> {
  const target = await resolveOutput(flags.output, io.cwd);
  const reportPath = await checkedOutputs({ inputs, output: flags.output, target, template: flags.filenameTemplate, report: flags.report, cwd: io.cwd });
  // Image files (fix image-parts) go beside `-o FILE` too, and never over an input either.
  const writer = new TrajectoryWriter(target, flags.filenameTemplate, io, target.kind !== 'stdout' ? await inputFilePaths(inputs, io) : undefined);
  try {
    return await convertInto(writer, target, reportPath, inputs, flags, io);
  } finally {
    // A run that stopped leaves no partial single-file output behind.
    await writer.discard();
  }
}

async function convertInto(writer: TrajectoryWriter, target: OutputTarget, reportPath: string | undefined, inputs: string[], flags: ConvertFlags, io: CliIO): Promise<ExitCode> {
  const accounting = runAccounting(flags.strict);
  const options = { sessionId: flags.sessionId, ...agentOptions(flags), fixes: fixesOf(flags), observedEvents: flags.observedEvents, observedVerbatim: writer.format === 'ndjson', dedupe: flags.dedupe, imageFiles: writer.writesImages };
  const jobs = jobsOf(flags, io);
  // Only counts are kept per trajectory: trajectories and decision data are freed once written.
  const converted: Array<{ sessionId: string; written: boolean; events: number; steps: number; suppressed_llm_spans: number }> = [];
  let eventCount = 0;
  let invalid = 0;
  const validationErrors: Array<{ session_id: string; path: string; message: string; rule: string }> = [];
  // Raw records are replayed at the end of input; the replay reports here what it did.
  const readOptions = recordOptions(flags);
  const readTranscript = transcriptReader(flags);
  const hookClockOffsetNs = hookClockOffsetOf(flags);
  let replay: Loaded['replay'];
  const replayed = (outcome: NonNullable<Loaded['replay']>) => (replay = outcome);
  let lateReconstructed = 0;
  let firstLate: LateEventNote | undefined;
  let copies: CopiesTally | undefined;
  let scopesBeforeParent: ScopesBeforeParentTally | undefined;
  // Fix image-parts: images left out of the messages (no directory to write them to) and images no part can show.
  const images = { notWritten: 0, notShown: 0, documentsLeftOut: 0 };
  const emit = async (item: OutputItem) => {
    await writer.write(item.sessionId, item.text(), item.ready);
    const x = await item.summary();
    if (x.images) {
      await writer.writeImages(x.images.files);
      images.notWritten += x.images.notWritten;
      images.notShown += x.images.notShown;
      images.documentsLeftOut += x.images.documentsLeftOut;
    }
    if (x.errorCount > 0) invalid++;
    // With --json, stderr carries the JSON report only: the findings are in it.
    for (const f of x.errors) {
      if (flags.json) validationErrors.push({ session_id: x.sessionId, path: f.path, message: f.message, rule: f.rule });
      else io.stderr.write(printable(`relay-atif: invalid trajectory ${x.sessionId}: ${f.path}: ${f.message} [${f.rule}]`) + '\n');
    }
    converted.push({ sessionId: x.sessionId, written: x.written, events: x.eventCount, steps: x.steps, suppressed_llm_spans: x.suppressedSpans });
  };
  const validate = flags.validate === true;
  const progress = !flags.quiet && !flags.json && flags.progress !== false;
  const stdoutFree = target.kind !== 'stdout';
  // A run stopped by its input (a --strict stop, an input that cannot be read) still leaves its report:
  // what was read up to there, and why it stopped.
  let stop: CliError | undefined;
  try {
    if (flags.sessionId !== undefined) {
      // One trajectory of everything: nothing can be written before the input ends.
      const events: AtofEvent[] = [];
      const keepText = keepsLineText(options);
      // A repeat is a skip as it is read, as in a streamed run (so --strict stops at it).
      const repeats = skipsDuplicates(options.fixes) ? new RepeatTracker() : undefined;
      for await (const e of streamEvents(inputs, io, accounting, { read: readOptions, replay: replayed, progress, stdoutFree, fixes: options.fixes, readTranscript, hookClockOffsetNs })) {
        if (repeats?.repeats(e)) accountDuplicateEvents(accounting, [e]);
        else events.push(heldForConversion(e, keepText));
      }
      eventCount = events.length;
      for (const c of convertEvents(events, options).trajectories) await emit(localOutput(exportConverted(c, writer.format, validate)));
    } else {
      // With workers, this thread only routes events (their payloads are read again where they are
      // converted); results are written in the order their scopes closed, whatever thread made them.
      const parallel = jobs > 1 ? new ParallelSink({ convert: options, format: writer.format, validate, jobs, ...parallelSettings(io) }) : undefined;
      const read = await runGrouped(inputs, io, accounting, { read: readOptions, replay: replayed, progress, stdoutFree, fixes: options.fixes, readTranscript, hookClockOffsetNs }, parallel ? { parallel, jobs } : inThread(options, writer.format, validate), emit);
      eventCount = read.events;
      lateReconstructed = read.lateReconstructed;
      firstLate = read.firstLateReconstructed;
      copies = read.reconstructedCopies;
      scopesBeforeParent = read.scopesBeforeParent;
    }
  } catch (err) {
    // With --report or --json, such a stop is reported like any run (`stopped` says why).
    if (!((flags.report || flags.json) && err instanceof CliError && (err.exitCode === EXIT.PROBLEMS || err.exitCode === EXIT.UNREADABLE))) throw err;
    stop = err;
  }
  const trajectories = converted.filter((c) => c.written);
  if (!stop) await writer.close();
  const report = {
    // Which profile and fixes made these trajectories, named as explain and diff name them.
    ...profileInEffect(flags.profile, options.fixes),
    lines: accounting.toJSON(),
    trajectories: converted.map(({ sessionId, ...counts }) => ({ session_id: sessionId, ...counts })),
    outputs: writer.written,
    ...(writer.imagesWritten.length > 0 || images.notWritten > 0 || images.notShown > 0
      ? { images: { files: writer.imagesWritten, not_written: images.notWritten, not_shown: images.notShown } }
      : {}),
    ...(images.documentsLeftOut > 0 ? { documents_left_out: images.documentsLeftOut } : {}),
    ...(replay ? { replay: replayReport(replay.stats, lateReconstructed, copies?.count ?? 0) } : {}),
    ...scopesBeforeParentReport(scopesBeforeParent),
    ...(validationErrors.length > 0 ? { validation_errors: validationErrors } : {}),
    ...(stop ? { stopped: stop.message } : {}),
  };
  if (reportPath) await writeAtomic(reportPath, JSON.stringify(report, null, 2) + '\n');
  // --json: stderr carries the JSON report alone, a stopped run's included.
  if (stop && !flags.json) throw stop;
  const problems = accounting.problems();
  if (flags.json) io.stderr.write(JSON.stringify(report) + '\n');
  if (stop) return stop.exitCode;
  if (!flags.json && !flags.quiet) {
    const where = target.kind === 'stdout' ? 'stdout' : target.kind === 'file' ? target.path : `${target.path}/`;
    const empty = converted.length - trajectories.length;
    io.stderr.write(
      `relay-atif: ${accounting.total()} lines, ${eventCount} events → ${trajectories.length} ${trajectories.length === 1 ? 'trajectory' : 'trajectories'} (${where})` +
        `${empty > 0 ? `, ${empty} empty not written` : ''}; ${skipCounts(accounting)}\n`,
    );
    const notes = [...(replay ? describeReplay(replay.stats, lateReconstructed, firstLate, copies) : []), ...scopesBeforeParentNote(scopesBeforeParent), ...passedOverNotes(accounting), ...imageNotes(writer.imagesWritten.length, images)];
    for (const note of notes) io.stderr.write(`  ${printable(note)}\n`);
    writeProblems(problems, { verbose: flags.verbose, hasReport: true }, io);
  }
  if (invalid > 0) return EXIT.PROBLEMS;
  if (flags.strict && problems.length > 0) return EXIT.PROBLEMS;
  return EXIT.OK;
}

/** What fix image-parts did with the images, for the run summary (nothing when there were none). */
export function imageNotes(written: number, images: { notWritten: number; notShown: number; documentsLeftOut: number }): string[] {
  const notes: string[] = [];
  const n = (count: number) => `${count} ${count === 1 ? 'image' : 'images'}`;
  if (written > 0) notes.push(`wrote ${n(written)} to images/ beside the trajectories, which their steps refer to`);
  if (images.notWritten > 0) notes.push(`${n(images.notWritten)} left out of the messages: stdout has no directory to write image files to; -o DIR/ writes them to DIR/images/`);
  if (images.notShown > 0) notes.push(`${n(images.notShown)} left out of the messages as no ATIF image can show them (an uploaded file's id, a URL of no image file type); each request keeps them in extra.llm_request`);
  if (images.documentsLeftOut > 0) {
    const d = images.documentsLeftOut;
    notes.push(`${d} ${d === 1 ? 'document' : 'documents'} (a PDF or another file) left out of the messages: ATIF has no part for them; each request keeps them in extra.llm_request`);
  }
  return notes;
}

/** What the replay did, in the report's snake_case like every other key of it. */
function replayReport(stats: ReplayStats, lateReconstructed: number, reconstructedCopies: number) {
  return {
    hooks: stats.hooks,
    untimed_hooks: stats.untimedHooks,
    untimed_hooks_unreadable_timestamp: stats.unreadableHookTimes,
    untimed_hooks_in_file_without_timestamp: stats.timelessFileHooks,
    dropped_hooks: stats.droppedHooks,
    dropped_hooks_by_reason: stats.droppedHooksByReason,
    gateway_calls: stats.gatewayCalls,
    request_bodies_not_json: stats.requestBodiesNotJson,
    responses_not_read: stats.responsesNotRead,
    gateway_fallback_session_calls: stats.fallbackSessionCalls,
    startup_probes: stats.startupProbes,
    transcripts_not_read: stats.transcriptsNotRead,
    idle_closures: stats.idleClosures,
    shutdown_sessions: stats.shutdownSessions,
    late_reconstructed_events: lateReconstructed,
    // Rebuilt events repeating events already read and written (the same session given twice): not a loss.
    reconstructed_event_copies: reconstructedCopies,
    // Seconds, as the option takes them; the first call named as every first of the report is.
    hook_clock_offset_seconds: Number(stats.hookClockOffsetNs / 1_000_000n) / 1000,
    clock_skew_calls: stats.clockSkew.calls,
    clock_skew_sessions: stats.clockSkew.sessions,
    clock_skew_hooks_late_seconds: Number(stats.clockSkew.maxLateNs / 1_000_000n) / 1000,
    clock_skew_hooks_early_seconds: Number(stats.clockSkew.maxEarlyNs / 1_000_000n) / 1000,
    ...(stats.clockSkew.first && {
      first_clock_skew_call: {
        // Its record's place as scopes_before_parent names one: file and line apart.
        file: stats.clockSkew.first.origin.file,
        line: stats.clockSkew.first.origin.line,
        capture_id: stats.clockSkew.first.captureId,
        session_id: stats.clockSkew.first.sessionId,
        direction: stats.clockSkew.first.direction,
        gap_seconds: Number(stats.clockSkew.first.gapNs / 1_000_000n) / 1000,
        evidence: stats.clockSkew.first.evidence,
      },
    }),
  };
}

/** The in-thread sink of `--jobs 1`: each group is converted where it closes. */
function inThread(options: ConvertOptions, format: OutputFormat, validate: boolean): GroupSink<OutputItem> {
  const sink = new ConvertingSink(options);
  return {
    add: (root, e) => sink.add(root, e),
    close: (root, resort) => localOutput(exportConverted(sink.close(root, resort), format, validate)),
    unscoped: (events) => localOutput(exportConverted(sink.unscoped(events), format, validate)),
  };
}

/** `--jobs`: at least 1; by default the number of cores the process may use. */
export function jobsOf(flags: { jobs?: string }, io: CliIO): number {
  if (flags.jobs === undefined) return io.cores ?? 1;
  const n = wholeNumber(flags.jobs);
  if (n === undefined || n < 1 || n > MAX_JOBS) throw usageError(`--jobs must be a whole number from 1 to ${MAX_JOBS} (got '${flags.jobs}')`);
  return n;
}

const MAX_JOBS = 256;
/**
 * Input size from which workers start (RELAY_ATIF_JOBS_AFTER_BYTES overrides it): for files known to
 * be this large, when a second trajectory opens; else once this much text has been routed. Measured on 2 cores, a 10 MB input
 * converts faster in one thread (0.75 s against 1.0 s with workers); 100 MB and more gain from them.
 */
const JOBS_AFTER_CHARS = 64 * 1024 * 1024;
/**
 * Text the workers may have left to read before new groups stay on the main thread
 * (RELAY_ATIF_WORKER_BACKLOG_BYTES overrides it). With NDJSON output the main thread is the slower
 * side and the workers' backlog stays small; with pretty files (`-o DIR/`) the workers are, and main
 * sat idle for 12% of the run. Measured on 2 cores, runs interleaved, against no such limit: the
 * 100 MB stream to `-o DIR/` took 5.65 s instead of 6.42 s (medians of 5) in a slow hour, and the same
 * (4.9 s) in a faster one; the 1 GB stream 46.0 s instead of 47.6 s; NDJSON unchanged. Lower limits
 * cost more than they save: at 1 MB the 100 MB stream took 5.9 s instead of 4.9 s.
 */
const WORKER_BACKLOG_CHARS = 8 * 1024 * 1024;

/** When workers start and when groups stay here (see above), and the script they run: what every command with --jobs sets alike. */
export function parallelSettings(io: CliIO) {
  return {
    startAfterChars: sizeSetting(io, 'RELAY_ATIF_JOBS_AFTER_BYTES', JOBS_AFTER_CHARS),
    keepAfterBacklogChars: sizeSetting(io, 'RELAY_ATIF_WORKER_BACKLOG_BYTES', WORKER_BACKLOG_CHARS),
    worker: WORKER_ENTRY,
  };
}

