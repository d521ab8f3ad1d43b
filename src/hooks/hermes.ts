import { valueAt, type Json } from '../json/value.js';
import type { AdapterInput, AdapterResult } from './adapter.js';
import { classifyHook, type AgentTable } from './classify.js';
import { buildSessionEvent } from './events.js';
import { eventNameOf, type HookInput } from './fields.js';
import { HOOK_HEADER, headerString, type HookHeaders } from './headers.js';
import { buildHermesLlmEvent } from './hermes-llm.js';
import { hermesStringAt, hermesValueAt, normalizeName } from './paths.js';
import type { ClassificationRule, NormalizedEvent } from './types.js';

/** Hermes's hook names for the generic classifier (relay-cli.md §1.4; NeMo-Relay adapters/hermes.rs), normalized. */
export const HERMES_TABLE: AgentTable = {
  agent: 'hermes',
  lists: {
    agent_start: ['onsessionstart', 'sessionstart'],
    agent_end: ['onsessionfinalize', 'onsessionreset'],
    subagent_start: ['subagentstart'],
    subagent_end: ['subagentstop'],
    tool_start: ['pretoolcall'],
    tool_end: ['posttoolcall'],
  },
};

/** Hermes LLM hooks and the event each yields; they bypass the generic classifier. */
const LLM_HOOKS: Readonly<Record<string, { type: 'LlmStarted' | 'LlmEnded'; rule: ClassificationRule }>> = {
  preapirequest: { type: 'LlmStarted', rule: 'hermes.pre_api_request' },
  postapirequest: { type: 'LlmEnded', rule: 'hermes.post_api_request' },
  apirequesterror: { type: 'LlmEnded', rule: 'hermes.api_request_error' },
};

/** Keys (top level, else under `extra`) that count as explicit session evidence; `task_id` deliberately does not. */
const SESSION_EVIDENCE_KEYS = ['session_id', 'sessionId', 'conversation_id', 'conversationId', 'parent_session_id'] as const;
const TOOL_CALL_ID_KEYS = ['tool_call_id', 'toolCallId', 'tool_use_id', 'call_id', 'id'] as const;

/**
 * Hermes hooks. Special cases run before the generic classifier, in this order: the three LLM
 * hooks; an uncorrelatable `pre_tool_call` (dropped); `on_session_end`, which in Hermes is a per-turn
 * boundary and so only ends the turn. The endpoint always answers `{}`.
 */
export function adaptHermes(input: AdapterInput): AdapterResult {
  const hook: HookInput = { ...input, agent: 'hermes' };
  const normalizedName = normalizeName(eventNameOf(hook.payload));

  const llm = LLM_HOOKS[normalizedName];
  if (llm !== undefined) {
    const reason = `Hermes reports its own LLM calls: "${normalizedName}" is a ${llm.type === 'LlmStarted' ? 'start' : 'end'} of one`;
    const event = buildHermesLlmEvent(hook, { rule: llm.rule, normalizedName, reason });
    return { events: [{ type: llm.type, ...event }], response: {} };
  }

  if (normalizedName === 'pretoolcall') {
    const missing = missingCorrelation(hook.payload, hook.headers);
    if (missing.length > 0) {
      // Public Hermes releases send pre_tool_call with only a task id; opening a session from it
      // would leave a synthetic session behind. The matching post_tool_call still records the tool.
      const reason = `Hermes pre_tool_call without ${missing.join(' or ')} cannot be correlated, so it is dropped`;
      return { events: [], response: {}, dropped: { rule: 'hermes.uncorrelatable_pre_tool_call', reason } };
    }
  }

  if (normalizedName === 'onsessionend') {
    const reason = 'Hermes on_session_end closes a turn, not the session (on_session_finalize does that)';
    const event: NormalizedEvent = { type: 'TurnEnded', ...buildSessionEvent(hook, { rule: 'hermes.on_session_end', normalizedName, reason }) };
    return { events: [event], response: {} };
  }

  const events = classifyHook(hook, HERMES_TABLE);
  if (input.hermesTurnText && hermesTurnText(hook.payload) !== undefined) {
    const reason = `${JSON.stringify(normalizedName)} carries the turn's text: with fix hermes-turn-text it is also a hook mark, so the text is in an event`;
    events.push({ type: 'HookMark', ...buildSessionEvent(hook, { rule: 'hermes.turn_text', normalizedName, reason }) });
  }
  return { events, response: {} };
}

/** Hermes's per-turn LLM hooks and the key holding the turn's text (Hermes plugin hooks: pre_llm_call, post_llm_call). */
const TURN_TEXT_KEYS: Readonly<Record<string, { kind: 'prompt' | 'answer'; key: string }>> = {
  prellmcall: { kind: 'prompt', key: 'user_message' },
  postllmcall: { kind: 'answer', key: 'assistant_response' },
};

/**
 * Fix `hermes-turn-text`: what a Hermes `pre_llm_call` (once per turn, before the tool-calling loop:
 * `user_message`) or `post_llm_call` (once per turn, after it: `assistant_response`) says, top level
 * or under `extra` as Hermes's shell hooks send it, when non-blank. relay-0.3 makes both LLM hints,
 * written to no event, so the turn's prompt and answer were only in the API hooks' bodies, which a
 * Hermes that sends summaries (an older build, a request over its size limit) does not carry.
 */
export function hermesTurnText(payload: Json): { kind: 'prompt' | 'answer'; text: string } | undefined {
  const which = TURN_TEXT_KEYS[normalizeName(eventNameOf(payload))];
  if (which === undefined) return undefined;
  const text = hermesValueAt(payload, which.key);
  return typeof text === 'string' && text.trim() !== '' ? { kind: which.kind, text } : undefined;
}

/** What a `pre_tool_call` lacks to be routed to a real session and paired with its end. */
function missingCorrelation(payload: Json, headers: HookHeaders | undefined): string[] {
  const missing: string[] = [];
  if (!hasSessionEvidence(payload, headers)) missing.push('explicit session evidence');
  if (!hasToolCallId(payload)) missing.push('an explicit tool call id');
  return missing;
}

function hasSessionEvidence(payload: Json, headers: HookHeaders | undefined): boolean {
  return (
    headerString(headers, HOOK_HEADER.relaySessionId) !== undefined ||
    headerString(headers, HOOK_HEADER.claudeCodeSessionId) !== undefined ||
    SESSION_EVIDENCE_KEYS.some((key) => hermesStringAt(payload, key) !== undefined) ||
    // Any value at session.id counts, even null or an object (the reference tests presence only).
    valueAt(payload, 'session.id') !== undefined
  );
}

function hasToolCallId(payload: Json): boolean {
  return (
    TOOL_CALL_ID_KEYS.some((key) => hermesStringAt(payload, key) !== undefined) ||
    valueAt(payload, 'tool.id') !== undefined ||
    valueAt(payload, 'tool_input.id') !== undefined
  );
}
