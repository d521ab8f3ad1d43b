import { mergeMetadata } from '../hooks/index.js';
import type { ResponseToolHint } from '../gateway/response-tool-hints.js';
import { canonicalJson } from '../json/stringify.js';
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
  session.tools.set(event.toolCallId, openTool(session, event, session.toolEndByArguments));
}

/**
 * What fix `tool-end-name-arguments` compares an unmatched tool end with: the active tool's name, its
 * arguments as its span started and its owner. The arguments are kept as read and printed canonically
 * (key order does not count) only when an end with the same name finds no tool by its id, which is
 * rare: printing them at every tool start cost the replay a serialisation per tool.
 */
export interface ActiveToolIdentity {
  name: string;
  arguments: Json;
  ownerSubagentId?: string;
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
  let endMetadata = mergeMetadata(event.metadata, { status: event.status ?? null });
  let handle = session.tools.get(event.toolCallId);
  const byArguments = handle === undefined && session.toolEndByArguments ? activeToolByNameAndArguments(session, event) : undefined;
  if (byArguments !== undefined) {
    handle = session.tools.get(byArguments);
    // The end's own id is kept beside the start's (the span keeps the start's tool_call_id).
    endMetadata = mergeMetadata(endMetadata, { tool_correlation_end_match: 'name_arguments', tool_correlation_end_tool_call_id: event.toolCallId });
  }
  const id = byArguments ?? event.toolCallId;
  if (handle) {
    session.tools.delete(id);
    session.toolIdentities.delete(id);
  } else handle = openTool(session, event, false);
  session.emitter.endScope(handle, { data: event.result, metadata: endMetadata });
  session.setStickyOwner(explicitSubagent, 'tool');
  if (completedAgent !== undefined) session.closeSubagentScope(completedAgent, event.result);
}

/**
 * Fix `tool-end-name-arguments` (NeMo-Relay #205): the id of the one active tool an end whose id names
 * none stands for. Pre and post hooks do not always agree on the id: Hermes's pre hook may carry its
 * own id where the post hook has the provider's; Cursor's MCP hooks, and the tool hooks of Claude Code
 * releases without `tool_use_id`, carry no id, so each got its own synthetic `tool-…` id. The tool must
 * have the end's name and the same arguments (an end without arguments matches nothing) and, when the
 * end has an owner (an active subagent it names, else the one a pending tool hint gives it), that
 * owner; with no owner, any tool qualifies, as at HEAD. Two or more candidates: none is guessed.
 */
function activeToolByNameAndArguments(session: Session, event: SessionInputOf<'ToolEnded'>): string | undefined {
  if (event.arguments === null || session.toolIdentities.size === 0) return undefined;
  const owner = toolEndOwner(session, event);
  const args = canonicalJson(event.arguments);
  let found: string | undefined;
  for (const [id, active] of session.toolIdentities) {
    if (active.name !== event.toolName || canonicalJson(active.arguments) !== args) continue;
    if (owner !== undefined && active.ownerSubagentId !== owner) continue;
    if (found !== undefined) return undefined;
    found = id;
  }
  return found;
}

/** The owner of a tool end for that match: an active subagent it names, else a pending hint's (not consumed). */
function toolEndOwner(session: Session, event: SessionInputOf<'ToolEnded'>): string | undefined {
  if (event.subagentId !== undefined && session.subagents.has(event.subagentId)) return event.subagentId;
  const hinted = session.toolHints.match(event)?.hint.subagentId;
  return hinted !== undefined && session.subagents.has(hinted) ? hinted : undefined;
}

function openTool(session: Session, event: ToolEvent, remember: boolean): ScopeHandle {
  const owner = resolveToolOwner(session, event);
  // The hook's arguments, or the consumed hint's when the hook carried none.
  const args = event.arguments === null && owner.hint ? owner.hint.arguments : event.arguments;
  const metadata = toolCorrelationMetadata(event.metadata, owner);
  session.setStickyOwner(owner.subagentId, 'tool');
  if (remember) {
    const identity: ActiveToolIdentity = { name: event.toolName, arguments: args };
    if (owner.subagentId !== undefined) identity.ownerSubagentId = owner.subagentId;
    session.toolIdentities.set(event.toolCallId, identity);
  }
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
