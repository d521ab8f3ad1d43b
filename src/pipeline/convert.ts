import { eventsToTrajectory, type ExportResult } from '../atif/export.js';
import type { FixSet } from '../atif/fixes.js';
import { groupByTopLevelAgent } from '../atif/grouping.js';
import type { AgentInfo, Trajectory } from '../atif/types.js';
import type { AtofEvent } from '../ingest/atof.js';
import type { Json } from '../json/value.js';

export interface ConvertOptions {
  /** One trajectory of every event with this session id, instead of one per top-level agent. */
  sessionId?: string;
  agent: AgentInfo;
  fixes: FixSet;
  observedEvents: boolean;
  dedupe: boolean;
}

export interface ConvertedTrajectory {
  sessionId: string;
  /** Undefined when the trajectory was empty and empty trajectories are not written. */
  trajectory?: Trajectory;
  result: ExportResult;
  eventCount: number;
}

/** Session id of a group of events under no top-level agent scope. */
export const UNSCOPED_SESSION_ID = 'unscoped';

/** Events (in timeline order) → trajectories: the exporter per top-level agent scope, or once with --session-id. */
export function convertEvents(events: readonly AtofEvent[], opts: ConvertOptions): ConvertedTrajectory[] {
  const groups = opts.sessionId !== undefined ? [{ rootUuid: undefined, events: [...events], sessionId: opts.sessionId }] : groupByTopLevelAgent(events).map((g) => ({ ...g, sessionId: g.rootUuid ?? UNSCOPED_SESSION_ID }));
  return groups.map((g) => {
    const result = eventsToTrajectory(g.events, {
      sessionId: g.sessionId,
      agent: opts.agent,
      fixes: opts.fixes,
      dedupe: { enabled: opts.dedupe },
    });
    let trajectory = result.trajectory;
    if (trajectory && opts.observedEvents && opts.sessionId === undefined) {
      // The reference plugin writes every raw event of the scope beside the trajectory.
      trajectory = { ...trajectory, extra: { observed_events: g.events.map((e) => e.raw as Json) } };
    }
    return { sessionId: g.sessionId, trajectory, result, eventCount: g.events.length };
  });
}
