import type { SessionAlias } from '../../gateway/session-selection.js';
import type { SessionInputOf } from '../events.js';
import { augmentCodexMetadata, codexAliasForChild, codexSubagentContext, codexSubagentStartEvent, type CodexSubagentContext, type TranscriptReader } from './codex-child.js';
import { hermesAlias, hermesScopeMetadata, hermesSubagentContext, hermesSubagentStartEvent, type HermesSubagentContext } from './hermes-child.js';

/**
 * A child session's start that names its parent (relay-cli.md §3.3 step 1, §3.7): it is either
 * promoted at once into a subagent of the parent, or kept pending until the parent starts or a
 * gateway call names the child. The provider (Codex, Hermes) decides the subagent's shape.
 */
export type SubagentSessionContext = CodexSubagentContext | HermesSubagentContext;

export interface PendingSubagentStart {
  /** The child's AgentStarted, its metadata already augmented with the parent fields. */
  event: SessionInputOf<'AgentStarted'>;
  context: SubagentSessionContext;
}

/** Codex first (payload, metadata, transcript), then a Hermes bridge. `fallThrough`: fix `json-null-fallthrough`. */
export function subagentSessionContext(event: SessionInputOf<'AgentStarted'>, readTranscript?: TranscriptReader, fallThrough = false): SubagentSessionContext | undefined {
  return codexSubagentContext(event, readTranscript, fallThrough) ?? hermesSubagentContext(event, fallThrough);
}

/**
 * For an AgentStarted naming another session as its parent: the child id and the pending record.
 * The returned event carries the augmented metadata, which the caller keeps even when the start is
 * not intercepted (an active child stays a root but remembers its parent thread).
 */
export function pendingSubagentStart(
  event: SessionInputOf<'AgentStarted'>,
  readTranscript?: TranscriptReader,
  fallThrough = false,
): { childSessionId: string; pending: PendingSubagentStart } | undefined {
  const context = subagentSessionContext(event, readTranscript, fallThrough);
  if (!context || context.parentSessionId === event.sessionId) return undefined;
  const augmented = { ...event, metadata: context.provider === 'codex' ? augmentCodexMetadata(event.metadata, context) : hermesScopeMetadata(event.metadata, context) };
  return { childSessionId: event.sessionId, pending: { event: augmented, context } };
}

export function subagentStartEventOf(pending: PendingSubagentStart): SessionInputOf<'SubagentStarted'> {
  return pending.context.provider === 'codex' ? codexSubagentStartEvent(pending.event, pending.context) : hermesSubagentStartEvent(pending.event, pending.context);
}

export function aliasForChildSession(childSessionId: string, context: SubagentSessionContext): SessionAlias {
  return context.provider === 'codex' ? codexAliasForChild(childSessionId, context) : hermesAlias(context);
}
