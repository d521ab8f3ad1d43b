import { jsonStringAt } from '../../hooks/index.js';
import { getOwn, isObject, type Json } from '../../json/value.js';
import { trimRust } from '../../providers/sse/unicode-whitespace.js';
import type { SessionInputOf } from '../events.js';

/**
 * Claude Code's `Agent` tool completion (relay-cli.md §3.9, alignment/claude_code.rs): the tool's
 * result can report a finished worker, which closes that subagent even without a SubagentStop. An
 * asynchronous launch acknowledgement must not close it, or the worker's later hooks lose their scope.
 */

const NOT_TERMINAL = new Set(['async_launched', 'launched', 'started', 'running', 'pending', 'in_progress']);
const TERMINAL = new Set(['completed', 'complete', 'success', 'succeeded', 'failed', 'error', 'errored', 'cancelled', 'canceled', 'timeout', 'timed_out']);
const TERMINAL_EVIDENCE_KEYS = ['content', 'output', 'totalDurationMs', 'totalTokens', 'totalToolUseCount', 'durationMs', 'usage'];
const SUBAGENT_ID_PATHS = ['agentId', 'agent_id', 'subagentId', 'subagent_id'];

/**
 * The subagent a Claude `Agent` tool end reports as finished, or undefined. `fallThrough`: fix
 * `json-null-fallthrough` (`{"agentId": null, "agent_id": "w"}` names `w`; the seed finds nothing).
 */
export function completedSubagentFromAgentTool(event: Pick<SessionInputOf<'ToolEnded'>, 'agentKind' | 'toolName' | 'result'>, fallThrough = false): string | undefined {
  if (event.agentKind !== 'claude-code' || event.toolName !== 'Agent') return undefined;
  if (!isTerminalResult(event.result)) return undefined;
  return jsonStringAt(event.result, SUBAGENT_ID_PATHS, fallThrough);
}

function isTerminalResult(result: Json): boolean {
  // One path: the seed and HEAD read it alike.
  const raw = jsonStringAt(result, ['status']);
  if (raw !== undefined) {
    // trim (Unicode), ASCII lower-case, '-' and ' ' to '_'.
    const status = trimRust(raw).replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/[- ]/g, '_');
    if (NOT_TERMINAL.has(status)) return false;
    if (TERMINAL.has(status)) return true;
  }
  return isObject(result) && TERMINAL_EVIDENCE_KEYS.some((key) => {
    const value = getOwn(result, key);
    return value !== undefined && value !== null;
  });
}
