import { normalizeName } from './paths.js';
import type { AgentKind, HookAgentKind } from './types.js';

/** Every agent-kind string the relay writes into metadata (`agent_kind`). */
export const AGENT_KINDS: readonly AgentKind[] = ['codex', 'claude-code', 'cursor', 'hermes', 'gateway'];

/** The kinds with a hook endpoint, i.e. the valid `agent` of a hook record and of `--agent`. */
export const HOOK_AGENT_KINDS: readonly HookAgentKind[] = ['claude-code', 'codex', 'cursor', 'hermes'];

/**
 * Reads a hook agent name the way hook names are compared: case and separators are ignored, so
 * `claude-code`, `Claude_Code` and `claudecode` are all Claude Code. Unknown names (including
 * `gateway`, which has no hook endpoint) give undefined.
 */
export function parseHookAgentKind(text: string): HookAgentKind | undefined {
  const wanted = normalizeName(text);
  if (wanted === '') return undefined;
  return HOOK_AGENT_KINDS.find((kind) => normalizeName(kind) === wanted);
}
