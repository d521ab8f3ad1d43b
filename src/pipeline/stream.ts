import type { AtofEvent } from '../ingest/atof.js';
import { UuidSet } from '../ingest/uuid-set.js';
import { pushTo } from '../util/group-by.js';
import { isSkippedRepeat, phaseBit, skipsDuplicates, withoutRepeats } from './duplicates.js';
import { convertGroup, heldForConversion, keepsLineText, UNSCOPED_SESSION_ID, type ConvertOptions, type ConvertedTrajectory } from './convert.js';

/**
 * Where the grouper files events: `add` is called in filing order for each top-level scope, `close`
 * when that scope is complete, `unscoped` once at the end of input. What a completed group becomes
 * (a trajectory converted here, or work handed to a worker thread) is the sink's business.
 */
export interface GroupSink<R> {
  add(root: string, e: AtofEvent): void;
  /** The scope `root` is complete; its events are those added, in filing order, or by `seq` when `resort`. */
  close(root: string, resort: boolean): R;
  /** Events under no top-level scope, in input order. */
  unscoped(events: AtofEvent[]): R;
}

interface UuidNode {
  parent?: string;
  root?: string;
  /** The phases of this uuid read so far, one bit each (see phaseBit): a repeat is a duplicate. */
  seen: number;
}

/** What filing one event did: the groups it completed, and the events found to have come too late. */
export interface Pushed<R> {
  done: R[];
  /** The event itself, and any event that was waiting for it, when they belong to a scope already closed (in input order). */
  late: AtofEvent[];
  /**
   * Set when the event itself repeats one already read in its trajectory (same uuid, kind and
   * scope_category) and was not filed (fix skip-duplicate-events): its line is a `duplicate-event` skip.
   */
  duplicate?: true;
  /**
   * Set when the event came after its top-level scope was written (it is `late`, alone) and repeats an
   * event read before it, by uuid and phase: a copy (`cat a a |`, a session given as ATOF and as its raw
   * records), not an event that came late. Still in no trajectory; said apart (see late-events.ts).
   */
  copy?: true;
  /**
   * Set when the event is the first read of a uuid that top-level scopes already read name as their
   * parent: those scopes were read before their parent (input out of order, such as rotated files
   * given newest first), so each became a trajectory of its own instead of a part of the parent's.
   */
  scopesBeforeParent?: ScopesBeforeParent;
}

/** Top-level scopes whose parent came later in the input (see Pushed.scopesBeforeParent). */
export interface ScopesBeforeParent {
  /** How many top-level scopes name this parent. */
  count: number;
  /** The first of them. */
  first: ScopeRef;
  /** The parent's first event read. */
  parent: ScopeRef;
}

/** How many top-level scopes a run read before their parent, and the first such parent (see scopesBeforeParentNote in cli/). */
export interface ScopesBeforeParentTally {
  count: number;
  first?: ScopesBeforeParent;
}

/** An event as the run summary names it: its uuid and name, and its line when it was read from one. */
export interface ScopeRef {
  uuid: string;
  name: string;
  origin?: { file: string; line: number };
}

const scopeRef = (e: AtofEvent): ScopeRef => (e.origin ? { uuid: e.uuid, name: e.name, origin: { file: e.origin.file, line: e.origin.line } } : { uuid: e.uuid, name: e.name });

export interface GrouperOptions {
  /** Skip input events that repeat one already read in their trajectory (fix skip-duplicate-events). */
  skipDuplicates?: boolean;
}

/**
 * Streaming grouping: events arrive in input order; each top-level agent scope (an agent start whose
 * parent has not been seen) collects the events whose parent chain reaches it, and is closed the
 * moment its end event arrives — as the reference plugin's dispatcher does — so memory holds only the
 * scopes still open. Events whose chain does not (yet) reach a top-level scope wait; at the end of
 * input they go to their scope if one appeared, else to the unscoped group. An event for a scope
 * already closed is returned as late (the live exporter is gone by then too). With `skipDuplicates`,
 * an input event that repeats one of a uuid still known here (open, waiting or unscoped) is returned
 * as a duplicate and not filed; a repeat after its scope closed is late, as any event of it is.
 */
export class TopLevelGrouper<R> {
  /**
   * The uuids of open scopes, of waiting and of unscoped events: each one's parent (from the first of
   * its events that names one) and, once resolved, its top-level scope. One map, so that filing an
   * event costs one or two lookups.
   */
  private readonly nodes = new Map<string, UuidNode>();
  /**
   * Open top-level scopes, in opening order: the `seq` of their start once filed, their uuids, the
   * `seq` of the last event filed, and whether one was filed after a later one (then the group is
   * handed over sorted by `seq`).
   */
  private readonly open = new Map<string, { startSeq?: number; members: string[]; lastSeq: number; outOfOrder: boolean }>();
  /**
   * Every uuid of every closed scope, 16 bytes each: an event naming one as its own uuid or its parent
   * comes too late. (Kept as nodes, they would make memory grow with the whole input.)
   */
  private readonly gone = new UuidSet();
  private unscoped: AtofEvent[] = [];
  /** Events whose parent chain ends at a uuid not seen yet, keyed by that uuid. */
  private waiting = new Map<string, AtofEvent[]>();
  /**
   * The parents, never seen, of the top-level scopes opened so far (one entry per such parent: scopes
   * of a run usually share it), with the first scope naming it: a parent read later means the input
   * was out of order around it. An entry goes once its parent is read.
   */
  private readonly unseenParents = new Map<string, { count: number; first: ScopeRef }>();

  private readonly skipDuplicates: boolean;

  constructor(
    private readonly sink: GroupSink<R>,
    options: GrouperOptions = {},
  ) {
    this.skipDuplicates = options.skipDuplicates === true;
  }

  /** Adds one event; returns what the groups it completed became, the events that came too late, and whether it was a skipped duplicate. */
  push(e: AtofEvent): Pushed<R> {
    const out: Pushed<R> = { done: [], late: [] };
    let node = this.nodes.get(e.uuid);
    // A uuid of a closed scope (no longer a node) is late; nothing waits for a uuid already seen.
    if (!node && this.gone.has(e.uuid)) {
      // The same uuid and phase as an event already read: a copy (the same input given twice), not news.
      const bit = phaseBit(e);
      if ((this.gone.marksOf(e.uuid) & bit) !== 0) out.copy = true;
      else this.gone.add(e.uuid, bit);
      out.late.push(e);
      return out;
    }
    // A phase of this uuid read before: the line changes nothing (the first copy is kept).
    if (node !== undefined) {
      if (this.skipDuplicates && isSkippedRepeat(e, node.seen)) {
        return { done: out.done, late: out.late, duplicate: true };
      }
      node.seen |= phaseBit(e);
    }
    // Whether the parent was seen is decided before this event counts as seen (a uuid may name itself).
    const parentSeen = e.parentUuid !== undefined && (this.nodes.has(e.parentUuid) || this.gone.has(e.parentUuid));
    const existed = node !== undefined;
    if (!node) this.nodes.set(e.uuid, (node = { parent: e.parentUuid, seen: phaseBit(e) }));
    else if (node.parent === undefined) node.parent = e.parentUuid;
    const isTop = e.kind === 'scope' && e.scopeCategory === 'start' && e.category === 'agent' && node.root === undefined && !parentSeen;
    // The first event of a uuid that earlier top-level scopes named as their parent: they were read too early.
    if (!existed && this.unseenParents.size > 0) {
      const named = this.unseenParents.get(e.uuid);
      if (named !== undefined) {
        this.unseenParents.delete(e.uuid);
        out.scopesBeforeParent = { ...named, parent: scopeRef(e) };
      }
    }
    if (isTop) {
      node.root = e.uuid;
      this.open.set(e.uuid, { members: [e.uuid], lastSeq: e.seq, outOfOrder: false });
      if (e.parentUuid !== undefined && e.parentUuid !== e.uuid) {
        const named = this.unseenParents.get(e.parentUuid);
        if (named === undefined) this.unseenParents.set(e.parentUuid, { count: 1, first: scopeRef(e) });
        else named.count++;
      }
    }
    this.place(e, out);
    // Events that were waiting for this uuid can now follow their chain further. A top-level start
    // whose uuid was seen before (its end, or a child, came first in the input) may also complete
    // the chains of events waiting for its parent, which never appeared: they try again.
    let released = this.takeWaiting(e.uuid);
    // (concat, not push(...): the events waiting for an unseen parent may be more than a call takes arguments)
    if (isTop && existed && e.parentUuid !== undefined && e.parentUuid !== e.uuid) released = released.concat(this.takeWaiting(e.parentUuid));
    if (released.length > 0) {
      released.sort((a, b) => a.seq - b.seq);
      for (const w of released) this.place(w, out);
      // Late ones in input order, as they are reported.
      if (out.late.length > 1) out.late.sort((a, b) => a.seq - b.seq);
    }
    return out;
  }

  private takeWaiting(uuid: string): AtofEvent[] {
    const waiting = this.waiting.get(uuid);
    if (waiting === undefined) return [];
    this.waiting.delete(uuid);
    return waiting;
  }

  /** Files an event under its scope (closing the scope at its end), parks it, or finds it late. */
  private place(e: AtofEvent, out: Pushed<R>): void {
    const { root, missing, late } = this.resolve(e.uuid);
    if (late) {
      out.late.push(e);
      return;
    }
    if (root === undefined) {
      if (missing === undefined) {
        this.unscoped.push(e); // its chain loops
        return;
      }
      pushTo(this.waiting, missing, e);
      return;
    }
    const group = this.open.get(root)!;
    this.sink.add(root, e);
    if (e.seq < group.lastSeq) group.outOfOrder = true;
    group.lastSeq = Math.max(group.lastSeq, e.seq);
    if (e.uuid === root && e.scopeCategory === 'start') group.startSeq = e.seq;
    // Its end closes the scope, unless the end came first in the input: then the input is out of order
    // around this scope, whose events may come anywhere after, and the scope stays open to the end of
    // input (see finish).
    if (e.uuid === root && e.scopeCategory === 'end' && group.startSeq !== undefined && e.seq > group.startSeq) out.done.push(this.close(root, group.outOfOrder, true));
  }

  /** End of input: every open scope (in opening order), then the unscoped remainder. */
  finish(): { done: R[] } {
    // Whatever still waits has a parent that never appeared: it belongs to no top-level scope.
    const unscoped = [...this.unscoped, ...[...this.waiting.values()].flat()].sort((a, b) => a.seq - b.seq);
    this.waiting.clear();
    this.unscoped = [];
    // Released events rejoin their scope in input order. No event follows: closed uuids need no keeping.
    const done = [...this.open.keys()].map((root) => this.close(root, true, false));
    if (unscoped.length > 0) done.push(this.sink.unscoped(unscoped));
    return { done };
  }

  private close(root: string, resort: boolean, remember: boolean): R {
    const { members } = this.open.get(root)!;
    this.open.delete(root);
    for (const uuid of members) {
      // With the phases read of it, so that a later copy of one of its events is known for one.
      if (remember) this.gone.add(uuid, this.nodes.get(uuid)?.seen ?? 0);
      this.nodes.delete(uuid);
    }
    return this.sink.close(root, resort);
  }

  /**
   * The open top-level scope a uuid belongs to, following parents; while the chain is incomplete, the
   * first uuid on it that has not been seen (`missing`); `late` when it reaches a closed scope (then
   * every uuid on the way is one of its uuids too). A cycle has none of these.
   */
  private resolve(uuid: string): { root?: string; missing?: string; late?: true } {
    // Gone already: an event waiting beside another of the same uuid, which was just found late.
    const node = this.nodes.get(uuid);
    if (!node) return this.gone.has(uuid) ? { late: true } : {};
    // The common case first: the event is a root, or a child of an event already resolved.
    if (node.root) return { root: node.root };
    // No parent, and not a top-level scope (yet): its start may still come (an end or a mark read
    // before the start of its scope). It waits for that uuid; at the end of input it is unscoped.
    if (node.parent === undefined) return { missing: uuid };
    const parentNode = this.nodes.get(node.parent);
    if (parentNode && node.parent !== uuid && parentNode.root) return { root: this.join(uuid, node, parentNode.root) };
    const path: string[] = [];
    const visited = new Set<string>();
    let cur: string | undefined = uuid;
    let root: string | undefined;
    while (cur !== undefined && !visited.has(cur)) {
      const at: UuidNode = this.nodes.get(cur)!;
      if (at.root) {
        root = at.root;
        break;
      }
      visited.add(cur);
      path.push(cur);
      if (at.parent === undefined) return { missing: cur };
      if (!this.nodes.has(at.parent)) {
        if (!this.gone.has(at.parent)) return { missing: at.parent };
        for (const u of path) {
          this.gone.add(u, this.nodes.get(u)?.seen ?? 0);
          this.nodes.delete(u);
        }
        return { late: true };
      }
      cur = at.parent;
    }
    if (root !== undefined) for (const u of path) this.join(u, this.nodes.get(u)!, root);
    return { root };
  }

  /** Records that `uuid` belongs to the open scope `root`. */
  private join(uuid: string, node: UuidNode, root: string): string {
    node.root = root;
    this.open.get(root)!.members.push(uuid);
    return root;
  }
}

/**
 * The in-process sink: each completed group's events, in filing order, go to `complete` on the spot.
 * Unless `keepLineText`, the events it holds let their line text go (see keepsLineText).
 */
export class CompletingSink<R> implements GroupSink<R> {
  private readonly groups = new Map<string, AtofEvent[]>();

  constructor(
    private readonly complete: (events: AtofEvent[], sessionId: string) => R,
    private readonly keepLineText = true,
  ) {}

  add(root: string, e: AtofEvent): void {
    const held = heldForConversion(e, this.keepLineText);
    pushTo(this.groups, root, held);
  }

  close(root: string, resort: boolean): R {
    const events = this.groups.get(root) ?? [];
    this.groups.delete(root);
    if (resort) events.sort((a, b) => a.seq - b.seq);
    return this.complete(events, root);
  }

  unscoped(events: AtofEvent[]): R {
    return this.complete(events, UNSCOPED_SESSION_ID);
  }
}

/** The sink that converts each completed group, as the reference plugin's exporter does. */
export class ConvertingSink extends CompletingSink<ConvertedTrajectory> {
  constructor(opts: ConvertOptions) {
    super((events, sessionId) => convertGroup(events, sessionId, opts, true), keepsLineText(opts));
  }
}

/** Streaming conversion in this thread: the grouper with the converting sink. */
export class StreamingConverter extends TopLevelGrouper<ConvertedTrajectory> {
  constructor(opts: ConvertOptions) {
    super(new ConvertingSink(opts), { skipDuplicates: skipsDuplicates(opts.fixes) });
  }
}

/** A whole input converted: its trajectories, and the events that came too late for theirs. */
export interface ConvertedInput {
  /** In the order `convert` writes them: as their top-level scopes closed, then those still open at the end. */
  trajectories: ConvertedTrajectory[];
  /** Events that arrived after their top-level scope had closed: in no trajectory (as live, and as `convert` skips them). */
  late: AtofEvent[];
  /** Input events that repeat one already read in their trajectory (fix skip-duplicate-events): in no trajectory, as `convert` skips them. */
  duplicates: AtofEvent[];
}

/**
 * Events (in input order) → trajectories, grouped exactly as `convert` groups a stream (so that
 * `explain` and `diff` describe what `convert` writes); with `sessionId`, one trajectory of everything.
 */
export function convertEvents(events: readonly AtofEvent[], opts: ConvertOptions): ConvertedInput {
  if (opts.sessionId !== undefined) {
    // One trajectory of everything: a repeat anywhere in the input is one.
    const { kept, duplicates } = skipsDuplicates(opts.fixes) ? withoutRepeats(events) : { kept: events, duplicates: [] };
    return { trajectories: [convertGroup(kept, opts.sessionId, opts, false)], late: [], duplicates };
  }
  const converter = new StreamingConverter(opts);
  const trajectories: ConvertedTrajectory[] = [];
  const late: AtofEvent[] = [];
  const duplicates: AtofEvent[] = [];
  for (const e of events) {
    const pushed = converter.push(e);
    for (const t of pushed.done) trajectories.push(t);
    for (const l of pushed.late) late.push(l);
    if (pushed.duplicate) duplicates.push(e);
  }
  // A loop, not a spread: the scopes still open at the end may be many.
  for (const t of converter.finish().done) trajectories.push(t);
  return { trajectories, late, duplicates };
}
