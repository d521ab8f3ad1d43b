import type { JsonObject } from '../json/value.js';
import type { AdapterInput, AdapterResult } from './adapter.js';
import { classifyHook, type AgentTable } from './classify.js';

/** Claude Code's hook names (relay-cli.md §1.4; NeMo-Relay adapters/claude_code.rs), normalized. */
export const CLAUDE_CODE_TABLE: AgentTable = {
  agent: 'claude-code',
  lists: {
    agent_start: ['sessionstart'],
    agent_end: ['sessionend'],
    subagent_start: ['subagentstart'],
    subagent_end: ['subagentstop', 'subagentend'],
    tool_start: ['pretooluse'],
    // Failed and denied tool calls still end the tool span; their status says how.
    tool_end: ['posttooluse', 'posttoolusefailure', 'toolusefailed', 'permissiondenied'],
  },
};

/**
 * Claude Code hooks. The endpoint answers a tool start with an explicit `allow` (PreToolUse is a
 * permission hook) and everything else with `{"continue":true}`; Claude rejects `null` optional
 * fields such as `stopReason`, so none are sent.
 */
export function adaptClaudeCode(input: AdapterInput): AdapterResult {
  const events = classifyHook({ ...input, agent: 'claude-code' }, CLAUDE_CODE_TABLE);
  const response: JsonObject =
    events[0]?.type === 'ToolStarted'
      ? { continue: true, hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow' } }
      : { continue: true };
  return { events, response };
}
