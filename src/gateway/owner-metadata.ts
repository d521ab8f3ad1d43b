import { getOwn, isObject, setOwn, type Json, type JsonObject } from '../json/value.js';
import type { LlmHint } from './llm-hints.js';
import { mergeMetadata } from '../hooks/merge.js';

/**
 * Metadata an LLM start carries about who owns it (relay-cli.md §2.7): correlation fields, and the
 * owner subagent scope's provider keys (Codex thread and Hermes child fields; never transcript paths).
 */
const CODEX_OWNER_KEYS = ['thread_source', 'codex_parent_thread_id', 'codex_subagent_session_id', 'codex_subagent_depth', 'agent_nickname', 'agent_role'];
const HERMES_OWNER_KEYS = [
  'thread_source',
  'subagent_id',
  'subagent_session_id',
  'hermes_parent_session_id',
  'hermes_subagent_session_id',
  'hermes_child_subagent_id',
  'hermes_parent_turn_id',
  'child_role',
  'child_goal',
];

/** `llm_owner_metadata`: the Codex and Hermes keys of the owner scope's metadata (nulls skipped), or null. */
export function llmOwnerMetadata(scopeMetadata: Json | undefined): Json {
  return mergeMetadata(pick(scopeMetadata, CODEX_OWNER_KEYS), pick(scopeMetadata, HERMES_OWNER_KEYS));
}

function pick(metadata: Json | undefined, keys: string[]): Json {
  if (!isObject(metadata)) return null;
  const out: JsonObject = {};
  for (const key of keys) {
    const v = getOwn(metadata, key);
    if (v !== undefined && v !== null) setOwn(out, key, v);
  }
  return Object.keys(out).length > 0 ? out : null;
}

export interface CorrelationFacts {
  status: string;
  source?: string;
  subagentId?: string;
  /** The consumed hint: its own identifiers (not the request's) are recorded. */
  hint?: LlmHint;
}

/** `llm_correlation_metadata`: the call's metadata with the correlation keys merged over it. */
export function llmCorrelationMetadata(metadata: Json, facts: CorrelationFacts): Json {
  const correlation: JsonObject = { llm_correlation_status: facts.status };
  if (facts.source !== undefined) correlation.llm_correlation_source = facts.source;
  if (facts.subagentId !== undefined) correlation.llm_correlation_subagent_id = facts.subagentId;
  const hint = facts.hint;
  if (hint) {
    if (hint.conversationId !== undefined) correlation.llm_correlation_conversation_id = hint.conversationId;
    if (hint.generationId !== undefined) correlation.llm_correlation_generation_id = hint.generationId;
    if (hint.requestId !== undefined) correlation.llm_correlation_request_id = hint.requestId;
    if (hint.agentType !== undefined) correlation.llm_correlation_agent_type = hint.agentType;
  }
  return mergeMetadata(metadata, correlation);
}

/** The LLM start metadata: `merge(merge(gateway metadata, correlation), owner metadata)`. */
export function llmStartMetadata(metadata: Json, facts: CorrelationFacts, ownerMetadata: Json): Json {
  return mergeMetadata(llmCorrelationMetadata(metadata, facts), ownerMetadata);
}
