import type { StepOrigin } from '../atif/steps.js';
import type { DedupeResult } from '../dedupe/pass.js';
import { canonicalJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';
import { isFixName, type FixName } from '../profiles/fixes.js';
import { fillMissingMetrics, type Metrics } from '../providers/usage.js';
import type { Step } from '../atif/types.js';
import type { AtofEvent } from '../ingest/atof.js';
import { formatRfc3339 } from '../ingest/time.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import type { AttributionLog } from '../sessions/attribution.js';
import { producedSteps } from './produced.js';

export interface EventJson {
  uuid: string;
  name: string;
  kind: 'scope' | 'mark';
  category: string | null;
  scope_category: string | null;
  timestamp: string;
  file: string | null;
  line: number | null;
}

export interface StepReport {
  session_id: string;
  trajectory_id: string;
  step_id: number;
  source: string;
  timestamp: string | null;
  origin: { kind: StepOrigin['kind']; events: EventJson[] } | null;
  /** For a step of an LLM span: the dedupe outcome of that span. */
  span: { uuid: string; name: string; state: string; suppressed_by: string[]; absorbed_from: string[] } | null;
  /** What the projected duplicate tool-call cleanup decided (a user or system step: TOOLSTEP_BOUNDARY, the end of a run of agent steps). */
  tool_step: { rule: string; detail: string | null } | null;
  tool_results: Array<{ tool: string; name: string; rule: string; source_call_id: string | null; placement: string | null }>;
  /** The fixes of the active profile that changed this step; absent when none did. */
  fixes?: string[];
  /**
   * For a step of an LLM call a gateway capture recorded (raw input): the capture, and why its
   * response was not read in full when it was not (a stream cut short: the step holds only what was
   * read). The replay's record of the call (see withGatewayCall); absent for any other step.
   */
  gateway_call?: { capture_id: string; response_not_read?: string };
}

/** Which of a uuid's events a step of this origin came from. */
function producedBy(origin: StepOrigin, e: AtofEvent): boolean {
  switch (origin.kind) {
    case 'llm-start':
      return e.category === 'llm' && e.scopeCategory === 'start';
    case 'llm-end':
      // An agent step that holds its span's request (no-repeated-user-step …) took it from the start.
      return e.category === 'llm' && (e.scopeCategory === 'end' || (origin.request === true && e.scopeCategory === 'start'));
    case 'mark':
    case 'turn-text':
      return e.kind === 'mark';
    case 'guardrail':
      // The guardrail scope (its start says what was checked, its end that it blocked) and the rejection mark it absorbed.
      return e.kind === 'mark' || e.category === 'guardrail';
    case 'dispatch':
    case 'turn-prompt':
    case 'turn-tools':
      return e.category === 'agent' && e.scopeCategory === 'start';
    case 'turn-answer':
      return e.category === 'agent' && e.scopeCategory === 'end';
    case 'standalone-observations':
    case 'deferred-observations':
      return e.category === 'tool' && e.scopeCategory === 'end';
  }
}

const eventJson = (e: AtofEvent): EventJson => ({
  uuid: e.uuid,
  name: e.name,
  kind: e.kind,
  category: e.category ?? null,
  scope_category: e.scopeCategory ?? null,
  timestamp: formatRfc3339(e.ts),
  file: e.origin?.file ?? null,
  line: e.origin?.line ?? null,
});

/**
 * The events a step came from: of its origin's uuids, the events of the kind that origin produces. A
 * uuid whose start (or end, or mark) was read more than once (W_DUPLICATE_EVENT: relay-0.3 converts
 * every repeat, fix skip-duplicate-events skips them) made one step per event, in order: the k-th
 * such step of the uuid is named with its k-th event, not with all of them.
 */
function originEvents(origins: ReadonlyMap<Step, StepOrigin>, step: Step, origin: StepOrigin, eventsByUuid: ReadonlyMap<string, readonly AtofEvent[]>): AtofEvent[] {
  const events = origin.events.flatMap((u) => (eventsByUuid.get(u) ?? []).filter((e) => producedBy(origin, e)));
  if (origin.events.length !== 1 || events.length < 2) return events;
  let [index, count] = [-1, 0];
  for (const [s, o] of origins) {
    if (o.kind !== origin.kind || o.events.length !== 1 || o.events[0] !== origin.events[0]) continue;
    if (s === step) index = count;
    count++;
  }
  // One step per event, as the state machine read them (both in time order); else the events as they are.
  return count === events.length && index >= 0 ? [events[index]] : events;
}

/**
 * The dedupe fixes that changed a surviving span's agent step, which they change only through the
 * metrics it takes over (fill-missing): those of a pair a fix decided (dedupe-tie-break breaking a tie,
 * …) and those dedupe-chain-metrics passed on from spans suppressed in their turn. Each is named when
 * adding its share, after the seed's own merges, fills a field the span's metrics lacked.
 */
function dedupeFixesOnMetrics(dedupe: DedupeResult, uuid: string | undefined): FixName[] {
  const supplemental = uuid === undefined ? undefined : dedupe.supplemental.get(uuid);
  if (uuid === undefined || !supplemental) return [];
  const endMetrics = (u: string) => dedupe.spans.find((o) => o.span.uuid === u)?.span.candidate?.endMetrics;
  const merges = dedupe.pairs.filter((p) => p.canonical === uuid && p.suppressed !== undefined);
  const metrics: Metrics = structuredClone(endMetrics(uuid) ?? {});
  for (const p of merges) if (p.fix === undefined) fillMissingMetrics(metrics, endMetrics(p.suppressed!) ?? {});
  const out: FixName[] = [];
  const fillChanges = (from: Metrics) => {
    const before = canonicalJson(metrics as unknown as Json);
    fillMissingMetrics(metrics, from);
    return canonicalJson(metrics as unknown as Json) !== before;
  };
  for (const p of merges) {
    if (p.fix === undefined || !fillChanges(endMetrics(p.suppressed!) ?? {})) continue;
    for (const f of p.fix.split(', ')) if (isFixName(f) && !out.includes(f)) out.push(f);
  }
  // What is left of the supplemental metrics came through the chain.
  if (fillChanges(supplemental)) out.push('dedupe-chain-metrics');
  return out;
}

/** Step `stepId` of trajectory `trajectoryId`, or undefined when that step is not in the output. */
export function stepReport(
  c: ConvertedTrajectory,
  trajectoryId: string,
  stepId: number,
  eventsByUuid: ReadonlyMap<string, readonly AtofEvent[]>,
): StepReport | undefined {
  const produced = producedSteps(c);
  const target = produced.find((p) => p.trajectoryId === trajectoryId && p.step.step_id === stepId);
  if (!target) return undefined;
  const { step, origin, conversion } = target;
  const report: StepReport = {
    session_id: c.sessionId,
    trajectory_id: trajectoryId,
    step_id: step.step_id,
    source: step.source,
    timestamp: step.timestamp ?? null,
    origin: origin ? { kind: origin.kind, events: originEvents(conversion.origins, step, origin, eventsByUuid).map(eventJson) } : null,
    span: null,
    tool_step: null,
    tool_results: [],
  };
  if (origin && (origin.kind === 'llm-start' || origin.kind === 'llm-end')) {
    const outcome = c.result.dedupe.spans.find((o) => o.span.uuid === origin.events[0]);
    if (outcome) {
      report.span = {
        uuid: outcome.span.uuid,
        name: outcome.span.name,
        state: outcome.state,
        suppressed_by: [...outcome.suppressedBy],
        absorbed_from: [...outcome.absorbed],
      };
    }
  }
  const fixes = [...(origin?.fixes ?? [])];
  if (origin?.kind === 'llm-end') for (const f of dedupeFixesOnMetrics(c.result.dedupe, origin.events[0])) if (!fixes.includes(f)) fixes.push(f);
  if (fixes.length > 0) report.fixes = fixes;
  const decision = conversion.toolSteps.find((d) => d.step === step);
  // Every written step went through the cleanup (atif-dedupe.md §2.8), a user or system step as a boundary.
  if (decision) report.tool_step = { rule: decision.rule, detail: decision.detail ?? null };
  for (const link of conversion.toolLinks) {
    // The step is this trajectory's (found above), so a link naming it is a link to it: no search per link.
    if (link.step !== step) continue;
    report.tool_results.push({ tool: link.toolUuid, name: link.name, rule: link.rule, source_call_id: link.sourceCallId ?? null, placement: link.placement ?? null });
  }
  return report;
}

/**
 * The report with the gateway call its LLM span was, from the replay's record of each call (kept in
 * the main thread, while the report may have been made on a worker): the step alone cannot say that
 * the answer it holds was cut short.
 */
export function withGatewayCall(report: StepReport, attributions: AttributionLog | undefined): StepReport {
  const withFixes = withReplayFixes(report, attributions);
  const span = report.span?.uuid;
  const call = span === undefined ? undefined : attributions?.forLlmSpan(span);
  if (!call) return withFixes;
  const gateway: NonNullable<StepReport['gateway_call']> = { capture_id: call.captureId };
  if (call.responseNotRead !== undefined) gateway.response_not_read = call.responseNotRead;
  return { ...withFixes, gateway_call: gateway };
}

/**
 * The report with the replay's fixes that changed the step added to the exporter's own, as the replay
 * recorded them on each gateway call the step came from: the link of the session chain and the owner
 * rule a fix decided (where the call's steps are), and, for an LLM end, the fixes that changed how its
 * answer was read (GatewayAttribution.answerFixes: only an end's answer reaches a step).
 */
function withReplayFixes(report: StepReport, attributions: AttributionLog | undefined): StepReport {
  if (!attributions || report.origin === null) return report;
  const fixes = [...(report.fixes ?? [])];
  const add = (f: FixName | undefined) => {
    if (f !== undefined && !fixes.includes(f)) fixes.push(f);
  };
  for (const e of report.origin.events) {
    if (e.category !== 'llm') continue;
    const call = attributions.forLlmSpan(e.uuid);
    if (!call) continue;
    add(call.chain.fix);
    add(call.owner.fix);
    if (e.scope_category === 'end') for (const f of call.answerFixes ?? []) add(f);
  }
  return fixes.length === (report.fixes?.length ?? 0) ? report : { ...report, fixes };
}
