import { isUtf8 } from 'node:buffer';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chalkFor, stylesFor } from '../../explain/palette.js';
import { dedupeDiffReport } from '../../diff/dedupe-diff.js';
import { renderDedupeDiff, renderTrajectoryDiff } from '../../diff/render.js';
import { NO_TRAJECTORIES } from '../../explain/render-overview.js';
import { diffTrajectories } from '../../diff/trajectory-diff.js';
import { errorLineColumn } from '../../json/error-position.js';
import { parseJson } from '../../json/parse.js';
import { error } from '../../atif/validate/finding.js';
import { loadLargeJson, MAX_TEXT_BYTES, PIECE_BYTES } from '../../atif/validate/json-load-large.js';
import { prettyPiecesWithItems } from '../../json/stringify.js';
import { isObject, type Json, type JsonObject } from '../../json/value.js';
import type { ConvertOptions } from '../../pipeline/convert.js';
import { convertEvents } from '../../pipeline/stream.js';
import type { OutputItem } from '../../pipeline/output-queue.js';
import { describeReplay } from '../../pipeline/raw.js';
import { EXIT, usageError, type ExitCode } from '../exit-codes.js';
import { HeldTexts } from '../held-texts.js';
import type { CliIO } from '../io.js';
import { inputFailure, loadEventsAsConverted, readSettings } from '../load.js';
import { runGroupedReport } from '../grouped-run.js';
import { accountDuplicateEvents } from '../late-events.js';
import { dedupeDiffPartOf, dedupeDiffTaskRunner, type DedupeDiffTask } from '../dedupe-diff-task.js';
import { isBlank, readTrajectoryDocuments, recordedTrajectoryDocuments, type OpeningTest, type TrajectoryDocument } from '../trajectory-documents.js';
import { beginsLikeTrajectory } from '../trajectory-opening.js';
import { resolveInputs, type InputSource } from '../../ingest/inputs.js';
import { agentOptions, fixesOf, jobsOf, type ExportFlags } from './convert.js';
import { profileInEffect, profileLabel } from '../../profiles/fixes.js';
import { emit, emitPieces, finishReport, finishStreamed, reportSink, type ReportFlags } from './explain.js';

export type DiffFlags = ExportFlags & ReportFlags & {
  /** Threads for diffing event logs (as convert's --jobs). */
  jobs?: string;
};

/**
 * `diff A.json B.json` compares two ATIF files (exit 0 equal, 1 different, 2 bad input, 3 an input that
 * cannot be read, such as a corrupt gzip stream); any other arguments are event inputs, converted with
 * and without the dedupe pass and compared.
 */
export async function diffCommand(inputs: string[], flags: DiffFlags, io: CliIO): Promise<ExitCode> {
  // Checked first: contradictory fix options are a usage error whatever the inputs turn out to hold.
  const fixes = fixesOf(flags);
  const chalk = chalkFor({ env: io.env, stdoutIsTTY: io.stdoutIsTTY, color: flags.color });
  const styles = stylesFor(chalk);
  // The mode follows what the inputs hold, not their names: convert's NDJSON output or a .json.gz
  // are trajectories too, and so is what `<(relay-atif convert …)` pipes in. One input alone is looked
  // into too (a trajectory alone is a usage error, whatever its form), but only read as trajectories when
  // it opens like one: a lone event log, such as a HAR document of hundreds of megabytes, is read once.
  const alone = inputs.length === 1;
  // Two trajectories cannot both come from one pipe: said before it is read, not as a trajectory beside '-'.
  if (inputs.filter((p) => p === '-').length > 1) throw usageError("standard input ('-') can be read only once: give at most one '-'");
  const looked = await Promise.all(
    inputs.map((p): Promise<Looked> | Looked => (inputs.length <= 2 || isJsonName(p) ? lookInto(p, io, alone && !isJsonName(p) ? beginsLikeTrajectory : undefined) : {})),
  );
  const held = looked.map((l) => ('trajectories' in l ? l.trajectories : undefined));
  // A pipe that holds events is read on from where it was looked into.
  const opened = new Map<string, InputSource>();
  looked.forEach((l, i) => 'events' in l && l.events && opened.set(inputs[i], l.events));
  const trajectoryInputs = inputs.filter((_, i) => held[i] !== undefined);
  if (trajectoryInputs.length > 0 && (trajectoryInputs.length < inputs.length || inputs.length !== 2)) {
    const other = inputs.find((_, i) => held[i] === undefined);
    // Beside a trajectory, an input in which nothing is JSON is a damaged trajectory (one truncated in
    // a copy) more likely than an event log: what is wrong with it is said first.
    const notJson = looked.find((l): l is { notJson: string } => 'notJson' in l && l.notJson !== undefined);
    if (inputs.length === 2 && notJson) throw usageError(notJson.notJson);
    // An input that does not exist is that, not an event log beside a trajectory.
    if (other !== undefined && !opened.has(other)) await resolveInputs([other], { stdinIsTTY: io.stdinIsTTY, cwd: io.cwd, stdin: io.stdin }).catch(inputFailure);
    throw usageError(
      `diff compares two trajectories (diff A.json B.json) or the dedupe pass on event logs; got ${other === undefined ? `${trajectoryInputs.length} trajectory file${trajectoryInputs.length === 1 ? '' : 's'}` : `the trajectory ${trajectoryInputs[0]} with ${other}`}`,
    );
  }
  if (trajectoryInputs.length === 2) {
    const [a, b] = held.map((list, i) => single(list!, inputs[i]));
    const differences = diffTrajectories(a, b);
    const json = { a: inputs[0], b: inputs[1], equal: differences.length === 0, differences } as unknown as Json;
    await emit(io, flags, json, () => renderTrajectoryDiff(differences, { a: inputs[0], b: inputs[1] }, styles));
    return differences.length === 0 ? EXIT.OK : EXIT.PROBLEMS;
  }
  const bad = inputs.find(isJsonName);
  if (bad !== undefined) throw usageError(`${bad} is not an ATIF trajectory (a JSON object with schema_version)`);
  const common = { sessionId: flags.sessionId, ...agentOptions(flags), fixes, observedEvents: false };
  if (flags.sessionId === undefined) return diffStreamed(inputs, flags, { common, opened }, io, chalk.level);
  // One trajectory of every event (the exporter API), which needs them all.
  const { events, accounting, replay } = await loadEventsAsConverted(inputs, io, readSettings(flags, fixes, opened));
  const [withPass, without] = [convertEvents(events, { ...common, dedupe: true }), convertEvents(events, { ...common, dedupe: false })];
  // Repeated events (fix skip-duplicate-events) are skips, as in convert (both conversions skip the same ones).
  accountDuplicateEvents(accounting, withPass.duplicates);
  const report = dedupeDiffReport(withPass.trajectories, without.trajectories, profileInEffect(flags.profile, fixes));
  await emit(io, flags, report as unknown as Json, () => renderDedupeDiff(report, styles));
  const code = finishReport(accounting, events.length - withPass.duplicates.length, flags, io, replay ? describeReplay(replay.stats) : []);
  return report.changed ? EXIT.PROBLEMS : code;
}

/**
 * `diff` of event logs, group by group as convert streams them: each group is converted with and
 * without the pass, compared, printed into the report and let go, so a log of gigabytes is compared
 * in the memory of its open groups. The printed parts wait for the end of input as text (HeldTexts):
 * the JSON report opens with whether any trajectory changed. With --jobs, as in convert: workers take
 * groups and print their parts (in this thread's styles), which are taken in the order their scopes closed.
 */
async function diffStreamed(
  inputs: string[],
  flags: DiffFlags,
  convert: { common: Omit<ConvertOptions, 'dedupe'>; opened: ReadonlyMap<string, InputSource> },
  io: CliIO,
  colorLevel: number,
): Promise<ExitCode> {
  const parts = new HeldTexts();
  try {
    let changed = false;
    const jobs = jobsOf(flags, io);
    // Named with the fixes switched on or off: the decisions compared are theirs.
    const profile = profileInEffect(flags.profile, convert.common.fixes);
    const task: DedupeDiffTask = { kind: 'dedupe-diff', json: flags.json === true, colorLevel, profile: profileLabel(profile) };
    // (The task converts both ways: `dedupe` here is only the options' shape.)
    const sink = reportSink(jobs, io, { ...convert.common, dedupe: true }, dedupeDiffTaskRunner(task, convert.common), task);
    const write = async (item: OutputItem) => {
      const part = dedupeDiffPartOf(await item.summary());
      changed ||= part.changed;
      parts.add(part.text);
    };
    const read = await runGroupedReport(inputs, io, readSettings(flags, convert.common.fixes, convert.opened), sink, write);
    const count = parts.count;
    await emitPieces(
      io,
      flags,
      () => prettyPiecesWithItems({ ...(profile as unknown as JsonObject), changed }, 'trajectories', parts.texts(), parseJson),
      () => (count === 0 ? NO_TRAJECTORIES : parts.texts()),
    );
    const code = finishStreamed(read, flags, io);
    return changed ? EXIT.PROBLEMS : code;
  } finally {
    parts.close();
  }
}

const isJsonName = (p: string) => /\.json(\.gz)?$/i.test(p);

/**
 * What an input was found to hold: trajectories, or else events (a pipe's, to read on). `notJson` says
 * why when nothing in it is JSON: beside a trajectory, that is a damaged one rather than an event log.
 */
type Looked = { trajectories: JsonObject[] } | { events?: InputSource; notJson?: string };

/**
 * What an input holds: its ATIF trajectories (a pretty JSON document, or NDJSON as convert writes
 * it), or else events. A regular file holding events is read again by name; stdin or a pipe, which
 * cannot be opened twice, comes back as a source that reads it from its start. A file named .json
 * must hold trajectories. With `opening`, an input whose opening fails it is events, read no further.
 */
async function lookInto(path: string, io: CliIO, opening?: OpeningTest): Promise<Looked> {
  const st = path === '-' ? undefined : await stat(resolve(io.cwd, path)).catch(() => undefined);
  if (st?.isFile()) {
    return trajectoriesOf(path, readTrajectoryDocuments(path, io, opening)[Symbol.asyncIterator]());
  }
  if (path !== '-' && (!st || st.isDirectory())) {
    if (isJsonName(path)) throw usageError(`cannot read ${path}: ${st ? 'not a regular file' : 'no such file'}`);
    return {}; // not found, or a directory of event logs: the event reader says which
  }
  const recorded = await recordedTrajectoryDocuments(path, io, opening);
  const found = await trajectoriesOf(path, recorded.documents);
  return 'trajectories' in found ? found : { ...found, events: recorded.rewound() };
}

/** The trajectories of an input's documents, or none when its first document is no trajectory (events). */
async function trajectoriesOf(path: string, docs: AsyncIterator<TrajectoryDocument>): Promise<Looked> {
  const out: JsonObject[] = [];
  for (let next = await docs.next(); !next.done; next = await docs.next()) {
    const doc = next.value;
    const where = doc.line === undefined ? path : `${path}:${doc.line}`;
    // After a trajectory, or in a file named .json, every document must be a trajectory.
    const mustBeTrajectory = out.length > 0 || isJsonName(path);
    // Decoding would replace invalid bytes, and two files that differ only there would compare equal.
    const utf8 = doc.scanned !== undefined || isUtf8(doc.bytes);
    const notUtf8 = () => usageError(`${where} is not UTF-8 (a trajectory's invalid bytes are never replaced)`);
    if (!utf8 && mustBeTrajectory) throw notUtf8();
    let value: Json;
    try {
      value = parseDocument(doc);
    } catch (err) {
      const notJson = `${where} is not a JSON document: ${(err as Error).message}`;
      // A damaged document that opens like a trajectory is one (a truncated file), whatever its name:
      // convert writes sorted keys, so its line opens with {"agent":{, which no input record does.
      if (mustBeTrajectory || beginsLikeTrajectory(doc.bytes)) throw utf8 ? usageError(notJson) : notUtf8();
      // Else a first document that is not JSON is event input (a HAR file, a log whose first line is
      // broken, which then is a skip), and so is an input in which nothing is JSON, unless it is beside
      // a trajectory (see diffCommand).
      return doc.line === undefined && !isBlank(doc.bytes) ? { notJson } : {};
    }
    if (!isObject(value) || typeof value.schema_version !== 'string') {
      // (An event log whose first line is not UTF-8 too: the event reader skips that line as invalid-utf8.)
      if (!mustBeTrajectory) return {};
      throw usageError(`${where} is not an ATIF trajectory (a JSON object with schema_version)`);
    }
    // A trajectory read with its invalid bytes replaced (to tell it from events) is refused all the same.
    if (!utf8) throw notUtf8();
    out.push(value);
  }
  return out.length > 0 || isJsonName(path) ? { trajectories: out } : {};
}

/**
 * A document's JSON; one too large to be a single string (a pretty trajectory file past 512 MiB) is
 * read value by value, as `validate` reads it.
 */
function parseDocument({ bytes, scanned }: TrajectoryDocument): Json {
  // The text its reading decoded already, when it did (a one-line file: decoded once, not twice).
  if (scanned) return parseText(scanned.text);
  if (bytes.byteLength <= MAX_TEXT_BYTES) return parseText(Buffer.from(bytes).toString('utf8'));
  const loaded = loadLargeJson(bytes, PIECE_BYTES, (text) => {
    try {
      return { ok: true, document: parseJson(text), findings: [] };
    } catch (err) {
      return { ok: false, findings: [error([], 'invalid-json', (err as Error).message)] };
    }
  });
  if (!loaded.ok) throw new Error(loaded.findings[0].message);
  return loaded.document as Json;
}

/**
 * A document's JSON, its failure said as `validate` says it: a byte-order mark by name (V8 quoted it as an
 * invisible "Unexpected token"), and a character position also as the line and column a person can find
 * in a pretty file (V8 names only "position 3000").
 */
function parseText(text: string): Json {
  if (text.startsWith('\ufeff')) throw new Error('it starts with a UTF-8 byte-order mark');
  try {
    return parseJson(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = errorLineColumn(message, text);
    throw new Error(at ? `${message} (line ${at.line}, column ${at.column})` : message);
  }
}

/** The one trajectory of a diffed file. */
function single(list: JsonObject[], path: string): JsonObject {
  if (list.length === 1) return list[0];
  throw usageError(`${path} holds ${list.length} trajectories; diff compares one trajectory with another (split an NDJSON file into one per line)`);
}
