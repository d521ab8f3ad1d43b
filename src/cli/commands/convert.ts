import { writeFile } from 'node:fs/promises';
import type { Problem } from '../../ingest/accounting.js';
import { isFixName, resolveFixes, type FixName, type ProfileName } from '../../atif/fixes.js';
import type { AgentInfo } from '../../atif/types.js';
import { convertEvents } from '../../pipeline/convert.js';
import { CliError, EXIT, usageError, type ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { loadEvents } from '../load.js';
import { resolveOutput, writeTrajectories } from '../output.js';
import { VERSION } from '../version.js';

export interface ExportFlags {
  sessionId?: string;
  agentName: string;
  agentVersion?: string;
  modelName: string;
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

export function fixesOf(flags: ExportFlags) {
  const names = (list: string[] = []): FixName[] =>
    list.map((n) => {
      if (!isFixName(n)) throw usageError(`unknown fix '${n}' (see 'relay-atif profiles')`);
      return n;
    });
  return resolveFixes(flags.profile, names(flags.fix), names(flags.noFix));
}

export async function convertCommand(inputs: string[], flags: ConvertFlags, io: CliIO): Promise<ExitCode> {
  const target = await resolveOutput(flags.output, io.cwd);
  const { events, accounting } = await loadEvents(inputs, io);
  const converted = convertEvents(events, {
    sessionId: flags.sessionId,
    agent: agentInfo(flags),
    fixes: fixesOf(flags),
    observedEvents: flags.observedEvents,
    dedupe: flags.dedupe,
  });
  const trajectories = converted.flatMap((c) => (c.trajectory ? [c.trajectory] : []));
  const written = await writeTrajectories(target, trajectories, flags.filenameTemplate, io);
  const report = {
    lines: accounting.toJSON(),
    trajectories: converted.map((c) => ({
      session_id: c.sessionId,
      written: c.trajectory !== undefined,
      events: c.eventCount,
      steps: c.trajectory?.steps.length ?? 0,
      suppressed_llm_spans: c.result.dedupe.suppressed.size,
    })),
    outputs: written,
  };
  if (flags.report) {
    await writeFile(flags.report, JSON.stringify(report, null, 2) + '\n').catch((err: Error) => {
      throw new CliError(EXIT.OUTPUT, `cannot write report ${flags.report}: ${err.message}`);
    });
  }
  const problems = accounting.problems();
  if (!flags.quiet) {
    const skipped = accounting.skippedCount();
    const rejected = accounting.rejectedCount();
    const where = target.kind === 'stdout' ? 'stdout' : target.kind === 'file' ? target.path : `${target.path}/`;
    io.stderr.write(
      `relay-atif: ${accounting.total()} lines, ${events.length} events → ${trajectories.length} ${trajectories.length === 1 ? "trajectory" : "trajectories"} (${where}); ${skipped} skipped, ${rejected} rejected\n`,
    );
    const shown = flags.verbose ? problems : problems.slice(0, 5);
    for (const p of shown) io.stderr.write(`  ${describeProblem(p)}\n`);
    if (shown.length < problems.length) io.stderr.write(`  … ${problems.length - shown.length} more kinds (--verbose, --report FILE)\n`);
  }
  if (flags.strict && problems.length > 0) return EXIT.PROBLEMS;
  return EXIT.OK;
}

function describeProblem(p: Problem): string {
  const first = p.examples[0];
  const at = first ? ` (first at ${first.file}:${first.line}${first.path ? ` at ${first.path}` : ''}${first.message ? `: ${first.message}` : ''})` : '';
  return `${p.bucket} ${p.reason}: ${p.count} line(s)${at}`;
}
