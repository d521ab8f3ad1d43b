import type { SpanOutcome } from '../dedupe/pass.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { compactId, matchSpanId, shortIds } from './ids.js';
import { spanReport, type SpanReport } from './span-report.js';
import { producedTrajectory, trajectoryIds, trajectoryOverview, type Overview, type TrajectoryOverview } from './table-report.js';
import { toolReport, type ToolReport } from './tool-report.js';

/**
 * What `--span` can name: every LLM span (candidate or not) and every tool span with a tool end, each
 * with its name and trajectory; `at` / `converted` where the query may resolve to it (see SpanFinder).
 */
export interface SpanIndex {
  llm: Map<string, { sessionId: string; name: string; at?: { converted: ConvertedTrajectory; outcome: SpanOutcome } }>;
  tool: Map<string, { sessionId: string; name: string; converted?: ConvertedTrajectory }>;
  short: Map<string, string>;
}

/**
 * The spans a `--span` query is looked up among, indexed one conversion at a time as `convert`
 * streams them: each conversion is let go once indexed, unless it holds a span the query may resolve
 * to (see `keeps`), so memory holds a line per span, not the input's events. A uuid met again (in a
 * later trajectory) is described by the later one, as an index of every conversion would.
 */
export class SpanFinder {
  private readonly index: SpanIndex = { llm: new Map(), tool: new Map(), short: new Map() };
  private readonly query: string;
  /** Distinct uuids the query is a prefix of but not equal to: past one, only an exact match can answer. */
  private readonly prefixHits = new Set<string>();

  constructor(query: string) {
    this.query = compactId(query);
  }

  add(c: ConvertedTrajectory): void {
    for (const outcome of c.result.dedupe.spans) {
      const uuid = outcome.span.uuid;
      this.index.llm.set(uuid, { sessionId: c.sessionId, name: outcome.span.name, at: this.keeps(uuid) ? { converted: c, outcome } : undefined });
    }
    for (const conv of c.result.conversions) {
      for (const link of conv.toolLinks) this.index.tool.set(link.toolUuid, { sessionId: c.sessionId, name: link.name, converted: this.keeps(link.toolUuid) ? c : undefined });
    }
  }

  finish(): SpanIndex {
    this.index.short = shortIds([...this.index.llm.keys(), ...this.index.tool.keys()]);
    return this.index;
  }

  /**
   * Whether the conversion holding `uuid` must be kept: the query names it exactly, or it is the first
   * uuid the query is a prefix of (a second one makes the query ambiguous, unless one matches exactly).
   * So at most two conversions are kept, however many spans the input has.
   */
  private keeps(uuid: string): boolean {
    const id = compactId(uuid);
    if (this.query === '' || !id.startsWith(this.query)) return false;
    if (id === this.query) return true;
    this.prefixHits.add(uuid);
    return this.prefixHits.size === 1;
  }
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
    const wanted = this.only === undefined || (this.rows.length === 0 && producedTrajectory(c, this.only, ids));
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
  if (llm) return { kind: 'llm', report: spanReport(kept(llm.at, m.uuid).converted, kept(llm.at, m.uuid).outcome, index.short) };
  return { kind: 'tool', report: toolReport(kept(index.tool.get(m.uuid)!.converted, m.uuid), m.uuid, index.short)! };
}

/** The conversion kept for the span a query resolved to (SpanFinder keeps exactly those). */
function kept<T>(value: T | undefined, uuid: string): T {
  if (value === undefined) throw new Error(`internal: the conversion holding span ${uuid} was not kept`);
  return value;
}

/** How a uuid in a candidate list is described in an error message. */
export function describeUuid(index: SpanIndex, uuid: string): string {
  const llm = index.llm.get(uuid);
  if (llm) return `${uuid}  llm ${llm.name} (${llm.sessionId})`;
  const tool = index.tool.get(uuid);
  return tool ? `${uuid}  tool ${tool.name} (${tool.sessionId})` : uuid;
}
