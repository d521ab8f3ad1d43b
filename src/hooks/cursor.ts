import { getOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import type { AdapterInput, AdapterResult } from './adapter.js';
import { classifyHook, type AgentTable } from './classify.js';
import { buildSessionEvent } from './events.js';
import { eventNameOf, TOOL_ARGUMENT_PATHS, TOOL_NAME_PATHS, TOOL_RESULT_PATHS } from './fields.js';
import { firstPresentAt, firstStringAt, normalizeName } from './paths.js';

/**
 * Cursor's hook names (relay-cli.md §1.4; NeMo-Relay adapters/cursor.rs), normalized. Shell and MCP
 * hooks collapse into plain tool events. `stop` ends the agent here, and because that is terminal
 * it brings no extra TurnEnded.
 */
export const CURSOR_TABLE: AgentTable = {
  agent: 'cursor',
  lists: {
    agent_start: ['sessionstart'],
    agent_end: ['sessionend', 'stop'],
    subagent_start: ['subagentstart'],
    subagent_end: ['subagentstop', 'subagentend'],
    tool_start: ['pretooluse', 'beforeshellexecution', 'beforemcpexecution'],
    tool_end: ['posttooluse', 'aftershellexecution', 'aftermcpexecution', 'posttoolusefailure'],
  },
};

/** Cursor hooks. Tool starts are answered fail-open with `permission: allow`; the rest with `continue`. */
export function adaptCursor(input: AdapterInput): AdapterResult {
  const events = classifyHook({ ...input, agent: 'cursor' }, CURSOR_TABLE);
  if (input.cursorMcpResult) {
    const mcpResult = mcpResultJson(input.payload);
    for (const event of events) if (event.type === 'ToolEnded' && mcpResult !== undefined) event.result = mcpResult;
  }
  if (input.cursorShellTool) {
    const shell = shellTool(input.payload);
    for (const event of events) {
      if (shell === undefined || (event.type !== 'ToolStarted' && event.type !== 'ToolEnded')) continue;
      if (shell.name !== undefined) {
        event.toolName = shell.name;
        event.toolNameSource = 'payload:command';
      }
      if (shell.arguments !== undefined) event.arguments = shell.arguments;
    }
  }
  if (input.cursorAgentText && agentText(input.payload) !== undefined) {
    const normalizedName = normalizeName(eventNameOf(input.payload));
    const reason = `${JSON.stringify(normalizedName)} carries the agent's text: with fix cursor-agent-text it is also a hook mark, so the text is in an event`;
    events.push({ type: 'HookMark', ...buildSessionEvent({ ...input, agent: 'cursor' }, { rule: 'cursor.agent_text', normalizedName, reason }) });
  }
  const response: JsonObject = events[0]?.type === 'ToolStarted' ? { continue: true, permission: 'allow' } : { continue: true };
  return { events, response };
}

/**
 * Fix `cursor-mcp-result`: Cursor's `afterMCPExecution` carries the MCP tool's output as `result_json`
 * (its shell hook says `output`, which the shared result keys read). The seed reads none of the
 * result keys there, so the tool ended with a null result and the output was in no step. The value
 * is taken as sent (Cursor sends JSON text), and only when the hook has none of the shared result keys.
 */
function mcpResultJson(payload: Json): Json | undefined {
  if (normalizeName(eventNameOf(payload)) !== 'aftermcpexecution') return undefined;
  if (firstPresentAt(payload, TOOL_RESULT_PATHS) !== undefined) return undefined;
  return firstPresentAt(payload, ['result_json'])?.value;
}

/** Cursor's name for its terminal tool (the `Shell` of its `preToolUse` matchers). */
export const CURSOR_SHELL_TOOL = 'Shell';

const SHELL_HOOKS: ReadonlySet<string> = new Set(['beforeshellexecution', 'aftershellexecution']);

/**
 * Fix `cursor-shell-tool`: Cursor's shell hooks carry `command` (and `cwd`, `output`, `duration`) and
 * none of the tool name, id or argument keys, so relay-0.3 made every command a tool `unknown_tool`
 * with null arguments, and its `afterShellExecution` a second such tool (its own synthetic id, and
 * null arguments that tool-end-name-arguments cannot match): the command run was in no step. With the
 * fix both hooks are the tool `Shell` with arguments `{command}` (cwd stays in the metadata, where the
 * shared metadata puts it, so a start and its end agree whether or not the end repeats it), so the end
 * finds its start by name and arguments. A name or arguments key the hook does have is kept.
 */
function shellTool(payload: Json): { name?: string; arguments?: Json } | undefined {
  if (!SHELL_HOOKS.has(normalizeName(eventNameOf(payload)))) return undefined;
  const command = firstStringAt(payload, ['command']);
  if (command === undefined) return undefined;
  const shell: { name?: string; arguments?: Json } = {};
  if (firstStringAt(payload, TOOL_NAME_PATHS) === undefined) shell.name = CURSOR_SHELL_TOOL;
  if (firstPresentAt(payload, TOOL_ARGUMENT_PATHS) === undefined) shell.arguments = { command: command.value };
  return shell;
}

/** Cursor's hooks that report what the agent wrote: its answer and its reasoning (thinking blocks). */
export const CURSOR_AGENT_TEXT_HOOKS: ReadonlySet<string> = new Set(['afteragentresponse', 'afteragentthought']);

/**
 * Fix `cursor-agent-text`: the non-blank `text` of a Cursor `afterAgentResponse` (the answer the agent
 * wrote) or `afterAgentThought` (a thinking block, with `duration_ms`). relay-0.3 makes these hooks LLM
 * hints only, which correlate gateway calls and are written to no event, so without gateway captures
 * (Cursor calls its own backend) every answer and thought of a Cursor session was lost.
 */
export function agentText(payload: Json): string | undefined {
  if (!CURSOR_AGENT_TEXT_HOOKS.has(normalizeName(eventNameOf(payload)))) return undefined;
  const text = isObject(payload) ? getOwn(payload, 'text') : undefined;
  return typeof text === 'string' && text.trim() !== '' ? text : undefined;
}
