import type { AtofEvent } from '../ingest/atof.js';
import { convertGroup, UNSCOPED_SESSION_ID, type ConvertOptions, type ConvertedTrajectory } from './convert.js';

interface OpenGroup {
  root: string;
  events: AtofEvent[];
}

/**
 * Streaming grouping: events arrive in input order; each top-level agent scope (an agent start whose
 * parent has not been seen) collects the events whose parent chain reaches it, and is exported the
 * moment its end event arrives — as the reference plugin's dispatcher does — so memory holds only the
 * scopes still open. Events whose chain does not (yet) reach a top-level scope wait; at the end of
 * input they go to their scope if one appeared, else to the `unscoped` trajectory. An event for a scope
 * already exported is returned as late (the live exporter is gone by then too).
 */
export class StreamingConverter {
  private readonly rootOf = new Map<string, string | null>();
  private readonly parentOf = new Map<string, string>();
  private readonly open = new Map<string, OpenGroup>();
  private readonly closed = new Set<string>();
  private readonly seen = new Set<string>();
  private unscoped: AtofEvent[] = [];
  /** Events whose parent chain ends at a uuid not seen yet, keyed by that uuid. */
  private waiting = new Map<string, AtofEvent[]>();

  constructor(private readonly opts: ConvertOptions) {}

  /** Adds one event; returns trajectories completed by it and whether the event arrived too late. */
  push(e: AtofEvent): { done: ConvertedTrajectory[]; late: boolean } {
    if (e.parentUuid !== undefined && !this.parentOf.has(e.uuid)) this.parentOf.set(e.uuid, e.parentUuid);
    const isTop = e.kind === 'scope' && e.scopeCategory === 'start' && e.category === 'agent' && !this.rootOf.has(e.uuid) && !this.knows(e.parentUuid);
    if (isTop && !this.closed.has(e.uuid)) {
      this.rootOf.set(e.uuid, e.uuid);
      this.open.set(e.uuid, { root: e.uuid, events: [] });
    }
    this.seen.add(e.uuid);
    const done: ConvertedTrajectory[] = [];
    const late = this.place(e, done);
    // Events that were waiting for this uuid can now follow their chain further.
    const released = this.waiting.get(e.uuid);
    if (released) {
      this.waiting.delete(e.uuid);
      for (const w of released) this.place(w, done);
    }
    return { done, late };
  }

  /** Files an event under its scope (closing the scope at its end), or parks it; true when it is late. */
  private place(e: AtofEvent, done: ConvertedTrajectory[]): boolean {
    const { root, missing } = this.resolve(e.uuid);
    if (root === undefined) {
      if (missing === undefined) {
        this.unscoped.push(e); // its chain ends at an event outside every top-level scope (or loops)
        return false;
      }
      const list = this.waiting.get(missing);
      if (list) list.push(e);
      else this.waiting.set(missing, [e]);
      return false;
    }
    if (this.closed.has(root)) return true;
    const group = this.open.get(root)!;
    group.events.push(e);
    if (e.uuid === root && e.scopeCategory === 'end' && group.events.some((x) => x.uuid === root && x.scopeCategory === 'start')) {
      done.push(this.close(group));
    }
    return false;
  }

  /** End of input: every open scope, then the unscoped remainder. */
  finish(): { done: ConvertedTrajectory[]; late: AtofEvent[] } {
    // Whatever still waits has a parent that never appeared: it belongs to no top-level scope.
    const unscoped = [...this.unscoped, ...[...this.waiting.values()].flat()].sort((a, b) => a.seq - b.seq);
    this.waiting.clear();
    this.unscoped = [];
    const done = [...this.open.values()].map((g) => {
      g.events.sort((a, b) => a.seq - b.seq); // released events rejoin their scope in input order
      return this.close(g);
    });
    if (unscoped.length > 0) done.push(convertGroup(unscoped, UNSCOPED_SESSION_ID, this.opts, true));
    return { done, late: [] };
  }

  private close(g: OpenGroup): ConvertedTrajectory {
    this.open.delete(g.root);
    this.closed.add(g.root);
    return convertGroup(g.events, g.root, this.opts, true);
  }

  private knows(uuid: string | undefined): boolean {
    return uuid !== undefined && this.seen.has(uuid);
  }

  /**
   * The top-level scope a uuid belongs to, following parents; while the chain is incomplete, the first
   * uuid on it that has not been seen (`missing`). A cycle has neither.
   */
  private resolve(uuid: string): { root?: string; missing?: string } {
    const path: string[] = [];
    const seen = new Set<string>();
    let cur: string | undefined = uuid;
    let root: string | undefined;
    while (cur !== undefined && !seen.has(cur)) {
      const cached = this.rootOf.get(cur);
      if (cached) {
        root = cached;
        break;
      }
      seen.add(cur);
      path.push(cur);
      const parent = this.parentOf.get(cur);
      if (parent === undefined) return {};
      if (!this.knows(parent)) return { missing: parent };
      cur = parent;
    }
    if (root !== undefined) for (const p of path) this.rootOf.set(p, root);
    return { root };
  }
}
