import type { SpanOutcome } from '../dedupe/pass.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { matchSpanId, shortIds } from './ids.js';
import { spanReport, type SpanReport } from './span-report.js';
import { trajectoryOverview, type Overview } from './table-report.js';
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

export function overview(converted: readonly ConvertedTrajectory[], profile: string, index = indexSpans(converted)): Overview {
  return { profile, trajectories: converted.map((c) => trajectoryOverview(c, index.short)) };
}

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
