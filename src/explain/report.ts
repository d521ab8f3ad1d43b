import type { SpanOutcome } from '../dedupe/pass.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { matchSpanId, shortIds } from './ids.js';
import { spanReport, type SpanReport } from './span-report.js';
import { trajectoryIds, trajectoryOverview, type Overview, type TrajectoryOverview } from './table-report.js';
import { toolReport, type ToolReport } from './tool-report.js';

/** What `--span` can name: every LLM span (candidate or not) and every tool span with a tool end. */
export interface SpanIndex {
  llm: Map<string, { converted: ConvertedTrajectory; outcome: SpanOutcome }>;
  tool: Map<string, { converted: ConvertedTrajectory; name: string }>;
  short: Map<string, string>;
}

export function indexSpans(converted: readonly ConvertedTrajectory[]): SpanIndex {
  const llm: SpanIndex['llm'] = new Map();
  const tool: SpanIndex['tool'] = new Map();
  for (const c of converted) {
    for (const outcome of c.result.dedupe.spans) llm.set(outcome.span.uuid, { converted: c, outcome });
    for (const conv of c.result.conversions) for (const link of conv.toolLinks) tool.set(link.toolUuid, { converted: c, name: link.name });
  }
  return { llm, tool, short: shortIds([...llm.keys(), ...tool.keys()]) };
}

/**
 * The overview built one trajectory at a time, as `convert` streams them: each conversion is reduced to
 * its rows and let go, so memory holds rows, not the input's events. With `only`, the rows of the
 * first trajectory that is (or holds a subagent trajectory) `only`. Short span ids are unique among
 * every span of the input, so they are filled in once the input has ended.
 */
export class OverviewCollector {
  private readonly rows: TrajectoryOverview[] = [];
  private readonly spans = new Set<string>();
  /** Every trajectory id met (root first per conversion), for an unknown `only`. */
  readonly trajectoryIds: string[] = [];

  constructor(private readonly only?: string) {}

  add(c: ConvertedTrajectory): void {
    const ids = trajectoryIds(c);
    for (const id of ids) this.trajectoryIds.push(id);
    for (const o of c.result.dedupe.spans) this.spans.add(o.span.uuid);
    for (const conv of c.result.conversions) for (const link of conv.toolLinks) this.spans.add(link.toolUuid);
    const wanted = this.only === undefined || (this.rows.length === 0 && (c.sessionId === this.only || ids.includes(this.only)));
    if (wanted) this.rows.push(trajectoryOverview(c, NO_SHORT_IDS));
  }

  /** The overview; undefined when `only` named no trajectory. */
  finish(profile: string): Overview | undefined {
    if (this.only !== undefined && this.rows.length === 0) return undefined;
    const short = shortIds(this.spans);
    for (const t of this.rows) for (const row of t.spans) row.short = short.get(row.span) ?? row.span;
    return { profile, trajectories: this.rows };
  }
}

const NO_SHORT_IDS: ReadonlyMap<string, string> = new Map();

export type SpanLookup =
  | { kind: 'llm'; report: SpanReport }
  | { kind: 'tool'; report: ToolReport }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'unknown'; known: string[] };

/** `--span ID`: a full uuid or a unique prefix of an LLM or tool span. */
export function lookupSpan(index: SpanIndex, query: string): SpanLookup {
  const known = [...index.llm.keys(), ...index.tool.keys()];
  const m = matchSpanId(query, known);
  if (m.kind === 'unknown') return { kind: 'unknown', known: known.sort() };
  if (m.kind === 'ambiguous') return { kind: 'ambiguous', candidates: m.uuids };
  const llm = index.llm.get(m.uuid);
  if (llm) return { kind: 'llm', report: spanReport(llm.converted, llm.outcome, index.short) };
  return { kind: 'tool', report: toolReport(index.tool.get(m.uuid)!.converted, m.uuid, index.short)! };
}

/** How a uuid in a candidate list is described in an error message. */
export function describeUuid(index: SpanIndex, uuid: string): string {
  const llm = index.llm.get(uuid);
  if (llm) return `${uuid}  llm ${llm.outcome.span.name} (${llm.converted.sessionId})`;
  const tool = index.tool.get(uuid);
  return tool ? `${uuid}  tool ${tool.name} (${tool.converted.sessionId})` : uuid;
}
