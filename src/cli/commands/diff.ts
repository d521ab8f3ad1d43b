import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chalkFor, stylesFor } from '../../explain/palette.js';
import { dedupeDiffReport } from '../../diff/dedupe-diff.js';
import { renderDedupeDiff, renderTrajectoryDiff } from '../../diff/render.js';
import { diffTrajectories } from '../../diff/trajectory-diff.js';
import { parseJson } from '../../json/parse.js';
import { isObject, type Json, type JsonObject } from '../../json/value.js';
import { convertEvents } from '../../pipeline/stream.js';
import { accountLateEvents } from '../late-events.js';
import { EXIT, usageError, type ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { loadEvents } from '../load.js';
import { agentInfo, fixesOf, type ExportFlags } from './convert.js';
import { emit, finishReport, type ReportFlags } from './explain.js';

export type DiffFlags = ExportFlags & ReportFlags;

/**
 * `diff A.json B.json` compares two ATIF files (exit 0 equal, 1 different, 2 bad input); any other
 * arguments are event inputs, converted with and without the dedupe pass and compared.
 */
export async function diffCommand(inputs: string[], flags: DiffFlags, io: CliIO): Promise<ExitCode> {
  const styles = stylesFor(chalkFor({ env: io.env, stdoutIsTTY: io.stdoutIsTTY, color: flags.color }));
  const isTrajectoryFile = (p: string) => p.toLowerCase().endsWith('.json');
  // A .json trajectory beside event logs (or more than two trajectories) is neither mode: say so rather
  // than read the .json as events.
  const json = inputs.filter(isTrajectoryFile);
  if (json.length > 0 && (json.length < inputs.length || inputs.length !== 2)) {
    const other = inputs.find((p) => !isTrajectoryFile(p));
    throw usageError(
      `diff compares two .json trajectories (diff A.json B.json) or the dedupe pass on event logs; got ${other === undefined ? `${json.length} .json file${json.length === 1 ? '' : 's'}` : `the trajectory ${json[0]} with ${other}`}`,
    );
  }
  if (inputs.length === 2 && inputs.every(isTrajectoryFile)) {
    const [a, b] = await Promise.all(inputs.map((p) => readTrajectory(p, io)));
    const differences = diffTrajectories(a, b);
    const json = { a: inputs[0], b: inputs[1], equal: differences.length === 0, differences } as unknown as Json;
    emit(io, flags, json, () => renderTrajectoryDiff(differences, { a: inputs[0], b: inputs[1] }, styles));
    return differences.length === 0 ? EXIT.OK : EXIT.PROBLEMS;
  }
  const fixes = fixesOf(flags);
  const { events, accounting } = await loadEvents(inputs, io, {}, fixes);
  const common = { sessionId: flags.sessionId, agent: agentInfo(flags), fixes, observedEvents: false };
  const [withPass, without] = [convertEvents(events, { ...common, dedupe: true }), convertEvents(events, { ...common, dedupe: false })];
  // The grouping does not depend on the pass: the late events are the same in both.
  accountLateEvents(accounting, withPass.late);
  const report = dedupeDiffReport(withPass.trajectories, without.trajectories, flags.profile);
  emit(io, flags, report as unknown as Json, () => renderDedupeDiff(report, styles));
  const code = finishReport(accounting, events.length - withPass.late.length, flags, io);
  return report.changed ? EXIT.PROBLEMS : code;
}

/** One ATIF trajectory file; anything else (unreadable, not JSON, no schema_version) is bad input: exit 2. */
async function readTrajectory(path: string, io: CliIO): Promise<JsonObject> {
  const text = await readFile(resolve(io.cwd, path), 'utf8').catch((err: Error) => {
    throw usageError(`cannot read ${path}: ${err.message}`);
  });
  let value: Json;
  try {
    value = parseJson(text);
  } catch (err) {
    throw usageError(`${path} is not a JSON document: ${(err as Error).message}`);
  }
  if (!isObject(value) || typeof value.schema_version !== 'string') {
    throw usageError(`${path} is not an ATIF trajectory (a JSON object with schema_version)`);
  }
  return value;
}
