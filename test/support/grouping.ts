/**
 * The whole-input grouping, kept as a test oracle: on an input in emission order (every scope's
 * events before its end), the streaming grouping that `convert`, `explain` and `diff` use must agree
 * with it. (On other inputs they differ by design: events after their scope closed are late.)
 */
import type { AtofEvent } from '../../src/ingest/atof.js';

/** Events of one top-level agent scope (the reference plugin feeds one exporter per such scope). */
export interface EventGroup {
  /** The top-level agent's uuid, which becomes the trajectory's session id; undefined for unscoped events. */
  rootUuid?: string;
  events: AtofEvent[];
}

/**
 * Splits a timeline into top-level agent scopes: an `agent` start whose parent is not an event of the
 * stream (the runtime's implicit root never emits one). Every event goes to the scope its parent chain
 * reaches; events under no top-level scope form one trailing unscoped group. Group order: by the
 * top-level start's position on the timeline, so output order follows input order.
 */
export function groupByTopLevelAgent(events: readonly AtofEvent[]): EventGroup[] {
  const known = new Set(events.map((e) => e.uuid));
  const parentOf = new Map<string, string>();
  for (const e of events) if (e.parentUuid !== undefined && !parentOf.has(e.uuid)) parentOf.set(e.uuid, e.parentUuid);
  const tops = new Set<string>();
  for (const e of events) {
    if (e.kind === 'scope' && e.scopeCategory === 'start' && e.category === 'agent' && (e.parentUuid === undefined || !known.has(e.parentUuid))) tops.add(e.uuid);
  }
  const rootCache = new Map<string, string | null>();
  const rootOf = (uuid: string): string | null => {
    const path: string[] = [];
    const seen = new Set<string>();
    let cur: string | undefined = uuid;
    let found: string | null = null;
    while (cur !== undefined) {
      const cached = rootCache.get(cur);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      if (seen.has(cur)) break; // parent cycle: no top-level scope
      seen.add(cur);
      path.push(cur);
      if (tops.has(cur)) {
        found = cur;
        break;
      }
      cur = parentOf.get(cur);
    }
    for (const p of path) rootCache.set(p, found);
    return found;
  };
  const groups = new Map<string, EventGroup>();
  const unscoped: AtofEvent[] = [];
  for (const e of events) {
    const root = rootOf(e.uuid);
    if (root === null) {
      unscoped.push(e);
      continue;
    }
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { rootUuid: root, events: [] }));
    g.events.push(e);
  }
  const out = [...groups.values()];
  if (unscoped.length > 0) out.push({ events: unscoped });
  return out;
}
