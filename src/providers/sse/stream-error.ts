import { isObject, type Json, type JsonObject } from '../../json/value.js';
import { member, stringMember } from './json-access.js';

/**
 * An error a provider sent inside a stream that had begun well (HTTP 200): Anthropic's `error` event
 * (`{"type":"error","error":{"type":"overloaded_error",…}}`), the Responses API's `error` and
 * `response.failed` events, and the `{"error":{…}}` (or `{"error":"…"}`) chunk OpenAI-compatible
 * routers (OpenRouter, LiteLLM) send on a chat stream. The live codecs take no notice: the aggregate simply ends with
 * what came before, so the answer is cut without a word unless someone says so.
 */
export interface StreamErrorEvent {
  /** 0-based index of the chunk among the stream's parsed chunks. */
  chunkIndex: number;
  /** `overloaded_error: Overloaded`, as much of it as the event gives. */
  description: string;
}

export function firstStreamError(chunks: readonly Json[]): StreamErrorEvent | undefined {
  for (const [chunkIndex, chunk] of chunks.entries()) {
    const description = errorOf(chunk);
    if (description !== undefined) return { chunkIndex, description };
  }
  return undefined;
}

function errorOf(chunk: Json): string | undefined {
  const type = stringMember(chunk, 'type');
  // Responses API: the failed response carries its error.
  if (type === 'response.failed') return describe(member(member(chunk, 'response'), 'error')) ?? 'response.failed';
  const error = member(chunk, 'error');
  // Anthropic's and the Responses API's `error` event (the latter with code/message at top level).
  if (type === 'error') return describe(error) ?? describe(chunk) ?? 'error';
  // A chat-completions stream: a top-level error object or message. Ordinary chunks leave it out,
  // or some servers send an empty value (null, false, "") that is no error.
  if (type === undefined && isErrorValue(error)) return describe(error) ?? 'error';
  return undefined;
}

function isErrorValue(error: Json | undefined): boolean {
  if (typeof error === 'string') return error.trim() !== '';
  return isObject(error);
}

function describe(error: Json | undefined): string | undefined {
  if (typeof error === 'string') return error === '' ? undefined : error;
  const kind = stringMember(error, 'type') ?? textOf(member(error, 'code'));
  const message = stringMember(error, 'message');
  if (kind !== undefined && message !== undefined) return `${kind}: ${message}`;
  return kind ?? message;
}

function textOf(v: Json | undefined): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/**
 * The error object a stream's error chunk carries, for the assembled answer's top-level `error` (fix
 * `stream-error-answer`): Anthropic's and a chat router's `error` member, a failed Responses object's
 * `error`, else (the Responses API's `error` event has code and message at its top) the event itself.
 */
export function streamErrorObject(chunk: Json): JsonObject {
  if (stringMember(chunk, 'type') === 'response.failed') {
    const failed = member(member(chunk, 'response'), 'error');
    if (isObject(failed)) return failed;
  }
  const error = member(chunk, 'error');
  if (isObject(error)) return error;
  if (typeof error === 'string') return { message: error };
  return isObject(chunk) ? chunk : { message: String(chunk) };
}
