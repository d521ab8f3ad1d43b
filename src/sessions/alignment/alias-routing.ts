import { jsonStringAt, mergeMetadata } from '../../hooks/index.js';
import type { SessionAlias } from '../../gateway/session-selection.js';
import type { Json } from '../../json/value.js';
import type { SessionInput } from '../events.js';

/**
 * Routing an aliased child session's events through its parent (relay-cli.md §3.7.3,
 * alignment/mod.rs `route_event_through_alias`): the session id becomes the parent's, the alias
 * metadata is stamped on, and the child's lifecycle becomes the parent's subagent lifecycle.
 */
export interface RoutedEvent {
  event: SessionInput;
  /** The child session whose alias this event finishes (its AgentEnded or TurnEnded). */
  finishedAlias?: string;
}

export function routeEventThroughAlias(event: SessionInput, aliases: ReadonlyMap<string, SessionAlias>): RoutedEvent {
  const child = event.sessionId;
  const alias = aliases.get(child);
  if (!alias) return { event };
  const parent = alias.parentSessionId;
  const metadata = mergeMetadata(event.metadata, alias.metadata);
  switch (event.type) {
    case 'AgentStarted':
      return { event: { type: 'SubagentStarted', sessionId: parent, agentKind: event.agentKind, eventName: event.eventName, subagentId: alias.subagentId, payload: event.payload, metadata } };
    case 'AgentEnded':
      return { event: { type: 'SubagentEnded', sessionId: parent, agentKind: event.agentKind, eventName: event.eventName, subagentId: alias.subagentId, payload: event.payload, metadata }, finishedAlias: child };
    case 'TurnEnded':
      return { event: { ...event, sessionId: parent, metadata }, finishedAlias: child };
    case 'PromptSubmitted':
    case 'Compaction':
    case 'Notification':
    case 'HookMark':
    case 'SubagentStarted':
    case 'SubagentEnded':
      return { event: { ...event, sessionId: parent, metadata } };
    case 'LlmHint':
    case 'ToolStarted':
    case 'ToolEnded':
      // The child's own subagent id (if any) is replaced: within the parent, the child *is* the subagent.
      return { event: { ...event, sessionId: parent, subagentId: alias.subagentId, metadata } };
    case 'LlmStarted':
    case 'LlmEnded': {
      // Hook LLM events have no subagent field; the owner travels in metadata for `hook_llm_owner`.
      const correlation = { llm_correlation_status: 'session_alias', llm_correlation_source: 'session_alias', llm_correlation_subagent_id: alias.subagentId };
      return { event: { ...event, sessionId: parent, metadata: mergeMetadata(event.metadata, mergeMetadata(alias.metadata, correlation)) } };
    }
  }
}

/**
 * The subagent a turn-level event belongs to when it came from an aliased child (its TurnEnded closes
 * that subagent, its PromptSubmitted is only a mark). Seed `json_string_at`: the first existing key
 * decides, unless `fallThrough` (fix `json-null-fallthrough`).
 */
export function aliasedTurnSubagentId(metadata: Json, fallThrough = false): string | undefined {
  return jsonStringAt(metadata, ['hermes_child_subagent_id', 'subagent_id', 'codex_subagent_session_id', 'subagent_session_id'], fallThrough);
}
