import { mergeMetadata } from '../hooks/index.js';
import type { ResponseToolHint } from '../gateway/response-tool-hints.js';
import type { Json, JsonObject } from '../json/value.js';
import { completedSubagentFromAgentTool } from './alignment/claude-agent-tool.js';
import type { ScopeHandle } from './emitter.js';
import type { SessionInputOf } from './events.js';
import type { Session } from './session.js';

/**
 * Tool hooks (relay-cli.md §3.5.4, §3.6.8, §3.8): which scope a tool span belongs to, and its
 * start and end. Tool hints are the tool calls earlier LLM responses proposed; they let a tool hook
 * without a subagent id join the subagent whose LLM asked for it.
 */

type ToolEvent = SessionInputOf<'ToolStarted'> | SessionInputOf<'ToolEnded'>;

export interface ToolOwnerResolution {
  parent?: ScopeHandle;
  subagentId?: string;
  status: 'explicit' | 'single_hint' | 'matched_hint' | 'agent_fallback' | 'ambiguous_fallback';
  source?: string;
  hint?: ResponseToolHint;
}

/** Explicit subagent in the hook, else a tool hint, else the turn (or agent) scope. */
export function resolveToolOwner(session: Session, event: ToolEvent): ToolOwnerResolution {
  session.cleanupCorrelationState();
  const hints = session.toolHints;
  const explicit = event.subagentId === undefined ? undefined : session.subagents.get(event.subagentId);
  if (explicit) {
    // A matching hint is stale now that the hook named its owner.
    const stale = hints.match(event);
    if (stale) hints.take(stale);
    return { parent: explicit, subagentId: event.subagentId, status: 'explicit', source: 'hook_payload' };
  }
  const matched = hints.match(event);
  if (matched) {
    const status = hints.length === 1 ? 'single_hint' : 'matched_hint';
    const hint = matched.hint;
    hints.take(matched);
    const owner = hint.subagentId === undefined ? undefined : session.subagents.get(hint.subagentId);
    const resolution: ToolOwnerResolution = { parent: owner ?? session.rootWorkScope(), status, source: hint.source, hint };
    if (owner) resolution.subagentId = hint.subagentId;
    return resolution;
  }
  return { parent: session.rootWorkScope(), status: hints.length === 0 ? 'agent_fallback' : 'ambiguous_fallback' };
}

export function startTool(session: Session, event: SessionInputOf<'ToolStarted'>): void {
  session.ensureTurnStarted(event.metadata);
  if (session.tools.has(event.toolCallId)) return;
  session.tools.set(event.toolCallId, openTool(session, event));
}

/**
 * The end of a tool; without an active start one is synthesized (owner resolution included), so a
 * post-only or duplicate end still yields a complete span. A Claude `Agent` result may then close
 * the subagent it reports as finished.
 */
export function endTool(session: Session, event: SessionInputOf<'ToolEnded'>): void {
  session.ensureTurnStarted(event.metadata);
  const completedAgent = completedSubagentFromAgentTool(event, session.jsonStringFallThrough);
  const explicitSubagent = event.subagentId !== undefined && session.subagents.has(event.subagentId) ? event.subagentId : undefined;
  let handle = session.tools.get(event.toolCallId);
  if (handle) session.tools.delete(event.toolCallId);
  else handle = openTool(session, event);
  session.emitter.endScope(handle, { data: event.result, metadata: mergeMetadata(event.metadata, { status: event.status ?? null }) });
  session.setStickyOwner(explicitSubagent, 'tool');
  if (completedAgent !== undefined) session.closeSubagentScope(completedAgent, event.result);
}

function openTool(session: Session, event: ToolEvent): ScopeHandle {
  const owner = resolveToolOwner(session, event);
  // The hook's arguments, or the consumed hint's when the hook carried none.
  const args = event.arguments === null && owner.hint ? owner.hint.arguments : event.arguments;
  const metadata = toolCorrelationMetadata(event.metadata, owner);
  session.setStickyOwner(owner.subagentId, 'tool');
  return session.emitter.startScope({
    parentUuid: owner.parent?.uuid ?? session.stackTop(),
    name: event.toolName,
    category: 'tool',
    data: args,
    metadata,
    categoryProfile: { tool_call_id: event.toolCallId },
  });
}

function toolCorrelationMetadata(metadata: Json, owner: ToolOwnerResolution): Json {
  const correlation: JsonObject = { tool_correlation_status: owner.status };
  if (owner.source !== undefined) correlation.tool_correlation_source = owner.source;
  if (owner.subagentId !== undefined) correlation.tool_correlation_subagent_id = owner.subagentId;
  const hint = owner.hint;
  if (hint) {
    if (hint.toolCallId !== undefined) correlation.tool_correlation_tool_call_id = hint.toolCallId;
    if (hint.toolName !== undefined) correlation.tool_correlation_tool_name = hint.toolName;
    if (hint.arguments !== null) correlation.tool_correlation_arguments = hint.arguments;
  }
  return mergeMetadata(metadata, correlation);
}
