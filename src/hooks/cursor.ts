import type { Json, JsonObject } from '../json/value.js';
import type { AdapterInput, AdapterResult } from './adapter.js';
import { classifyHook, type AgentTable } from './classify.js';
import { eventNameOf, TOOL_RESULT_PATHS } from './fields.js';
import { firstPresentAt, normalizeName } from './paths.js';

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
