import { normalizeName, firstStringAt } from './paths.js';
import {
  LLM_HINT_PATHS, eventNameOf, sessionIdOf, sharedMetadata, subagentIdOf, toolArgumentsOf, toolCallIdOf, toolNameOf,
  toolResultOf, toolStatusOf, type HookInput,
} from './fields.js';
import type { Classification, LlmHintEvent, SessionEvent, SubagentEvent, ToolEvent } from './types.js';

/**
 * Builders for the four event shapes of §1.2. Each call extracts its fields afresh, as the
 * reference does per event; the only visible consequence is that a hook without a session id gives
 * each of its events a different synthetic session (§1.2 quirk, §6 pitfall 3).
 */

export function buildSessionEvent(input: HookInput, classification: Classification): SessionEvent {
  const eventName = eventNameOf(input.payload);
  const session = sessionIdOf(input);
  return {
    sessionId: session.value,
    sessionIdSource: session.source,
    sessionIdSynthetic: session.source === 'synthetic',
    agentKind: input.agent,
    eventName,
    payload: input.payload,
    metadata: sharedMetadata(input, eventName),
    classification,
  };
}

/** Subagent start/end: a missing id becomes the literal `subagent` so the event stays visible. */
export function buildSubagentEvent(input: HookInput, classification: Classification): SubagentEvent {
  const base = buildSessionEvent(input, classification);
  const subagent = subagentIdOf(input);
  return {
    ...base,
    subagentId: subagent?.value ?? 'subagent',
    subagentIdSource: subagent?.source ?? 'default',
  };
}

export function buildLlmHintEvent(input: HookInput, classification: Classification): LlmHintEvent {
  const event: LlmHintEvent = buildSessionEvent(input, classification);
  const subagent = subagentIdOf(input);
  if (subagent !== undefined) event.subagentId = subagent.value;
  for (const field of Object.keys(LLM_HINT_PATHS) as (keyof typeof LLM_HINT_PATHS)[]) {
    const found = firstStringAt(input.payload, LLM_HINT_PATHS[field]);
    if (found !== undefined) event[field] = found.value;
  }
  return event;
}

export function buildToolEvent(input: HookInput, classification: Classification): ToolEvent {
  const base = buildSessionEvent(input, classification);
  const normalizedName = normalizeName(base.eventName);
  const toolCallId = toolCallIdOf(input);
  const toolName = toolNameOf(input.payload);
  const event: ToolEvent = {
    ...base,
    toolCallId: toolCallId.value,
    toolCallIdSource: toolCallId.source,
    toolCallIdSynthetic: toolCallId.source === 'synthetic',
    toolName: toolName.value,
    toolNameSource: toolName.source,
    arguments: toolArgumentsOf(input.payload),
    result: toolResultOf(input.payload, normalizedName),
  };
  const subagent = subagentIdOf(input);
  if (subagent !== undefined) event.subagentId = subagent.value;
  const status = toolStatusOf(input.payload, normalizedName);
  if (status !== undefined) event.status = status;
  return event;
}
