import { parseJson } from '../json/parse.js';
import { getOwn, isObject, type Json } from '../json/value.js';
import { splitRustWhitespace, trimRust, trimRustStart } from '../providers/sse/unicode-whitespace.js';

/**
 * Request affinity (relay-cli.md §2.6.3): a key made of the latest user task text of an LLM request,
 * so later calls replaying the same task without a subagent id can be paired with the subagent that
 * first owned it.
 */
export const REQUEST_AFFINITY_KEY_MIN_CHARS = 24;
export const REQUEST_AFFINITY_KEY_MAX_CHARS = 4096;

/** The key of a request body: normalized task text of at least 24 characters, cut at 4096; else undefined. */
export function requestAffinityKey(content: Json): string | undefined {
  const text = userTaskText(content);
  if (text === undefined) return undefined;
  const normalized = splitRustWhitespace(text).join(' ');
  const end = scalarPrefixEnd(normalized, REQUEST_AFFINITY_KEY_MAX_CHARS);
  if (end.count < REQUEST_AFFINITY_KEY_MIN_CHARS) return undefined;
  return normalized.slice(0, end.index);
}

/**
 * Where the first `max` characters of `text` end, counted as Rust's `chars()` counts them (a surrogate
 * pair is one; a lone surrogate, one too, as the string iterator gives it), and how many there are up
 * to there. Walks the prefix only: spreading a long prompt into one string per character cost more
 * than the rest of owner resolution.
 */
function scalarPrefixEnd(text: string, max: number): { index: number; count: number } {
  // Without surrogates in the first `max` code units, each is one character.
  if (!SURROGATE.test(text.slice(0, max))) return { index: Math.min(text.length, max), count: Math.min(text.length, max) };
  let index = 0;
  let count = 0;
  while (index < text.length && count < max) {
    const unit = text.charCodeAt(index);
    const pair = unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length && isLowSurrogate(text.charCodeAt(index + 1));
    index += pair ? 2 : 1;
    count++;
  }
  return { index, count };
}

const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;
const SURROGATE = /[\ud800-\udfff]/;

/** `messages` (last user message with text), else `input` (string, or items scanned the same way), else `prompt`. */
function userTaskText(content: Json): string | undefined {
  if (!isObject(content)) return undefined;
  const messages = getOwn(content, 'messages');
  if (Array.isArray(messages)) {
    const fromMessages = lastUserText(messages);
    if (fromMessages !== undefined) return fromMessages;
  }
  const input = getOwn(content, 'input');
  if (typeof input === 'string') {
    const candidate = candidateText(input);
    if (candidate !== undefined) return candidate;
  } else if (Array.isArray(input)) {
    const fromInput = lastUserText(input);
    if (fromInput !== undefined) return fromInput;
  }
  const prompt = getOwn(content, 'prompt');
  return typeof prompt === 'string' ? candidateText(prompt) : undefined;
}

/**
 * The user's task text of an Anthropic Messages or Chat request: its `messages` alone (HEAD
 * `messages_user_task_text`), trimmed, not a serialized JSON payload. What a turn a gateway request
 * opens takes as its prompt (fix `claude-gateway-turn`).
 */
export function messagesTaskText(content: Json): string | undefined {
  const messages = isObject(content) ? getOwn(content, 'messages') : undefined;
  return Array.isArray(messages) ? lastUserText(messages) : undefined;
}

/** Messages from last to first; the first user message that yields text wins. */
function lastUserText(messages: Json[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!isObject(message) || getOwn(message, 'role') !== 'user') continue;
    const text = contentText(getOwn(message, 'content'));
    if (text !== undefined) return text;
  }
  return undefined;
}

function contentText(content: Json | undefined): string | undefined {
  if (typeof content === 'string') return candidateText(content);
  if (!Array.isArray(content)) return undefined;
  for (let i = content.length - 1; i >= 0; i--) {
    const block = content[i];
    const type = isObject(block) ? getOwn(block, 'type') : undefined;
    // Only a string `type` can disqualify a block; tool results, images and the like are skipped.
    if (typeof type === 'string' && type !== 'text' && type !== 'input_text') continue;
    const text = isObject(block) ? getOwn(block, 'text') : undefined;
    if (typeof text !== 'string') continue;
    const candidate = candidateText(text);
    if (candidate !== undefined) return candidate;
  }
  return undefined;
}

/** Trimmed, non-empty and not a serialized JSON object or array. */
function candidateText(text: string): string | undefined {
  const cleaned = trimRust(text);
  if (cleaned === '' || looksLikeJsonPayload(cleaned)) return undefined;
  return cleaned;
}

function looksLikeJsonPayload(text: string): boolean {
  const trimmed = trimRustStart(text);
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  try {
    const parsed = parseJson(trimmed);
    return isObject(parsed) || Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** Statuses confident enough to teach the affinity map (session.rs `owner_status_teaches_request_affinity`). */
const TEACHING_STATUSES = new Set(['explicit', 'single_hint', 'matched_hint', 'active_subagent', 'subagent_start', 'request_affinity']);

/**
 * key → owning subagent id, or null once two owners claimed the same key (never usable again this turn).
 * The session's own map, learned into and forgotten from in place: a copy for every new key made a turn
 * with thousands of task texts quadratic.
 */
export type RequestAffinityMap = Map<string, string | null>;

/** `record_llm_request_affinity`: learns from one resolved call, in place. */
export function learnRequestAffinity(map: RequestAffinityMap, content: Json, ownerSubagentId: string | undefined, status: string): void {
  if (!TEACHING_STATUSES.has(status) || ownerSubagentId === undefined) return;
  const key = requestAffinityKey(content);
  if (key === undefined) return;
  if (!map.has(key)) map.set(key, ownerSubagentId);
  else if (map.get(key) !== ownerSubagentId) map.set(key, null);
}
