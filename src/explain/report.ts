import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { compactId, matchSpanId, shortIds, type IdMatch } from './ids.js';
import { spanReport, type SpanReport } from './span-report.js';
import { trajectoryIds as idsOf, trajectoryOverview } from './table-report.js';
import { toolReport, type ToolReport } from './tool-report.js';
import { jsonPieces, prettyItemPieces, prettyPiecesWithPrintedItems } from '../json/stringify.js';
import type { Json, JsonObject } from '../json/value.js';
import { stylesOfLevel, type Styles } from './palette.js';
import { NO_TRAJECTORIES, renderTrajectory } from './render-overview.js';
import { renderSpan, renderTool } from './render-span.js';
import { renderStep } from './render-step.js';
import { stepReport, type StepReport } from './step-report.js';
import type { AtofEvent } from '../ingest/atof.js';
import { pushTo } from '../util/group-by.js';
import { joinInChunks } from '../util/text-chunks.js';
import { ShortIdMarkers } from './short-id-markers.js';
import { profileLabel, type ProfileInEffect } from '../profiles/fixes.js';

/**
 * What `--span` can name: every LLM span (candidate or not) and every tool span with a tool end, each
 * with its name and trajectory; `report`, printed, where the query may resolve to it (see SpanFinder).
 */
export interface SpanIndex {
  llm: Map<string, { sessionId: string; name: string; report?: string }>;
  tool: Map<string, { sessionId: string; name: string; report?: string }>;
  short: Map<string, string>;
}

/**
 * How a `--span` report is printed: JSON (its `short` a marker, filled in once every span is known)
 * or text in these styles. A worker thread prints with the markers of the main thread's finder.
 */
export interface SpanReportFormat {
  format: OverviewFormat;
  marks: ShortIdMarkers;
}

/**
 * One conversion's share of a `--span` lookup: its spans in the order they are indexed, and the
 * printed report of each span the query may resolve to. That is every span it names exactly and, when
 * the conversion holds only one span the query is a prefix of, that one: two such spans (here, or
 * with others elsewhere) make the query ambiguous. Made where the conversion is, in this thread or on
 * a worker; only the few reports cross, never the conversion.
 */
export interface SpanPart {
  sessionId: string;
  llm: Array<[uuid: string, name: string]>;
  tool: Array<[uuid: string, name: string]>;
  reports: { llm: Array<[uuid: string, text: string]>; tool: Array<[uuid: string, text: string]> };
}

export function spanPart(c: ConvertedTrajectory, query: string, printing: SpanReportFormat): SpanPart {
  const q = compactId(query);
  const llm = c.result.dedupe.spans.map((o): [string, string] => [o.span.uuid, o.span.name]);
  const tool: Array<[string, string]> = [];
  for (const conv of c.result.conversions) for (const link of conv.toolLinks) tool.push([link.toolUuid, link.name]);
  // The uuids the query names: exactly (true) or as a prefix (false).
  const named = new Map<string, boolean>();
  if (q !== '') {
    for (const [uuid] of [...llm, ...tool]) {
      const id = compactId(uuid);
      if (id.startsWith(q)) named.set(uuid, id === q);
    }
  }
  let prefixHits = 0;
  for (const exact of named.values()) if (!exact) prefixHits++;
  const reported = (uuid: string) => named.get(uuid) === true || (named.has(uuid) && prefixHits === 1);
  const reports: SpanPart['reports'] = { llm: [], tool: [] };
  for (const o of c.result.dedupe.spans) if (reported(o.span.uuid)) reports.llm.push([o.span.uuid, printReport(spanReport(c, o, new Map()), printing)]);
  for (const uuid of new Set(tool.map(([u]) => u))) if (reported(uuid)) reports.tool.push([uuid, printReport(toolReport(c, uuid, new Map())!, printing)]);
  return { sessionId: c.sessionId, llm, tool, reports };
}

/** A report as `explain --span` prints it, its short id a marker. */
function printReport(report: SpanReport | ToolReport, { format, marks }: SpanReportFormat): string {
  if (format.json) return [...jsonPieces({ ...report, short: marks.mark('id', report.span) } as unknown as Json, 2)].join('');
  return report.kind === 'llm' ? renderSpan(report, format.styles) : renderTool(report, format.styles);
}

/**
 * The spans a `--span` query is looked up among, indexed one conversion at a time as `convert`
 * streams them (from its {@link SpanPart}, made here or on a worker): each conversion is let go once
 * indexed, and only the reports of spans the query may still resolve to are kept (see `keeps`), so
 * memory holds a line per span, not the input's events. A uuid met again (in a later trajectory) is
 * described by the later one, as an index of every conversion would.
 */
export class SpanFinder {
  private readonly index: SpanIndex = { llm: new Map(), tool: new Map(), short: new Map() };
  private readonly query: string;
  /** Distinct uuids the query is a prefix of but not equal to: past one, only an exact match can answer. */
  private readonly prefixHits = new Set<string>();

  constructor(
    readonly rawQuery: string,
    readonly printing: SpanReportFormat,
  ) {
    this.query = compactId(rawQuery);
  }

  /** A conversion made in this thread. */
  add(c: ConvertedTrajectory): void {
    this.addPart(spanPart(c, this.rawQuery, this.printing));
  }

  addPart(part: SpanPart): void {
    const llmReports = new Map(part.reports.llm);
    const toolReports = new Map(part.reports.tool);
    for (const [uuid, name] of part.llm) this.index.llm.set(uuid, { sessionId: part.sessionId, name, report: this.keeps(uuid) ? llmReports.get(uuid) : undefined });
    for (const [uuid, name] of part.tool) this.index.tool.set(uuid, { sessionId: part.sessionId, name, report: this.keeps(uuid) ? toolReports.get(uuid) : undefined });
  }

  finish(): SpanIndex {
    this.index.short = shortIds([...this.index.llm.keys(), ...this.index.tool.keys()]);
    return this.index;
  }

  /**
   * Whether the report of `uuid` must be kept: the query names it exactly, or it is the first uuid
   * the query is a prefix of (a second one makes the query ambiguous, unless one matches exactly).
   * So at most two reports are kept, however many spans the input has.
   */
  private keeps(uuid: string): boolean {
    const id = compactId(uuid);
    if (this.query === '' || !id.startsWith(this.query)) return false;
    if (id === this.query) return true;
    this.prefixHits.add(uuid);
    return this.prefixHits.size === 1;
  }
}

/** How the overview is printed: JSON (`--json`) or text in these styles. */
export type OverviewFormat = { json: true } | { json: false; styles: Styles };

/** The format a worker thread prints in: JSON, or text in the styles of the main thread's chalk level. */
export function formatOfLevel(json: boolean, colorLevel: number): OverviewFormat {
  return json ? { json: true } : { json: false, styles: stylesOfLevel(colorLevel) };
}

/** What the overview takes of one conversion: its trajectory ids, its span uuids, and its printed part (when it is printed). */
export interface OverviewPart {
  trajectoryIds: string[];
  spans: string[];
  /** The part in chunks (one trajectory's may be longer than a string may be). */
  part?: string[];
  /** With `only`: the trajectory of this conversion it names (see trajectoryIn). */
  matched?: string;
}

/**
 * One conversion's share of the overview, printed with `marks` (whose markers the printer fills in at
 * the end: a worker prints with markers of the same prefix), its text headed with the profile as
 * `profile` names it (profileLabel). With `only`, a conversion that did not produce that trajectory is
 * not printed; nor is any when `print` is false.
 */
export function overviewPart(c: ConvertedTrajectory, format: OverviewFormat, profile: string, marks: ShortIdMarkers, only?: string, print = true): OverviewPart {
  const trajectoryIds = idsOf(c);
  const spans = c.result.dedupe.spans.map((o) => o.span.uuid);
  for (const conv of c.result.conversions) for (const link of conv.toolLinks) spans.push(link.toolUuid);
  const matched = only === undefined ? undefined : trajectoryIn(c, only, trajectoryIds);
  if (!print || (only !== undefined && matched === undefined)) return { trajectoryIds, spans };
  const t = trajectoryOverview(c, (uuid) => marks.mark('id', uuid));
  const part = format.json ? joinInChunks(prettyItemPieces(t as unknown as Json)) : renderTrajectory(t, profile, format.styles, marks);
  return { trajectoryIds, spans, part, ...(matched !== undefined ? { matched } : {}) };
}

/**
 * The trajectory of `c` that `query` (`--trajectory`: an id, or a prefix of one in any case, hyphens
 * optional, as `--span` takes) names: the one it equals, else the only one it begins; undefined when
 * none or several do. Whether it names one in the whole input is known only once every conversion is
 * (see {@link matchTrajectory}).
 */
function trajectoryIn(c: ConvertedTrajectory, query: string, ids: readonly string[]): string | undefined {
  const m = matchSpanId(query, [c.sessionId, ...ids]);
  return m.kind === 'one' ? m.uuid : undefined;
}

/** The trajectory `query` names among every trajectory id of the input (`known`), as trajectoryIn matches one. */
export function matchTrajectory(query: string, known: Iterable<string>): IdMatch {
  return matchSpanId(query, known);
}

/**
 * The overview printed one trajectory at a time, as `convert` streams them: each conversion is
 * printed into its part of the overview at once and let go. A part leaves its short span ids as
 * markers (they are unique among every span of the input), so parts wait for the end of input, held
 * by the caller (`hold`), and are filled in as they are read back (`finish`). With `only`, the part of
 * the first trajectory that is (or holds a subagent trajectory) `only`.
 */
export class OverviewPrinter {
  private readonly spans = new Set<string>();
  /** The markers every part is printed with (`marks.prefix` for parts printed on a worker). */
  readonly marks = new ShortIdMarkers();
  private parts = 0;
  /** With `only`: the trajectory each held part was printed for, in the order they were held. */
  private readonly heldFor: string[] = [];
  /** Every trajectory id met (root first per conversion), for an unknown `only`. */
  readonly trajectoryIds: string[] = [];

  /** The profile as each part's heading names it (parts printed on a worker are given it). */
  readonly profileLabel: string;

  constructor(
    readonly format: OverviewFormat,
    readonly profile: ProfileInEffect,
    private readonly hold: (part: string[]) => void,
    readonly only?: string,
  ) {
    this.profileLabel = profileLabel(profile);
  }

  add(c: ConvertedTrajectory): void {
    // Past a part of `only`'s very trajectory, no other is printed.
    this.addPart(overviewPart(c, this.format, this.profileLabel, this.marks, this.only, this.only === undefined || !this.heldFor.includes(this.only)));
  }

  /** A conversion's share, in closing order (printed here, or on a worker with this printer's markers). */
  addPart(p: OverviewPart): void {
    for (const id of p.trajectoryIds) this.trajectoryIds.push(id);
    for (const uuid of p.spans) this.spans.add(uuid);
    if (p.part === undefined) return;
    // With `only`, every part it may name is held (a prefix may begin several ids) until finish knows which.
    if (this.only !== undefined) {
      if (p.matched === undefined || this.heldFor.includes(p.matched)) return;
      this.heldFor.push(p.matched);
    }
    this.parts++;
    this.hold(p.part);
  }

  /** The trajectory `only` names among every one met (see matchTrajectory); for the overview of everything, undefined. */
  chosen(): IdMatch | undefined {
    if (this.only === undefined) return undefined;
    const m = matchTrajectory(this.only, this.trajectoryIds);
    // An id that is a conversion's session id and no trajectory's (none printed it) names nothing.
    return m.kind === 'one' && !this.heldFor.includes(m.uuid) ? { kind: 'unknown' } : m;
  }

  /**
   * The overview's pieces (JSON without its final newline), its parts read back from `held` in the
   * order they were held (with `only`, the part of the trajectory it names); undefined when `only`
   * named no trajectory, or several.
   */
  finish(held: Iterable<string[]>): Iterable<string> | undefined {
    const chosen = this.chosen();
    if (chosen !== undefined && chosen.kind !== 'one') return undefined;
    const heldFor = this.heldFor;
    const kept = chosen === undefined ? held : (function* () {
      let i = 0;
      for (const part of held) if (heldFor[i++] === chosen.uuid) yield part;
    })();
    const short = shortIds(this.spans);
    const marks = this.marks;
    const format = this.format;
    if (format.json) {
      const items = (function* () {
        for (const part of kept) yield marks.fillChunks(part, short);
      })();
      return prettyPiecesWithPrintedItems(this.profile as unknown as JsonObject, 'trajectories', items);
    }
    if (this.parts === 0) return [NO_TRAJECTORIES];
    return (function* () {
      let first = true;
      for (const part of kept) {
        if (!first) yield '\n';
        yield* marks.fillChunks(part, short, format.styles);
        first = false;
      }
    })();
  }
}

/**
 * One conversion's share of a `--step` lookup: its trajectory ids, and the step's report when the
 * conversion holds the trajectory the lookup may settle on — the one asked for (`only`), or, when none
 * is, its only trajectory (the lookup then needs the input to hold just one). Made where the conversion
 * is, in this thread or on a worker; printed in the main thread, which holds the replay's record of
 * each gateway call (see withGatewayCall).
 */
export interface StepPart {
  sessionId: string;
  trajectoryIds: string[];
  /** The trajectory looked in, and the step's report (undefined: that step is not in the output). */
  report?: { trajectoryId: string; step?: StepReport };
}

export function stepPart(c: ConvertedTrajectory, events: readonly AtofEvent[], stepId: number, only: string | undefined): StepPart {
  const ids = idsOf(c);
  const target = only !== undefined ? trajectoryIn(c, only, ids) : ids.length === 1 ? ids[0] : undefined;
  if (target === undefined) return { sessionId: c.sessionId, trajectoryIds: ids };
  const byUuid = new Map<string, AtofEvent[]>();
  for (const e of events) {
    pushTo(byUuid, e.uuid, e);
  }
  return { sessionId: c.sessionId, trajectoryIds: ids, report: { trajectoryId: target, step: stepReport(c, target, stepId, byUuid) } };
}

/** A step report as `explain --step` prints it: JSON (`--json`) or text in these styles. */
export function printStep(report: StepReport, json: boolean, styles: Styles): string {
  return json ? [...jsonPieces(report as unknown as Json, 2)].join('') : renderStep(report, styles);
}

export type SpanLookup =
  | { kind: 'llm' | 'tool'; uuid: string; printed: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'unknown'; known: string[] };

/** `--span ID`: a full uuid or a unique prefix of an LLM or tool span; its report as printed, short id filled in. */
export function lookupSpan(index: SpanIndex, query: string, marks: ShortIdMarkers): SpanLookup {
  const known = [...index.llm.keys(), ...index.tool.keys()];
  const m = matchSpanId(query, known);
  if (m.kind === 'unknown') return { kind: 'unknown', known: known.sort() };
  if (m.kind === 'ambiguous') return { kind: 'ambiguous', candidates: m.uuids };
  const llm = index.llm.get(m.uuid);
  const report = (llm ?? index.tool.get(m.uuid)!).report;
  if (report === undefined) throw new Error(`internal: the report of span ${m.uuid} was not kept`);
  return { kind: llm ? 'llm' : 'tool', uuid: m.uuid, printed: marks.fill(report, index.short) };
}

/** How a uuid in a candidate list is described in an error message. */
export function describeUuid(index: SpanIndex, uuid: string): string {
  const llm = index.llm.get(uuid);
  if (llm) return `${uuid}  llm ${llm.name} (${llm.sessionId})`;
  const tool = index.tool.get(uuid);
  return tool ? `${uuid}  tool ${tool.name} (${tool.sessionId})` : uuid;
}
