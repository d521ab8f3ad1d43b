import type { AgentKind } from './types.js';

/** Every agent-kind string the relay writes into metadata (`agent_kind`). */
export const AGENT_KINDS: readonly AgentKind[] = ['codex', 'claude-code', 'cursor', 'hermes', 'gateway'];

// The agents with a hook endpoint are what a hook record may name: ingest checks them as it reads.
export { HOOK_AGENT_KINDS, parseHookAgentKind } from '../ingest/records/hook-agent.js';

/**
 * The coding agent a request's `User-Agent` names, with its version: Claude Code sends
 * `claude-cli/<version> (external, cli)` (`sdk-cli`, `claude-vscode` … in the parentheses), Codex
 * `codex_cli_rs/<version> (<os>; <arch>) <terminal>` and, for `codex exec`, `codex_exec/<version>`.
 * Undefined for any other client (an SDK's own user agent names no agent).
 */
export function agentOfUserAgent(userAgent: string): { kind: AgentKind; version: string } | undefined {
  const m = /^(claude-cli|codex_cli_rs|codex_exec)\/(\d[\w.+-]*)/.exec(userAgent.trim());
  if (!m) return undefined;
  return { kind: m[1] === 'claude-cli' ? 'claude-code' : 'codex', version: m[2] };
}
