import { setOwn, valueAt, type Json, type JsonObject } from '../json/value.js';
import { HOOK_HEADER, headerString, type HookHeaders } from './headers.js';
import { firstPresentAt, firstStringAt, stringAt } from './paths.js';
import type { UuidSource } from './synthetic-ids.js';
import type { FieldSource, HookAgentKind } from './types.js';

/**
 * The field extraction every adapter shares (relay-cli.md §1.2). Path lists are in precedence order;
 * string fields use fall-through lookup (`firstStringAt`), value fields stop at the first existing key.
 */

/** One hook as an adapter sees it. */
export interface HookInput {
  agent: HookAgentKind;
  payload: Json;
  headers?: HookHeaders;
  /** Source of the UUIDs behind synthetic `hook-…` and `tool-…` ids. */
  ids: UuidSource;
  /**
   * Present with fix `single-synthetic-session-id`: the one `hook-…` id of this hook, drawn by its
   * first event that needs it and reused by the others. Absent, every event draws its own (seed).
   */
  syntheticSession?: { id?: string };
  /**
   * Fix `cursor-mcp-result`: a Cursor `afterMCPExecution` without any of the result keys below gives
   * its `result_json` (the MCP tool's output as Cursor sends it) as the tool result. Absent, the seed.
   */
  cursorMcpResult?: boolean;
  /**
   * Fix `cursor-shell-tool`: a Cursor shell hook without tool name or argument keys is the tool `Shell`
   * with arguments `{command}`. Absent, the seed (`unknown_tool`, null arguments).
   */
  cursorShellTool?: boolean;
  /**
   * Fix `cursor-agent-text`: a Cursor `afterAgentResponse` / `afterAgentThought` with a non-blank
   * `text` is a `hook_mark` too (after its LLM hint), so its text reaches the trajectory. Absent, the
   * seed (the hint alone, which no event carries).
   */
  cursorAgentText?: boolean;
  /**
   * Fix `hermes-turn-text`: a Hermes `pre_llm_call` with a non-blank `user_message`, or `post_llm_call`
   * with a non-blank `assistant_response`, is a `hook_mark` too (after its LLM hint). Absent, the seed.
   */
  hermesTurnText?: boolean;
}

export interface Sourced<T> {
  value: T;
  source: FieldSource;
}

const SESSION_ID_PATHS = [
  'session_id', 'sessionId', 'session.id', 'conversation_id', 'conversationId', 'parent_session_id',
  'task_id', 'extra.session_id', 'extra.task_id',
] as const;

const EVENT_NAME_PATHS = [
  'hook_event_name', 'event_name', 'eventName', 'event', 'type', 'name',
  'extra.hook_event_name', 'extra.event_name', 'extra.eventName', 'extra.event', 'extra.type', 'extra.name',
] as const;

/** Top-level payload keys copied into the shared metadata under the same name, when string-like. */
const METADATA_KEYS = ['cwd', 'transcript_path', 'project_dir', 'user_email', 'model', 'agent_id', 'agent_type'] as const;

const SUBAGENT_ID_PATHS = [
  'subagent_id', 'subagentId', 'child_subagent_id', 'childSubagentId', 'agent_id', 'subagent.id', 'agent.id',
  'extra.subagent_id', 'extra.subagentId', 'extra.child_subagent_id', 'extra.childSubagentId', 'extra.agent_id',
  'extra.subagent.id', 'extra.agent.id',
] as const;

const TOOL_CALL_ID_PATHS = [
  'tool_call_id', 'toolCallId', 'tool_use_id', 'call_id', 'extra.tool_call_id', 'extra.call_id', 'tool.id',
  'tool_input.id', 'id',
] as const;
export const TOOL_NAME_PATHS = ['tool_name', 'toolName', 'tool.name', 'tool_input.name', 'name'] as const;
export const TOOL_ARGUMENT_PATHS = ['tool_input', 'input', 'arguments', 'args'] as const;
export const TOOL_RESULT_PATHS = ['tool_output', 'tool_response', 'output', 'result', 'extra.tool_output', 'extra.result'] as const;
const TOOL_STATUS_PATHS = ['status', 'decision', 'permission'] as const;
/** Top-level keys gathered as the result of a failure/denied hook that carries no explicit output. */
const FAILURE_DETAIL_KEYS = ['error', 'reason', 'is_interrupt', 'duration_ms'] as const;

/** The LLM hint's optional string fields and their paths (the subagent id is resolved separately). */
export const LLM_HINT_PATHS = {
  agentId: ['agent_id', 'agent.id'],
  agentType: ['agent_type', 'agent.type', 'agent.name'],
  conversationId: ['conversation_id', 'conversationId', 'conversation.id'],
  generationId: ['generation_id', 'generationId', 'generation.id'],
  requestId: ['request_id', 'requestId', 'request.id', 'extra.request_id'],
  model: ['model', 'model_name', 'modelName'],
} as const;

/**
 * Session id: relay header → Claude header (for every agent) → payload paths → `hook-<uuid>`.
 * The synthetic id is drawn anew on every call, as the seed does per event (§1.2 quirk), unless the
 * hook shares one (`syntheticSession`, as HEAD does).
 */
export function sessionIdOf(input: HookInput): Sourced<string> {
  for (const header of [HOOK_HEADER.relaySessionId, HOOK_HEADER.claudeCodeSessionId]) {
    const value = headerString(input.headers, header);
    if (value !== undefined) return { value, source: `header:${header}` };
  }
  const found = firstStringAt(input.payload, SESSION_ID_PATHS);
  if (found !== undefined) return { value: found.value, source: `payload:${found.path}` };
  return { value: syntheticSessionId(input), source: 'synthetic' };
}

function syntheticSessionId(input: HookInput): string {
  const shared = input.syntheticSession;
  if (shared === undefined) return `hook-${input.ids.next()}`;
  // Drawn lazily, so a one-event hook uses the same uuid as the seed would.
  shared.id ??= `hook-${input.ids.next()}`;
  return shared.id;
}

/** The raw hook event name, or `unknown`, which classifies as a hook mark rather than failing. */
export function eventNameOf(payload: Json): string {
  return firstStringAt(payload, EVENT_NAME_PATHS)?.value ?? 'unknown';
}

/** The shared metadata object of §1.2: low-cardinality fields only; the payload travels whole beside it. */
export function sharedMetadata(input: HookInput, eventName: string): JsonObject {
  const metadata: JsonObject = { agent_kind: input.agent, hook_event_name: eventName };
  const profile = headerString(input.headers, HOOK_HEADER.configProfile);
  if (profile !== undefined) metadata.gateway_config_profile = profile;
  for (const key of METADATA_KEYS) {
    const value = stringAt(input.payload, key);
    if (value !== undefined) setOwn(metadata, key, value);
  }
  return metadata;
}

/**
 * The subagent id a hook carries: payload paths, then the `x-nemo-relay-subagent-id` header.
 * `agent_id` counts because several agents call their spawned workers "agents".
 */
export function subagentIdOf(input: HookInput): Sourced<string> | undefined {
  const found = firstStringAt(input.payload, SUBAGENT_ID_PATHS);
  if (found !== undefined) return { value: found.value, source: `payload:${found.path}` };
  const header = headerString(input.headers, HOOK_HEADER.subagentId);
  return header === undefined ? undefined : { value: header, source: `header:${HOOK_HEADER.subagentId}` };
}

export function toolCallIdOf(input: HookInput): Sourced<string> {
  const found = firstStringAt(input.payload, TOOL_CALL_ID_PATHS);
  if (found !== undefined) return { value: found.value, source: `payload:${found.path}` };
  return { value: `tool-${input.ids.next()}`, source: 'synthetic' };
}

export function toolNameOf(payload: Json): Sourced<string> {
  const found = firstStringAt(payload, TOOL_NAME_PATHS);
  if (found !== undefined) return { value: found.value, source: `payload:${found.path}` };
  return { value: 'unknown_tool', source: 'default' };
}

/** Tool arguments; JSON null when absent, so consumers can tell "none supplied" from `{}`. */
export function toolArgumentsOf(payload: Json): Json {
  return firstPresentAt(payload, TOOL_ARGUMENT_PATHS)?.value ?? null;
}

/** Hook names whose tool end reports a failure (`error`) or a denial (`denied`). */
function isFailureName(normalizedName: string): boolean {
  return normalizedName.includes('failure') || normalizedName.includes('failed');
}
function isDeniedName(normalizedName: string): boolean {
  return normalizedName.includes('permissiondenied');
}

/**
 * Tool result: an explicit output wins; otherwise failure/denied hooks get their diagnostic fields
 * gathered into an object, so a failed call still has something to show; otherwise null.
 */
export function toolResultOf(payload: Json, normalizedName: string): Json {
  const explicit = firstPresentAt(payload, TOOL_RESULT_PATHS);
  if (explicit !== undefined) return explicit.value;
  if (!isFailureName(normalizedName) && !isDeniedName(normalizedName)) return null;
  const details: JsonObject = {};
  for (const key of FAILURE_DETAIL_KEYS) {
    const value = valueAt(payload, key);
    if (value !== undefined) setOwn(details, key, value);
  }
  return Object.keys(details).length > 0 ? details : null;
}

/** Tool status: explicit payload fields first; the hook name only supplies `error` or `denied`. */
export function toolStatusOf(payload: Json, normalizedName: string): string | undefined {
  const explicit = firstStringAt(payload, TOOL_STATUS_PATHS);
  if (explicit !== undefined) return explicit.value;
  if (isFailureName(normalizedName)) return 'error';
  if (isDeniedName(normalizedName)) return 'denied';
  return undefined;
}
