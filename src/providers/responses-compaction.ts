import { getOwn, isObject, type Json } from '../json/value.js';

/**
 * OpenAI's compaction endpoint, "Compact a response" (`POST /v1/responses/compact`), which Codex
 * calls when its context fills up or on `/compact` (fix `responses-compact-calls`). The request is a
 * Responses request (`model`, `input`: the history to compact, `instructions`, `previous_response_id`,
 * `prompt_cache_key`, …); the answer is one JSON object, never a stream:
 * `{"id", "object": "response.compaction", "created_at", "output": [...], "usage"}`, whose output is
 * the compacted window the client sends from then on: the user messages it keeps and a
 * `{"type": "compaction", "id", "encrypted_content"}` item, the summary, which only the model reads.
 */

/** The LLM event name (the gateway provider) of a call to the compaction endpoint. */
export const RESPONSES_COMPACT_PROVIDER = 'openai.responses.compact';

export const isResponsesCompactCall = (name: string): boolean => name === RESPONSES_COMPACT_PROVIDER;

/** A compaction endpoint's answer: its summary is encrypted, so it says nothing a reader can read. */
export function isResponsesCompaction(data: Json): boolean {
  return isObject(data) && getOwn(data, 'object') === 'response.compaction' && Array.isArray(getOwn(data, 'output'));
}
