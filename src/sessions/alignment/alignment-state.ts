import { mergeMetadata } from '../../hooks/index.js';
import type { SessionAlias } from '../../gateway/session-selection.js';
import { IndexedMap } from '../../util/indexed-map.js';
import type { SessionInput } from '../events.js';
import { routeEventThroughAlias } from './alias-routing.js';
import type { PendingSubagentStart } from './child-start.js';
import { hermesChildSessionOf } from './hermes-child.js';

/**
 * Cross-session alignment state (alignment/mod.rs `SessionAlignmentState`): child-session aliases,
 * finished aliases (kept only for Hermes subagent ends), and child starts waiting for their parent.
 * Maps keep insertion order, so every sweep over them is deterministic.
 *
 * Each map files its child sessions under their parent session: what the end of a session or of a
 * subagent clears is found there. Going through whole maps at every end made a parent with thousands
 * of child sessions quadratic (each child's own end went through all the aliases of its siblings).
 */
export class AlignmentState {
  readonly aliases = new IndexedMap<SessionAlias>((_, alias) => alias.parentSessionId);
  readonly completedAliases = new IndexedMap<SessionAlias>((_, alias) => alias.parentSessionId);
  readonly pending = new IndexedMap<PendingSubagentStart>((_, pending) => pending.context.parentSessionId);

  /** `jsonStringFallThrough`: fix `json-null-fallthrough` for the bridge fields it reads. */
  constructor(private readonly jsonStringFallThrough = false) {}

  clear(): void {
    this.aliases.clear();
    this.completedAliases.clear();
    this.pending.clear();
  }

  /** Removes and returns the pending start of `childSessionId` (a gateway call that names it consumes it). */
  takePending(childSessionId: string): PendingSubagentStart | undefined {
    const pending = this.pending.get(childSessionId);
    this.pending.delete(childSessionId);
    return pending;
  }

  /**
   * Step 2 of §3.3: rewrites an aliased child's event; a finished alias moves to the completed
   * aliases and drops its pending start; an AgentEnded clears everything involving its session.
   */
  routeEvent(event: SessionInput): SessionInput {
    const routed = routeEventThroughAlias(event, this.aliases);
    if (routed.finishedAlias !== undefined) {
      const alias = this.aliases.get(routed.finishedAlias);
      if (alias) {
        this.aliases.delete(routed.finishedAlias);
        this.completedAliases.set(routed.finishedAlias, alias);
      }
      this.pending.delete(routed.finishedAlias);
    }
    if (routed.event.type === 'AgentEnded') this.clearForEndedAgent(routed.event.sessionId);
    return routed.event;
  }

  /**
   * A Hermes parent-side subagent end naming a child session takes the alias's subagent id and
   * metadata, so it closes the scope the child was routed into; both alias records are dropped.
   */
  alignExplicitSubagentEnd(event: SessionInput): SessionInput {
    if (event.type !== 'SubagentEnded') return event;
    const child = hermesChildSessionOf(event, this.jsonStringFallThrough);
    if (child === undefined) return event;
    const alias = this.aliases.get(child) ?? this.completedAliases.get(child);
    if (!alias || event.sessionId !== alias.parentSessionId) return event;
    this.aliases.delete(child);
    this.completedAliases.delete(child);
    return { ...event, subagentId: alias.subagentId, metadata: mergeMetadata(event.metadata, alias.metadata) };
  }

  /** Removes and returns the pending starts waiting for `parentSessionId`, in arrival order. */
  takePendingForParent(parentSessionId: string): Array<[string, PendingSubagentStart]> {
    const found = this.pending.keysIn(parentSessionId).map((child): [string, PendingSubagentStart] => [child, this.pending.get(child) as PendingSubagentStart]);
    for (const [child] of found) this.pending.delete(child);
    return found;
  }

  /** Drops every alias and pending start of `sessionId`, as a child or as a parent. */
  clearForEndedAgent(sessionId: string): void {
    for (const map of [this.aliases, this.completedAliases, this.pending]) {
      map.delete(sessionId);
      for (const child of map.keysIn(sessionId)) map.delete(child);
    }
  }

  /**
   * After the idle sweeper closed `subagentIds` of `parentSessionId`: drops the aliases and pending
   * starts of those subagents (as the child session, or as the parent's subagent of that id).
   */
  clearForEndedSubagents(parentSessionId: string, subagentIds: readonly string[]): void {
    if (subagentIds.length === 0) return;
    const ended = new Set(subagentIds);
    for (const id of ended) {
      this.aliases.delete(id);
      this.pending.delete(id);
    }
    for (const child of this.aliases.keysIn(parentSessionId)) if (ended.has((this.aliases.get(child) as SessionAlias).subagentId)) this.aliases.delete(child);
    for (const child of this.pending.keysIn(parentSessionId)) if (ended.has((this.pending.get(child) as PendingSubagentStart).event.sessionId)) this.pending.delete(child);
  }
}
