import { eventsToTrajectory, type AgentField, type ExportResult } from '../atif/export.js';
import type { FixSet } from '../profiles/fixes.js';
import type { AgentInfo, Trajectory } from '../atif/types.js';
import type { AtofEvent } from '../ingest/atof.js';
import { RawJson } from '../json/value.js';

export interface ConvertOptions {
  /** One trajectory of every event with this session id, instead of one per top-level agent. */
  sessionId?: string;
  agent: AgentInfo;
  /** The `agent` fields the user did not give (fix agent-identity takes them from the session). */
  agentFromSession?: readonly AgentField[];
  fixes: FixSet;
  observedEvents: boolean;
  /**
   * Observed events read from input lines are written as their line text (compact output: NDJSON);
   * otherwise each is printed from its parsed value, as the rest of the document is (pretty files:
   * indented, keys sorted, as the reference plugin writes them).
   */
  observedVerbatim?: boolean;
  dedupe: boolean;
  /** Fix `image-parts`: whether image files can be written beside the trajectories (not on stdout); default true. */
  imageFiles?: boolean;
}

export interface ConvertedTrajectory {
  sessionId: string;
  /** Undefined when the trajectory was empty and empty trajectories are not written. */
  trajectory?: Trajectory;
  result: ExportResult;
  eventCount: number;
  suppressedSpans: number;
}

/**
 * Whether a group's events must keep their line text until converted: only to be printed back
 * verbatim as observed events. Otherwise holding it would cost as much memory as the input itself.
 */
export function keepsLineText(opts: ConvertOptions): boolean {
  return opts.observedEvents && opts.observedVerbatim === true;
}

/**
 * The event as it is held for conversion: with its line text when `keepLineText`, else without (see
 * keepsLineText; an event the replay built has none to let go).
 */
export function heldForConversion(e: AtofEvent, keepLineText: boolean): AtofEvent {
  // Assigned rather than deleted: the event keeps its shape (it is one of many alike).
  if (!keepLineText && e.rawText !== undefined) e.rawText = undefined;
  return e;
}

/** Session id of a group of events under no top-level agent scope. */
export const UNSCOPED_SESSION_ID = 'unscoped';

/** One exporter run. `plugin` adds the root `extra.observed_events` the reference plugin writes. */
export function convertGroup(events: readonly AtofEvent[], sessionId: string, opts: ConvertOptions, plugin: boolean): ConvertedTrajectory {
  const result = eventsToTrajectory(events, { sessionId, agent: opts.agent, agentFromSession: opts.agentFromSession, fixes: opts.fixes, dedupe: { enabled: opts.dedupe }, imageFiles: opts.imageFiles });
  let trajectory = result.trajectory;
  if (trajectory && plugin && opts.observedEvents) {
    // For compact output, events read from NDJSON are written back as their input text, not re-serialised.
    const verbatim = opts.observedVerbatim === true;
    trajectory = { ...trajectory, extra: { ...trajectory.extra, observed_events: events.map((e) => (verbatim && e.rawText !== undefined ? new RawJson(e.rawText) : e.raw)) } };
  }
  return { sessionId, trajectory, result, eventCount: events.length, suppressedSpans: result.dedupe.suppressed.size };
}

/**
 * What a completed group becomes in the command that reads it: by default its conversion, printed;
 * `explain` makes its overview part, `diff` its dedupe diff. The same function runs in this thread and
 * on `--jobs` workers, so the output does not depend on where a group went.
 */
export type GroupTask<R> = (events: readonly AtofEvent[], sessionId: string) => R;

/** The task of a group's conversion (as `convert` streams it: `plugin` extras included) made into `then`. */
export function afterConversion<R>(opts: ConvertOptions, then: (c: ConvertedTrajectory) => R): GroupTask<R> {
  return (events, sessionId) => then(convertGroup(events, sessionId, opts, true));
}
