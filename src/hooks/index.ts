import type { Json } from '../json/value.js';
import type { AdapterInput, AdapterResult } from './adapter.js';
import { adaptClaudeCode } from './claude-code.js';
import { adaptCodex } from './codex.js';
import { adaptCursor } from './cursor.js';
import { eventNameOf } from './fields.js';
import type { HookHeaders } from './headers.js';
import { adaptHermes } from './hermes.js';
import { normalizeName } from './paths.js';
import type { UuidSource } from './synthetic-ids.js';
import type { HookAgentKind, HookOutcome } from './types.js';

/**
 * Hook payloads → normalized events (relay-cli.md §1): what NeMo-Relay's `/hooks/<agent>` endpoints
 * do before the session layer, as pure functions.
 */

export interface HookContext {
  /** The hook request's headers (session, subagent and profile headers are read). */
  headers?: HookHeaders;
  /** Source of the UUIDs for ids the hook lacks; seed it per record (see `seededUuids`). */
  ids: UuidSource;
  /**
   * Fix `single-synthetic-session-id`: the events of a hook without a session id share one
   * `hook-<uuid>` session (HEAD), instead of one each (the seed splits a prompt or stop hook in two).
   */
  oneSyntheticSessionPerHook?: boolean;
  /** Fix `cursor-mcp-result`: a Cursor `afterMCPExecution`'s `result_json` is its tool result (see `HookInput`). */
  cursorMcpResult?: boolean;
  /** Fix `cursor-shell-tool`: Cursor's shell hooks are the tool `Shell` with arguments `{command}` (see `HookInput`). */
  cursorShellTool?: boolean;
  /** Fix `cursor-agent-text`: Cursor's answer and thought hooks are marks too (see `HookInput`). */
  cursorAgentText?: boolean;
  /** Fix `hermes-turn-text`: Hermes's per-turn LLM hooks are marks too when they carry the turn's text (see `HookInput`). */
  hermesTurnText?: boolean;
}

const ADAPTERS: Readonly<Record<HookAgentKind, (input: AdapterInput) => AdapterResult>> = {
  'claude-code': adaptClaudeCode,
  codex: adaptCodex,
  cursor: adaptCursor,
  hermes: adaptHermes,
};

/**
 * Runs the adapter of `agent` on one hook. Any JSON value is accepted; a non-object simply has no
 * fields (event `unknown`, synthetic session). The events are in the order the session layer must
 * apply them; there may be none (Hermes uncorrelatable `pre_tool_call`, see `dropped`).
 */
export function adaptHook(agent: HookAgentKind, payload: Json, context: HookContext): HookOutcome {
  const eventName = eventNameOf(payload);
  const input: AdapterInput = { payload, headers: context.headers, ids: context.ids };
  if (context.oneSyntheticSessionPerHook) input.syntheticSession = {};
  if (context.cursorMcpResult) input.cursorMcpResult = true;
  if (context.cursorShellTool) input.cursorShellTool = true;
  if (context.cursorAgentText) input.cursorAgentText = true;
  if (context.hermesTurnText) input.hermesTurnText = true;
  const result = ADAPTERS[agent](input);
  const outcome: HookOutcome = { agent, eventName, normalizedName: normalizeName(eventName), events: result.events, response: result.response };
  if (result.dropped !== undefined) outcome.dropped = result.dropped;
  return outcome;
}

export { AGENT_KINDS, HOOK_AGENT_KINDS, parseHookAgentKind } from './agent-kind.js';
export { HOOK_HEADER, headerString, type HookHeaders } from './headers.js';
export { mergeJson, mergeMetadata } from './merge.js';
export {
  firstPresentAt, firstStringAt, hermesStringAt, hermesValueAt, jsonStringAt, jsonValueAt, normalizeName, stringAt,
  type Found,
} from './paths.js';
// The reference's string-like conversion of ids, one for hooks and gateway (it lives with serde's number text).
export { stringLike } from '../json/serde-number.js';
export { seededUuids, type UuidSource } from './synthetic-ids.js';
export { isTerminal } from './types.js';
export type {
  AgentKind, Classification, ClassificationRule, FieldSource, HookAgentKind, HookOutcome, LlmEvent, LlmHintEvent,
  NormalizedEvent, NormalizedEventType, SessionEvent, SubagentEvent, TableList, ToolEvent,
} from './types.js';
export { CLAUDE_CODE_TABLE } from './claude-code.js';
export { CODEX_TABLE } from './codex.js';
export { CURSOR_TABLE } from './cursor.js';
export { HERMES_TABLE } from './hermes.js';
export { TABLE_ORDER, type AgentTable } from './classify.js';
