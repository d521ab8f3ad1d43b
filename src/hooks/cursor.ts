import type { JsonObject } from '../json/value.js';
import type { AdapterInput, AdapterResult } from './adapter.js';
import { classifyHook, type AgentTable } from './classify.js';

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
  const response: JsonObject = events[0]?.type === 'ToolStarted' ? { continue: true, permission: 'allow' } : { continue: true };
  return { events, response };
}
