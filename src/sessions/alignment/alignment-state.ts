import { mergeMetadata } from '../../hooks/index.js';
import type { SessionAlias } from '../../gateway/session-selection.js';
import type { SessionInput } from '../events.js';
import { routeEventThroughAlias } from './alias-routing.js';
import type { PendingSubagentStart } from './child-start.js';
import { hermesChildSessionOf } from './hermes-child.js';

/**
 * Cross-session alignment state (alignment/mod.rs `SessionAlignmentState`): child-session aliases,
 * finished aliases (kept only for Hermes subagent ends), and child starts waiting for their parent.
 * Maps keep insertion order, so every sweep over them is deterministic.
 */
export class AlignmentState {
  readonly aliases = new Map<string, SessionAlias>();
  readonly completedAliases = new Map<string, SessionAlias>();
  readonly pending = new Map<string, PendingSubagentStart>();

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
    const found = [...this.pending].filter(([, pending]) => pending.context.parentSessionId === parentSessionId);
    for (const [child] of found) this.pending.delete(child);
    return found;
  }

  clearForEndedAgent(sessionId: string): void {
    const involves = (child: string, parent: string) => child === sessionId || parent === sessionId;
    deleteWhere(this.aliases, (child, alias) => involves(child, alias.parentSessionId));
    deleteWhere(this.completedAliases, (child, alias) => involves(child, alias.parentSessionId));
    deleteWhere(this.pending, (child, pending) => involves(child, pending.context.parentSessionId));
  }

  /** After the idle sweeper closed `subagentId` of `parentSessionId`. */
  clearForEndedSubagent(parentSessionId: string, subagentId: string): void {
    deleteWhere(this.aliases, (child, alias) => child === subagentId || (alias.parentSessionId === parentSessionId && alias.subagentId === subagentId));
    deleteWhere(this.pending, (child, pending) => child === subagentId || (pending.context.parentSessionId === parentSessionId && pending.event.sessionId === subagentId));
  }
}

function deleteWhere<V>(map: Map<string, V>, predicate: (key: string, value: V) => boolean): void {
  for (const [key, value] of [...map]) if (predicate(key, value)) map.delete(key);
}
