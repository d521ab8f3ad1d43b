import { writeFile } from 'node:fs/promises';
import type { Problem } from '../../ingest/accounting.js';
import { isFixName, resolveFixes, type FixName, type ProfileName } from '../../atif/fixes.js';
import type { AgentInfo } from '../../atif/types.js';
import { convertEvents, type ConvertedTrajectory } from '../../pipeline/convert.js';
import { StreamingConverter } from '../../pipeline/stream.js';
import { LineAccounting } from '../../ingest/accounting.js';
import { validateTrajectory } from '../../atif/validate/index.js';
import type { AtofEvent } from '../../ingest/atof.js';
import { CliError, EXIT, usageError, type ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { recordOptions, streamEvents, type Loaded } from '../load.js';
import { describeReplay, isReconstructed } from '../../pipeline/raw.js';
import { resolveOutput, TrajectoryWriter } from '../output.js';
import { VERSION } from '../version.js';

export interface ExportFlags {
  sessionId?: string;
  agentName: string;
  agentVersion?: string;
  modelName: string;
  profile: ProfileName;
  fix?: string[];
  noFix?: string[];
  /** The agent of bare hook payloads (`--agent`). */
  agent?: string;
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
  verbose?: boolean;
}

export function agentInfo(flags: ExportFlags): AgentInfo {
  const agent: AgentInfo = { name: flags.agentName, version: flags.agentVersion ?? VERSION };
  if (flags.modelName !== '') agent.model_name = flags.modelName;
  return agent;
}

export function fixesOf(flags: Pick<ExportFlags, 'profile' | 'fix' | 'noFix'>) {
  const names = (list: string[] = []): FixName[] =>
    list.map((n) => {
      if (!isFixName(n)) throw usageError(`unknown fix '${n}' (see 'relay-atif profiles')`);
      return n;
    });
  return resolveFixes(flags.profile, names(flags.fix), names(flags.noFix));
}

export async function convertCommand(inputs: string[], flags: ConvertFlags, io: CliIO): Promise<ExitCode> {
  const target = await resolveOutput(flags.output, io.cwd);
  const writer = new TrajectoryWriter(target, flags.filenameTemplate, io);
  // --strict stops at the first problem line and names it; lenient runs count problems and go on.
  const accounting = new LineAccounting({
    onProblem: flags.strict
      ? (p) => {
          throw new CliError(EXIT.PROBLEMS, `--strict: ${p.file}:${p.line}: ${p.bucket} (${p.reason})${p.path ? ` at ${p.path}` : ''}${p.message ? `: ${p.message}` : ''}`);
        }
      : undefined,
  });
  const options = { sessionId: flags.sessionId, agent: agentInfo(flags), fixes: fixesOf(flags), observedEvents: flags.observedEvents, dedupe: flags.dedupe };
  // Only counts are kept per trajectory: trajectories and decision data are freed once written.
  const converted: Array<{ sessionId: string; written: boolean; events: number; steps: number; suppressed_llm_spans: number }> = [];
  let eventCount = 0;
  let invalid = 0;
  // Raw records are replayed at the end of input; the replay reports here what it did.
  const readOptions = recordOptions(flags);
  let replay: Loaded['replay'];
  const replayed = (outcome: NonNullable<Loaded['replay']>) => (replay = outcome);
  let lateReconstructed = 0;
  const emit = async (done: ConvertedTrajectory[]) => {
    for (const c of done) {
      if (flags.validate && c.trajectory) {
        const findings = validateTrajectory(c.trajectory).filter((f) => f.level === 'error');
        if (findings.length > 0) invalid++;
        for (const f of findings.slice(0, 20)) io.stderr.write(`relay-atif: invalid trajectory ${c.sessionId}: ${f.path}: ${f.message} [${f.rule}]\n`);
      }
      converted.push({ sessionId: c.sessionId, written: c.trajectory !== undefined, events: c.eventCount, steps: c.trajectory?.steps.length ?? 0, suppressed_llm_spans: c.suppressedSpans });
      if (c.trajectory) await writer.write(c.trajectory);
    }
  };
  if (flags.sessionId !== undefined) {
    // One trajectory of everything: nothing can be written before the input ends.
    const events: AtofEvent[] = [];
    for await (const e of streamEvents(inputs, io, accounting, readOptions, replayed, !flags.quiet && !flags.json, options.fixes)) events.push(e);
    eventCount = events.length;
    await emit(convertEvents(events, options));
  } else {
    const streamer = new StreamingConverter(options);
    for await (const e of streamEvents(inputs, io, accounting, readOptions, replayed, !flags.quiet && !flags.json, options.fixes)) {
      eventCount++;
      const { done, late } = streamer.push(e);
      // A reconstructed event has no input line to reclassify: it is counted apart.
      if (late && isReconstructed(e)) lateReconstructed++;
      else if (late) lateEvent(accounting, e);
      await emit(done);
    }
    const { done, late } = streamer.finish();
    for (const e of late) lateEvent(accounting, e);
    await emit(done);
  }
  const trajectories = converted.filter((c) => c.written);
  await writer.close(trajectories.length);
  const report = {
    lines: accounting.toJSON(),
    trajectories: converted.map(({ sessionId, ...counts }) => ({ session_id: sessionId, ...counts })),
    outputs: writer.written,
    ...(replay ? { replay: { ...replay.stats, late_reconstructed_events: lateReconstructed } } : {}),
  };
  if (flags.report) {
    await writeFile(flags.report, JSON.stringify(report, null, 2) + '\n').catch((err: Error) => {
      throw new CliError(EXIT.OUTPUT, `cannot write report ${flags.report}: ${err.message}`);
    });
  }
  const problems = accounting.problems();
  if (flags.json) io.stderr.write(JSON.stringify(report) + '\n');
  else if (!flags.quiet) {
    const where = target.kind === 'stdout' ? 'stdout' : target.kind === 'file' ? target.path : `${target.path}/`;
    const empty = converted.length - trajectories.length;
    io.stderr.write(
      `relay-atif: ${accounting.total()} lines, ${eventCount} events → ${trajectories.length} ${trajectories.length === 1 ? 'trajectory' : 'trajectories'} (${where})` +
        `${empty > 0 ? `, ${empty} empty not written` : ''}; ${accounting.skippedCount()} skipped, ${accounting.rejectedCount()} rejected\n`,
    );
    if (replay) for (const note of describeReplay(replay.stats, lateReconstructed)) io.stderr.write(`  ${note}\n`);
    const shown = flags.verbose ? problems : problems.slice(0, 5);
    for (const p of shown) io.stderr.write(`  ${describeProblem(p)}\n`);
    if (shown.length < problems.length) io.stderr.write(`  … ${problems.length - shown.length} more kinds (--verbose, --report FILE)\n`);
  }
  if (invalid > 0) return EXIT.PROBLEMS;
  if (flags.strict && problems.length > 0) return EXIT.PROBLEMS;
  return EXIT.OK;
}

function lateEvent(accounting: LineAccounting, e: AtofEvent): void {
  const where = e.origin ?? { file: '?', line: 0 };
  accounting.reclassifyAsSkipped('atof', 'late-event', where, `event ${e.uuid} arrived after its top-level agent scope ${'ended'}; the trajectory was already written`);
}

function describeProblem(p: Problem): string {
  const first = p.examples[0];
  const at = first ? ` (first at ${first.file}:${first.line}${first.path ? ` at ${first.path}` : ''}${first.message ? `: ${first.message}` : ''})` : '';
  return `${p.bucket} ${p.reason}: ${p.count} line(s)${at}`;
}
