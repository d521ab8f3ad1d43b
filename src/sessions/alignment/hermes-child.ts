import { jsonStringAt, mergeMetadata } from '../../hooks/index.js';
import type { SessionAlias } from '../../gateway/session-selection.js';
import type { Json, JsonObject } from '../../json/value.js';
import type { SessionInputOf } from '../events.js';

/**
 * Hermes child sessions (relay-cli.md §3.7.2, alignment/hermes.rs). Hermes reports a subagent from
 * the parent session (`subagent_start` with bridge fields) while the worker also opens a session of
 * its own; the bridge lets that child session's events be routed under the parent's subagent.
 */
export interface HermesSubagentContext {
  provider: 'hermes';
  parentSessionId: string;
  subagentId: string;
  childSessionId: string;
  parentTurnId?: string;
  childRole?: string;
  childGoal?: string;
}

const withExtra = (keys: readonly string[]) => [...keys, ...keys.map((k) => `extra.${k}`)];
const CHILD_SESSION_PATHS = withExtra(['child_session_id', 'childSessionId', 'subagent_session_id', 'subagentSessionId']);
const PARENT_SESSION_PATHS = ['parent_session_id', 'parentSessionId', 'parent.session_id', 'extra.parent_session_id', 'extra.parentSessionId', 'extra.parent.session_id'];
const SUBAGENT_PATHS = withExtra(['child_subagent_id', 'childSubagentId', 'subagent_id', 'subagentId', 'agent_id']);

/**
 * The bridge read from the payload, then the metadata; without a child session id there is none.
 * `fallThrough`: fix `json-null-fallthrough` for every look-up.
 */
export function hermesContextFromValues(defaultParentSessionId: string, payload: Json, metadata: Json, fallThrough = false): HermesSubagentContext | undefined {
  const read = (paths: readonly string[]) => jsonStringAt(payload, paths, fallThrough) ?? jsonStringAt(metadata, paths, fallThrough);
  const childSessionId = read(CHILD_SESSION_PATHS);
  if (childSessionId === undefined) return undefined;
  const context: HermesSubagentContext = {
    provider: 'hermes',
    parentSessionId: read(PARENT_SESSION_PATHS) ?? defaultParentSessionId,
    subagentId: read(SUBAGENT_PATHS) ?? childSessionId,
    childSessionId,
  };
  const optional = (key: string) => read([key, `extra.${key}`]);
  const parentTurnId = optional('parent_turn_id');
  const childRole = optional('child_role');
  const childGoal = optional('child_goal');
  if (parentTurnId !== undefined) context.parentTurnId = parentTurnId;
  if (childRole !== undefined) context.childRole = childRole;
  if (childGoal !== undefined) context.childGoal = childGoal;
  return context;
}

/** Child-side path: a Hermes session start that names a different parent session (handled as a pending start). */
export function hermesSubagentContext(event: SessionInputOf<'AgentStarted'>, fallThrough = false): HermesSubagentContext | undefined {
  if (event.agentKind !== 'hermes') return undefined;
  const context = hermesContextFromValues(event.sessionId, event.payload, event.metadata, fallThrough);
  return context && context.parentSessionId !== event.sessionId ? context : undefined;
}

export interface HermesExplicitAlias {
  childSessionId: string;
  alias: SessionAlias;
  /** Merged into the parent's SubagentStarted metadata. */
  scopeMetadata: Json;
}

/** Parent-side path: a Hermes `subagent_start` whose bridge names another session as the child. */
export function hermesExplicitAlias(event: SessionInputOf<'SubagentStarted'>, fallThrough = false): HermesExplicitAlias | undefined {
  if (event.agentKind !== 'hermes') return undefined;
  const context = hermesContextFromValues(event.sessionId, event.payload, event.metadata, fallThrough);
  if (!context || context.childSessionId === event.sessionId) return undefined;
  return { childSessionId: context.childSessionId, alias: hermesAlias(context), scopeMetadata: hermesScopeMetadata(event.metadata, context) };
}

/** The child session a Hermes subagent end speaks of, if any. */
export function hermesChildSessionOf(event: SessionInputOf<'SubagentEnded'>, fallThrough = false): string | undefined {
  if (event.agentKind !== 'hermes') return undefined;
  return hermesContextFromValues(event.sessionId, event.payload, event.metadata, fallThrough)?.childSessionId;
}

export function hermesAlias(context: HermesSubagentContext): SessionAlias {
  return { parentSessionId: context.parentSessionId, subagentId: context.subagentId, metadata: baseMetadata(context) };
}

/** Event metadata plus the bridge fields and the child's own session id. */
export function hermesScopeMetadata(metadata: Json, context: HermesSubagentContext): Json {
  return mergeMetadata(metadata, { ...baseMetadata(context), session_id: context.childSessionId });
}

export function hermesSubagentStartEvent(event: SessionInputOf<'AgentStarted'>, context: HermesSubagentContext): SessionInputOf<'SubagentStarted'> {
  return {
    type: 'SubagentStarted',
    sessionId: context.parentSessionId,
    agentKind: event.agentKind,
    eventName: event.eventName,
    subagentId: context.subagentId,
    payload: event.payload,
    metadata: hermesScopeMetadata(event.metadata, context),
  };
}

function baseMetadata(context: HermesSubagentContext): JsonObject {
  const metadata: JsonObject = {
    thread_source: 'subagent',
    subagent_id: context.subagentId,
    subagent_session_id: context.childSessionId,
    hermes_parent_session_id: context.parentSessionId,
    hermes_subagent_session_id: context.childSessionId,
    hermes_child_subagent_id: context.subagentId,
  };
  if (context.parentTurnId !== undefined) metadata.hermes_parent_turn_id = context.parentTurnId;
  if (context.childRole !== undefined) metadata.child_role = context.childRole;
  if (context.childGoal !== undefined) metadata.child_goal = context.childGoal;
  return metadata;
}
