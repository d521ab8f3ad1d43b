import { setOwn, type Json, type JsonObject } from '../../json/value.js';
import { put } from './typed-fields.js';

/**
 * The core `AnnotatedLlmResponse` as it serializes into `category_profile.annotated_response`
 * (atof-0.1-spec.md §6.2): optional fields skipped when unset, `finish_reason` a snake_case word or
 * `{"unknown": raw}`, `api_specific` tagged by `api`, and unmodelled response keys flattened last.
 */
export type FinishReason = 'complete' | 'length' | 'tool_use' | 'content_filter' | { unknown: string };

export interface ResponseToolCall {
  id: string;
  name: string;
  arguments: Json;
}

export interface AnnotatedResponseParts {
  id?: string;
  model?: string;
  /** The codecs at the seed only ever produce text. */
  message?: string;
  toolCalls?: ResponseToolCall[];
  finishReason?: FinishReason;
  usage?: JsonObject;
  apiSpecific: JsonObject;
  extra: JsonObject;
}

export function serializeAnnotatedResponse(parts: AnnotatedResponseParts): JsonObject {
  const out: JsonObject = {};
  put(out, 'id', parts.id);
  put(out, 'model', parts.model);
  put(out, 'message', parts.message);
  if (parts.toolCalls) out.tool_calls = parts.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }));
  put(out, 'finish_reason', parts.finishReason as Json | undefined);
  put(out, 'usage', parts.usage);
  out.api_specific = parts.apiSpecific;
  // A flattened key that collides with a modelled one ends up last, so it wins in a JSON object.
  for (const key of Object.keys(parts.extra)) setOwn(out, key, parts.extra[key]);
  return out;
}

/** `Usage` with its unset counts left out (an empty object when the provider sent an empty usage). */
export function usageObject(fields: Record<'prompt_tokens' | 'completion_tokens' | 'total_tokens' | 'cache_read_tokens' | 'cache_write_tokens', Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) put(out, key, value);
  return out;
}
