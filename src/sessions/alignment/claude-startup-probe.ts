import type { LlmGatewayStart } from '../../gateway/llm-start.js';
import type { OwnerResolution } from '../../gateway/owner-resolution.js';
import type { Json } from '../../json/value.js';
import { isClaudeStartupProbe } from '../../providers/anthropic.js';
import type { Session } from '../session.js';

/**
 * Claude Code's startup probe (fix `claude-startup-probe`; NeMo-Relay after 0.3, #213): a one-token
 * `user: test` Anthropic request Claude Code sends before the first prompt. relay-0.3 treats it as
 * work: it opens a turn with no input and writes a trajectory of its own, a user step "test" and an
 * agent step of one token, beside the session's real turns. HEAD forwards it unmanaged: no turn, no
 * LLM events, the call only counted in flight (status `pre_turn_probe`, source `claude_startup_probe`).
 */

/** Whether the call is the probe: in a Claude Code session with no turn open, the exact probe request. */
export function isStartupProbeCall(session: Session, start: LlmGatewayStart): boolean {
  return session.agentKind === 'claude-code' && !session.turnScope && start.provider === 'anthropic.messages' && isClaudeStartupProbe(start.request.content, start.modelName);
}

/**
 * The probe's preparation in place of `prepareGatewayCall`: in flight on its session, no turn opened,
 * no owner resolved (no hint consumed; HEAD learns its request affinity, but "test" is shorter than
 * an affinity key, so there is nothing to learn). Its recorded owner is the session's root work
 * scope, as HEAD's `unmanaged_probe_owner` says; with no turn open that is the agent scope, if any.
 */
export function prepareStartupProbe(session: Session): { resolution: OwnerResolution; metadata: Json } {
  session.beginGatewayCall();
  const resolution: OwnerResolution = { rule: 'STARTUP_PROBE', status: 'pre_turn_probe', source: 'claude_startup_probe', ownerMetadata: null, skipped: [] };
  const root = session.rootWorkScope();
  if (root) resolution.parentScopeUuid = root.uuid;
  return { resolution, metadata: null };
}
