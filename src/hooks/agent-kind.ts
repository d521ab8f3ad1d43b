import type { AgentKind } from './types.js';

/** Every agent-kind string the relay writes into metadata (`agent_kind`). */
export const AGENT_KINDS: readonly AgentKind[] = ['codex', 'claude-code', 'cursor', 'hermes', 'gateway'];

// The agents with a hook endpoint are what a hook record may name: ingest checks them as it reads.
export { HOOK_AGENT_KINDS, parseHookAgentKind } from '../ingest/records/hook-agent.js';
