import { getOwn, hasOwn, isObject, type Json } from '../json/value.js';
import { atifContentValue, blockTexts, isAtifContentParts } from './content.js';
import { readContentParts, type PartReader } from './images.js';

/** Which request shape produced the user message (names used by `explain`). */
export type RequestBranch = 'REQ_MESSAGES_LAST_USER' | 'REQ_RESPONSES_INPUT' | 'REQ_PROMPT' | 'REQ_WHOLE_BODY';

export interface Extracted {
  value: Json;
  branch: string;
}

/**
 * The latest user-facing message of an (unwrapped) LLM request: OpenAI Chat / Anthropic `messages`,
 * then OpenAI Responses `input`, then `prompt`, else the whole body as ATIF content. With `parts`
 * (fixes `image-parts`, `document-blocks`), a content holding images or documents is read as ATIF
 * parts (see readContentParts), not as its JSON (Anthropic, Chat) or its text alone (Responses).
 */
export function extractUserMessage(body: Json, parts?: PartReader): Extracted & { branch: RequestBranch } {
  if (isObject(body)) {
    const messages = getOwn(body, 'messages');
    if (Array.isArray(messages)) {
      for (let i = messages.length - 1; i >= 0; i--) {
        const m = messages[i];
        if (!isObject(m)) continue;
        const role = getOwn(m, 'role');
        if (typeof role === 'string' && role !== 'user') continue;
        // The latest user-like message decides; without `content` the scan does not go further back.
        if (hasOwn(m, 'content')) return { value: contentValue(getOwn(m, 'content') as Json, parts), branch: 'REQ_MESSAGES_LAST_USER' };
        break;
      }
    }
    if (hasOwn(body, 'input')) {
      const fromInput = responsesInputMessage(getOwn(body, 'input') as Json, parts);
      if (fromInput !== undefined) return { value: fromInput, branch: 'REQ_RESPONSES_INPUT' };
    }
    if (hasOwn(body, 'prompt')) return { value: atifContentValue(getOwn(body, 'prompt') as Json), branch: 'REQ_PROMPT' };
  }
  return { value: atifContentValue(body), branch: 'REQ_WHOLE_BODY' };
}

/** A message's content as an ATIF message: its parts when `reader` reads them, else atifContentValue. */
function contentValue(content: Json, reader: PartReader | undefined): Json {
  return partsMessage(content, reader) ?? atifContentValue(content);
}

/** A content holding images or documents as ATIF parts ("" when all were left out and it has no text); undefined otherwise. */
function partsMessage(content: Json, reader: PartReader | undefined): Json | undefined {
  const parts = reader ? readContentParts(content, reader) : undefined;
  if (parts === undefined) return undefined;
  // Everything left out (stdout has no directory for images; ATIF has no part for a PDF) and no text: nothing is left to show.
  return parts.length > 0 ? parts : '';
}

function responsesInputMessage(input: Json, reader: PartReader | undefined): Json | undefined {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return undefined;
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (!isObject(item) || getOwn(item, 'role') !== 'user' || !hasOwn(item, 'content')) continue;
    const content = getOwn(item, 'content') as Json;
    // An image-only message is the user's message too, which the text-only reading passed over.
    const msg = partsMessage(content, reader) ?? responsesContentMessage(content);
    if (msg !== undefined) return msg;
  }
  return undefined;
}

function responsesContentMessage(content: Json): Json | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  let texts = blockTexts(content, 'input_text');
  if (texts.length === 0) texts = blockTexts(content, 'text');
  if (texts.length === 0) return isAtifContentParts(content) ? content : undefined;
  return texts.length === 1 ? texts[0] : texts.join('\n');
}

/** `reasoning_effort` of a request body, when present and non-null (any JSON type, as the reference keeps it). */
export function requestReasoningEffort(body: Json): Json | undefined {
  if (!isObject(body)) return undefined;
  const v = getOwn(body, 'reasoning_effort');
  return v === null || v === undefined ? undefined : v;
}

/**
 * The effort of a request's `reasoning` object (fix `responses-reasoning-effort`): the OpenAI
 * Responses API takes it as `reasoning: {"effort": "low" | "medium" | "high" | …, "summary"}` (Codex
 * sends `{"effort": "medium", "summary": "auto"}` with every request), where Chat Completions has
 * `reasoning_effort`; OpenRouter's unified `reasoning` parameter has the same `effort`. Only a string
 * or a number is an effort (ATIF's `reasoning_effort`); read when the body has no `reasoning_effort`.
 */
export function requestReasoningObjectEffort(body: Json): string | number | undefined {
  if (!isObject(body)) return undefined;
  const reasoning = getOwn(body, 'reasoning');
  if (!isObject(reasoning)) return undefined;
  const effort = getOwn(reasoning, 'effort');
  return typeof effort === 'string' || (typeof effort === 'number' && Number.isFinite(effort)) ? effort : undefined;
}
