import { profileInEffect, type FixSet } from '../../profiles/fixes.js';
import { chalkFor, stylesFor, type Styles } from '../../explain/palette.js';
import { describeUuid, lookupSpan, matchTrajectory, OverviewPrinter, printStep, SpanFinder, stepPart, type OverviewFormat, type StepPart } from '../../explain/report.js';
import type { IdMatch } from '../../explain/ids.js';
import { withGatewayCall } from '../../explain/step-report.js';
import type { AttributionLog, GatewayAttribution } from '../../sessions/attribution.js';
import { spanConversions, type SpanConversion } from '../../explain/request-outcome.js';
import { requestPartOf, requestTaskRunner } from '../request-task.js';
import { HeldTexts } from '../held-texts.js';
import { producedTrajectory, trajectoryIds } from '../../explain/table-report.js';
import { jsonPieces, utf8Chunks } from '../../json/stringify.js';
import type { Json } from '../../json/value.js';
import { afterConversion, keepsLineText, type ConvertOptions, type GroupTask } from '../../pipeline/convert.js';
import type { ExportedTrajectory } from '../../pipeline/exported.js';
import type { WorkerTask } from '../worker-tasks.js';
import { spanPartOf, spanTaskFormat, spanTaskRunner, type SpanTask } from '../span-task.js';
import { stepPartOf, stepTaskRunner, type StepTask } from '../step-task.js';
import { ShortIdMarkers } from '../../explain/short-id-markers.js';
import { convertEvents } from '../../pipeline/stream.js';
import { accountDuplicateEvents, accountLateEvents, scopesBeforeParentNote } from '../late-events.js';
import { describeReplay } from '../../pipeline/raw.js';
import { EXIT, usageError, type ExitCode } from '../exit-codes.js';
import { printable } from '../printable.js';
import type { CliIO } from '../io.js';
import { passedOverNotes, skipCounts, writeProblems } from '../problems.js';
import { writeOut } from '../output.js';
import { loadEventsAsConverted, readSettings, type Loaded, type StreamedInput } from '../load.js';
import { attributionsJson, lookupRequest, renderRequest } from '../../explain/request-report.js';
import { agentOptions, fixesOf, jobsOf, parallelSettings, type ExportFlags } from './convert.js';
import type { LineAccounting } from '../../ingest/accounting.js';
import { localOutput, type OutputItem } from '../../pipeline/output-queue.js';
import { ParallelSink } from '../../pipeline/parallel/sink.js';
import { CompletingSink } from '../../pipeline/stream.js';
import { runGroupedReport } from '../grouped-run.js';
import { overviewPartOf, overviewTaskRunner, type OverviewTask } from '../overview-task.js';
import { wholeNumber } from '../whole-number.js';

/** Flags every reporting command (explain, diff) shares. */
export interface ReportFlags {
  json?: boolean;
  /** false after --no-color. */
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  strict?: boolean;
}

export interface ExplainFlags extends ExportFlags, ReportFlags {
  /** Threads for the overview, --span and --step (as convert's --jobs). */
  jobs?: string;
  span?: string;
  step?: string;
  trajectory?: string;
  /** A gateway capture id or LLM span uuid: how that call was attributed to a session. */
  request?: string;
}

/** How explain converts: as convert does, with the dedupe pass and without the observed events it does not show. */
function explainConversion(flags: ExplainFlags, fixes: FixSet): ConvertOptions {
  return { ...agentOptions(flags), fixes, observedEvents: false, dedupe: true };
}

/** How many candidates an "unknown" or "ambiguous" error lists: a short prefix on a large log matches thousands. */
const LISTED = 20;

/** The candidate lines of such an error: the first LISTED, described, then how many more (with `hint` on where to see them). */
function candidateLines(items: readonly string[], describe: (item: string) => string = (item) => item, hint = ''): string {
  const lines = items.slice(0, LISTED).map((item) => `  ${describe(item)}`);
  if (items.length > LISTED) lines.push(`  … ${items.length - LISTED} more${hint}`);
  return lines.join('\n') || '  (none)';
}

/** Where every span is listed, for a list of spans cut short. */
const ALL_SPANS_HINT = ' (relay-atif explain lists them all)';

export async function explainCommand(inputs: string[], flags: ExplainFlags, io: CliIO): Promise<ExitCode> {
  if ([flags.span, flags.step, flags.request].filter((f) => f !== undefined).length > 1) throw usageError('--span, --step and --request cannot be combined');
  // A span or a call is looked up in the whole input (its id names it there); a --trajectory beside it would be ignored.
  const lookup = flags.span !== undefined ? '--span' : flags.request !== undefined ? '--request' : undefined;
  if (flags.trajectory !== undefined && lookup !== undefined) throw usageError(`--trajectory goes with --step or the overview, not with ${lookup} (which looks in every trajectory)`);
  const stepId = flags.step === undefined ? undefined : parseStepId(flags.step);
  const fixes = fixesOf(flags);
  const chalk = chalkFor({ env: io.env, stdoutIsTTY: io.stdoutIsTTY, color: flags.color });
  const styles = stylesFor(chalk);
  if (flags.request !== undefined) {
    const read = await readForRequest(inputs, flags, fixes, io);
    await explainRequest(flags.request, read.replay, read.conversions, flags, io);
    return read.finish();
  }
  if (flags.sessionId === undefined) {
    if (stepId !== undefined) return explainStepStreamed(inputs, stepId, flags, fixes, io, styles);
    if (flags.span === undefined) return explainOverview(inputs, flags, fixes, io, styles, chalk.level);
    return explainSpanStreamed(inputs, flags.span, flags, fixes, io, chalk.level);
  }
  const { events, accounting, replay } = await loadEventsAsConverted(inputs, io, readSettings(flags, fixes));
  // Grouped as convert groups: an event after its top-level scope closed is a skip here too.
  const { trajectories: converted, late, duplicates } = convertEvents(events, { ...explainConversion(flags, fixes), sessionId: flags.sessionId });
  const lateReconstructed = accountLateEvents(accounting, late);
  // Repeated events (fix skip-duplicate-events) are skips, as in convert, and in no step.
  accountDuplicateEvents(accounting, duplicates);
  const skipped = new Set(duplicates);
  const converting = skipped.size > 0 ? events.filter((e) => !skipped.has(e)) : events;
  if (flags.span !== undefined) {
    const finder = new SpanFinder(flags.span, spanTaskFormat(spanTask(flags.span, flags, chalk.level)));
    for (const c of converted) finder.add(c);
    await showSpan(finder, flags.span, flags, io);
  } else if (stepId !== undefined) {
    // One conversion of every event (--session-id): the trajectory, or one of its subagents'.
    const all = converted.flatMap(trajectoryIds);
    const id = chooseTrajectory(all, flags);
    const c = converted.find((x) => producedTrajectory(x, id));
    await showStep(id, stepId, c && stepPart(c, converting, stepId, id), all, flags, io, styles, replay?.attributions);
  } else {
    // --session-id: one trajectory of every event, which the exporter API sees whole.
    await showOverview(flags, fixes, io, styles, (printer) => converted.forEach((c) => printer.add(c)));
  }
  return finishReport(accounting, converting.length - late.length, flags, io, replay ? describeReplay(replay.stats, lateReconstructed) : []);
}

/**
 * `--span`, read as `convert` streams: each trajectory is indexed as it closes and let go; only the
 * reports of spans the query may name are kept, printed (see SpanFinder). With --jobs, as in convert:
 * workers convert trajectories and make their shares of the lookup, taken in the order they closed.
 */
async function explainSpanStreamed(inputs: string[], query: string, flags: ExplainFlags, fixes: FixSet, io: CliIO, colorLevel: number): Promise<ExitCode> {
  const convert = explainConversion(flags, fixes);
  const task = spanTask(query, flags, colorLevel);
  const finder = new SpanFinder(query, spanTaskFormat(task));
  const sink = reportSink(jobsOf(flags, io), io, convert, afterConversion(convert, spanTaskRunner(task)), task);
  const read = await runGroupedReport(inputs, io, readSettings(flags, fixes), sink, async (item) => finder.addPart(spanPartOf(await item.summary())));
  await showSpan(finder, query, flags, io);
  return finishStreamed(read, flags, io);
}

/** The `--span` task: the query, and how its reports are printed (styles of `colorLevel`, fresh markers). */
function spanTask(query: string, flags: ExplainFlags, colorLevel: number): SpanTask {
  return { kind: 'span', query, json: flags.json === true, colorLevel, markerPrefix: new ShortIdMarkers().prefix };
}

/** The run summary of a streamed read. */
export function finishStreamed(read: StreamedInput, flags: ReportFlags, io: CliIO): ExitCode {
  return finishReport(read.accounting, read.events, flags, io, [...(read.replay ? describeReplay(read.replay.stats, read.lateReconstructed, read.firstLateReconstructed, read.reconstructedCopies) : []), ...scopesBeforeParentNote(read.scopesBeforeParent)]);
}

/** The report of the span `query` names, or the usage error that says why there is none. */
async function showSpan(finder: SpanFinder, query: string, flags: ExplainFlags, io: CliIO): Promise<void> {
  const index = finder.finish();
  const found = lookupSpan(index, query, finder.printing.marks);
  const describe = (uuid: string) => describeUuid(index, uuid);
  if (found.kind === 'ambiguous') throw usageError(`span '${query}' is ambiguous; it matches:\n${candidateLines(found.candidates, describe, ALL_SPANS_HINT)}`);
  if (found.kind === 'unknown') throw usageError(`no LLM or tool span matches '${query}'; known spans:\n${candidateLines(found.known, describe, ALL_SPANS_HINT)}`);
  await emitPieces(io, flags, () => [found.printed], () => found.printed);
}

/**
 * The overview, read as `convert` streams: each trajectory is printed into its part of the overview
 * as it closes and let go; the parts wait for the end of input (for the short span ids) as text, past
 * 64 MiB in a temporary file, so a log of gigabytes is explained in the memory of its open trajectories.
 * With --jobs, as in convert: workers convert groups and print their parts (with this printer's styles
 * and markers), which are taken in the order their scopes closed.
 */
async function explainOverview(inputs: string[], flags: ExplainFlags, fixes: FixSet, io: CliIO, styles: Styles, colorLevel: number): Promise<ExitCode> {
  const jobs = jobsOf(flags, io);
  const convert = explainConversion(flags, fixes);
  const read = await showOverview(flags, fixes, io, styles, (printer) => {
    // One description of a part, run here and on the workers alike.
    const task: OverviewTask = { kind: 'overview', json: printer.format.json, colorLevel, profile: printer.profileLabel, markerPrefix: printer.marks.prefix, only: printer.only };
    const sink = reportSink(jobs, io, convert, afterConversion(convert, overviewTaskRunner(task)), task);
    const write = async (item: OutputItem) => printer.addPart(overviewPartOf(await item.summary()));
    return runGroupedReport(inputs, io, readSettings(flags, fixes), sink, write);
  });
  return finishStreamed(read, flags, io);
}

/**
 * Where a reporting command's grouped run sends its completed groups: with more than one job, to
 * `--jobs` workers running `task` (which the worker entry reads) and to this thread running `here`,
 * the same function; else each is made here. (`format` and `validate` are convert's: a task prints
 * its part instead.)
 */
export function reportSink(jobs: number, io: CliIO, convert: ConvertOptions, here: GroupTask<ExportedTrajectory>, task: WorkerTask) {
  return jobs > 1
    ? { parallel: new ParallelSink({ convert, format: 'ndjson', validate: false, jobs, ...parallelSettings(io), here, task }), jobs }
    : new CompletingSink((events, sessionId) => localOutput(here(events, sessionId)), keepsLineText(convert));
}

/**
 * The overview of the conversions `visit` hands the printer, printed once it has handed them all; returns what `visit` did.
 * It names the profile with the fixes switched on or off (the decisions it shows are theirs).
 */
async function showOverview<T>(flags: ExplainFlags, fixes: FixSet, io: CliIO, styles: Styles, visit: (printer: OverviewPrinter) => T | Promise<T>): Promise<T> {
  const parts = new HeldTexts();
  try {
    const format: OverviewFormat = flags.json ? { json: true } : { json: false, styles };
    const printer = new OverviewPrinter(format, profileInEffect(flags.profile, fixes), (part) => parts.addChunks(part), flags.trajectory);
    const visited = await visit(printer);
    const chosen = printer.chosen();
    if (chosen !== undefined && chosen.kind !== 'one') throw trajectoryNotNamed(flags.trajectory!, chosen, printer.trajectoryIds);
    const pieces = printer.finish(parts.chunks())!;
    await emitPieces(io, flags, () => pieces, () => pieces);
    return visited;
  } finally {
    parts.close();
  }
}

/** What `--request` read: the replay's attributions, what the conversion did with each LLM span, and the run summary to print. */
interface RequestInput {
  replay: Loaded['replay'];
  conversions: ReadonlyMap<string, SpanConversion>;
  finish: () => ExitCode;
}

/**
 * The input of `--request`, converted as `convert` converts it (with the dedupe pass): the
 * attribution is the replay's record, and what became of the call's LLM span (suppressed by which
 * span and rule, the steps it wrote or why none) is the conversion's, carried back from each group as
 * data (see SpanConversion), made here or on `--jobs` workers. Events are filed per top-level scope as
 * `convert` files them (with --session-id all go to one trajectory, so none is late), to count them
 * as convert does and to note on the attributions which LLM events came after their top-level scope
 * was written, and so are not in the output.
 */
async function readForRequest(inputs: string[], flags: ExplainFlags, fixes: FixSet, io: CliIO): Promise<RequestInput> {
  const convert = explainConversion(flags, fixes);
  const conversions = new Map<string, SpanConversion>();
  if (flags.sessionId !== undefined) {
    const { events, accounting, replay } = await loadEventsAsConverted(inputs, io, readSettings(flags, fixes));
    const { trajectories, late, duplicates } = convertEvents(events, { ...convert, sessionId: flags.sessionId });
    const lateReconstructed = accountLateEvents(accounting, late);
    accountDuplicateEvents(accounting, duplicates);
    const called = (uuid: string) => replay?.attributions.forLlmSpan(uuid) !== undefined;
    for (const c of trajectories) for (const [uuid, conversion] of spanConversions(c, called)) conversions.set(uuid, conversion);
    const read = events.length - duplicates.length - late.length;
    return { replay, conversions, finish: () => finishReport(accounting, read, flags, io, replay ? describeReplay(replay.stats, lateReconstructed) : []) };
  }
  const late: Array<{ uuid: string; scopeCategory: 'start' | 'end' }> = [];
  // Every LLM span's conversion is kept until the end: the replay's attributions (which spans are
  // gateway calls) are known once the input has ended. A few fields per span.
  const spans = new Map<string, SpanConversion>();
  const sink = reportSink(jobsOf(flags, io), io, convert, afterConversion(convert, requestTaskRunner()), { kind: 'request' });
  const read = await runGroupedReport(
    inputs,
    io,
    readSettings(flags, fixes),
    sink,
    async (item) => {
      for (const [uuid, conversion] of requestPartOf(await item.summary())) spans.set(uuid, conversion);
    },
    (events, copy) => {
      // A copy of an event already written (the same session given as ATOF and as raw records) is not late: the first is in the output.
      if (copy) return;
      for (const e of events) if (e.kind === 'scope' && e.category === 'llm' && e.scopeCategory) late.push({ uuid: e.uuid, scopeCategory: e.scopeCategory });
    },
  );
  for (const l of late) read.replay?.attributions.noteLate(l.uuid, l.scopeCategory);
  for (const uuid of read.replay?.attributions.llmSpans() ?? []) {
    const conversion = spans.get(uuid);
    if (conversion) conversions.set(uuid, conversion);
  }
  return { replay: read.replay, conversions, finish: () => finishStreamed(read, flags, io) };
}

/** The recorded session attribution of one gateway call (or of each call sharing a capture id). */
async function explainRequest(query: string, replay: Loaded['replay'], conversions: ReadonlyMap<string, SpanConversion>, flags: ExplainFlags, io: CliIO): Promise<void> {
  // An LLM span that only a hook saw is no gateway call: it has no attribution, only its dedupe (--span).
  const hookOnly = "an LLM span seen only by a hook has no gateway call to attribute; 'explain --span' tells what the dedupe pass did with it";
  if (!replay || replay.attributions.all.length === 0) throw usageError(`--request needs gateway captures in the input (it holds none); ${hookOnly}`);
  if (query.trim() === '') throw usageError('--request needs a capture id or LLM span uuid (or a prefix of one)');
  const found = lookupRequest(replay.attributions, query);
  if (found.kind === 'ambiguous') throw usageError(`request '${query}' is ambiguous; it matches these captures and LLM spans:\n${candidateLines(found.candidates)}`);
  if (found.kind === 'unknown') throw usageError(`no gateway capture or LLM span of one matches '${query}' (${hookOnly}); the capture ids are:\n${candidateLines(found.captureIds)}`);
  const styles = stylesFor(chalkFor({ env: io.env, stdoutIsTTY: io.stdoutIsTTY, color: flags.color }));
  const conversionOf = (a: GatewayAttribution) => (a.llmSpan === undefined ? undefined : conversions.get(a.llmSpan));
  await emit(io, flags, { query, requests: attributionsJson(found.attributions, conversionOf) }, () => found.attributions.map((a) => renderRequest(a, conversionOf(a), styles)).join('\n'));
}

/**
 * `--step`, read as `convert` streams: each trajectory is converted as it closes and let go; only the
 * step asked for is kept, printed, from the trajectory asked for (with `--trajectory`; else the first,
 * which must be the only one). With --jobs, as in convert: workers convert trajectories and make their
 * shares of the lookup, taken in the order they closed.
 */
async function explainStepStreamed(inputs: string[], stepId: number, flags: ExplainFlags, fixes: FixSet, io: CliIO, styles: Styles): Promise<ExitCode> {
  const convert = explainConversion(flags, fixes);
  const task: StepTask = { kind: 'step', stepId, only: flags.trajectory };
  const all: string[] = [];
  // Every conversion's report of the trajectory it holds that --trajectory may name (a prefix may begin
  // ids of several): which one it names is known once every id is.
  const reported: StepPart[] = [];
  const sink = reportSink(jobsOf(flags, io), io, convert, stepTaskRunner(task, convert), task);
  const read = await runGroupedReport(inputs, io, readSettings(flags, fixes), sink, async (item) => {
    const part = stepPartOf(await item.summary());
    for (const id of part.trajectoryIds) all.push(id);
    if (part.report) reported.push(part);
  });
  const id = chooseTrajectory(all, flags);
  await showStep(id, stepId, reported.find((part) => part.report?.trajectoryId === id), all, flags, io, styles, read.replay?.attributions);
  return finishStreamed(read, flags, io);
}

/**
 * The trajectory `--step` is asked of: the one `--trajectory` names (its id, or a prefix of only one
 * id), or the only one there is.
 */
function chooseTrajectory(all: readonly string[], flags: ExplainFlags): string {
  if (flags.trajectory !== undefined) return namedTrajectory(flags.trajectory, all);
  if (all.length === 1) return all[0];
  // Not "needs --trajectory" over an empty list: no --trajectory could help.
  if (all.length === 0) throw usageError('--step: the input holds no trajectory, so no step to explain');
  throw usageError(`--step needs --trajectory; the trajectories are:\n${all.map((t) => `  ${t}`).join('\n')}`);
}

/** The trajectory `query` names among `all`: an id, or a prefix of only one (any case, hyphens optional), as --span takes. */
function namedTrajectory(query: string, all: readonly string[]): string {
  const m = matchTrajectory(query, all);
  if (m.kind === 'one') return m.uuid;
  throw trajectoryNotNamed(query, m, all);
}

/** The usage error of a --trajectory that names no trajectory, or begins the ids of several. */
function trajectoryNotNamed(query: string, m: IdMatch, all: readonly string[]) {
  if (m.kind === 'ambiguous') return usageError(`trajectory '${query}' is ambiguous; it begins these trajectory ids:\n${candidateLines(m.uuids)}`);
  return unknownTrajectory(query, all);
}

/**
 * Step `stepId` of trajectory `trajectoryId`, from `group`'s report and the replay's record of the
 * gateway call behind it, printed; or the usage error that says why there is none.
 */
async function showStep(
  trajectoryId: string,
  stepId: number,
  group: StepPart | undefined,
  all: readonly string[],
  flags: ExplainFlags,
  io: CliIO,
  styles: Styles,
  attributions: AttributionLog | undefined,
): Promise<void> {
  if (!group) throw unknownTrajectory(trajectoryId, all);
  const report = group.report?.trajectoryId === trajectoryId ? group.report.step : undefined;
  if (report === undefined) throw usageError(`trajectory ${trajectoryId} has no step ${stepId} in the output`);
  const printed = printStep(withGatewayCall(report, attributions), flags.json === true, styles);
  await emitPieces(io, flags, () => [printed], () => printed);
}

function unknownTrajectory(id: string, known: readonly string[]) {
  return usageError(`no trajectory '${id}'; the trajectories are:\n${known.map((t) => `  ${t}`).join('\n') || '  (none)'}`);
}

function parseStepId(text: string): number {
  const n = wholeNumber(text);
  if (n === undefined || n < 1) throw usageError(`--step must be a step number (1, 2, …), got '${text}'`);
  return n;
}

/**
 * One JSON document (never coloured) or the human rendering, written piece by piece: the report on a
 * large log is longer than the longest string V8 can hold.
 */
export async function emit(io: CliIO, flags: ReportFlags, json: Json, human: () => string | Iterable<string>): Promise<void> {
  await emitPieces(io, flags, () => jsonPieces(json, 2), human);
}

/**
 * {@link emit} of a report whose JSON is printed in pieces as it is read back (see HeldTexts). Waits
 * whenever stdout is full: a report as large as its input is not queued in memory behind a slow pipe.
 */
export async function emitPieces(io: CliIO, flags: ReportFlags, json: () => Iterable<string>, human: () => string | Iterable<string>): Promise<void> {
  if (flags.json) {
    for (const chunk of utf8Chunks(json())) await writeOut(io, chunk);
    await writeOut(io, '\n');
    return;
  }
  const text = human();
  if (typeof text === 'string') await writeOut(io, text);
  else for (const piece of text) await writeOut(io, piece);
}

/** The stderr summary of what was read (like convert's), and --strict's verdict on skipped lines. */
export function finishReport(accounting: LineAccounting, events: number, flags: ReportFlags, io: CliIO, notes: readonly string[] = []): ExitCode {
  const problems = accounting.problems();
  if (!flags.quiet) {
    io.stderr.write(`relay-atif: ${accounting.total()} lines, ${events} events; ${skipCounts(accounting)}\n`);
    for (const note of [...notes, ...passedOverNotes(accounting)]) io.stderr.write(`  ${printable(note)}\n`);
    writeProblems(problems, { verbose: flags.verbose, hasReport: false }, io);
  }
  return flags.strict && problems.length > 0 ? EXIT.PROBLEMS : EXIT.OK;
}
