import type { AdapterInput, AdapterResult } from './adapter.js';
import { classifyHook, type AgentTable } from './classify.js';

/**
 * Codex's hook names (relay-cli.md §1.4; NeMo-Relay adapters/codex.rs), normalized. Codex 0.129 sends
 * PascalCase names (`SessionStart`, `PreToolUse`, …), which match after normalization.
 * `PostToolUseFailure` is not listed: for Codex it is a hook mark, and only `toolFailed` ends a tool in error.
 */
export const CODEX_TABLE: AgentTable = {
  agent: 'codex',
  lists: {
    agent_start: ['sessionstart', 'agentstarted'],
    agent_end: ['sessionend', 'agentended'],
    subagent_start: ['subagentstart'],
    subagent_end: ['subagentstop', 'subagentend'],
    tool_start: ['pretooluse', 'toolstarted', 'toolstart'],
    tool_end: ['posttooluse', 'toolended', 'toolend', 'toolfailed'],
  },
};

/** Codex hooks. The endpoint always answers `{}`: the relay records Codex hooks, it never steers them. */
export function adaptCodex(input: AdapterInput): AdapterResult {
  return { events: classifyHook({ ...input, agent: 'codex' }, CODEX_TABLE), response: {} };
}
