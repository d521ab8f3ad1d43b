import type { Json } from '../../json/value.js';
import { member, stringMember } from './json-access.js';

/**
 * Whether a chat-completions stream ended before its answer did. An OpenAI-compatible server ends
 * each choice with a `finish_reason` and the stream with `data: [DONE]`; a captured stream with
 * chunks but neither was cut short (the client went away, the recorder stopped). The live codec
 * keeps what came, so the answer is partial and nothing says so unless someone does.
 */
export function chatStreamCutShort(chunks: readonly Json[], done: boolean): boolean {
  if (done || chunks.length === 0) return false;
  return !chunks.some((chunk) => {
    const choices = member(chunk, 'choices');
    return Array.isArray(choices) && choices.some((choice) => stringMember(choice, 'finish_reason') !== undefined);
  });
}

/**
 * The events that end an OpenAI Responses stream: the terminal snapshot of a response that completed,
 * stopped short (`incomplete`, e.g. max_output_tokens) or failed, or the stream's `error` event.
 */
const RESPONSES_TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/**
 * Whether an OpenAI Responses stream ended before its answer did. The API ends every stream with one
 * terminal event (`response.completed`, `response.incomplete` or `response.failed`, or an `error`
 * event); a captured stream with events but none of them was cut short (the client went away, the
 * recorder stopped), and Codex itself treats such a stream as failed. The live codec keeps the last
 * snapshot and the output items that came (relay-cli.md §2.8.2), so the answer is partial (often only
 * the `response.created` snapshot: no text, no usage) and nothing says so unless someone does. A
 * stream a proxy closed with `data: [DONE]` is taken as ended.
 */
export function responsesStreamCutShort(chunks: readonly Json[], done: boolean): boolean {
  if (done || chunks.length === 0) return false;
  return !chunks.some((chunk) => RESPONSES_TERMINAL_EVENTS.has(stringMember(chunk, 'type') ?? ''));
}

/**
 * Whether an Anthropic Messages stream ended before its answer did. The API ends every stream with a
 * `message_stop` event (an `error` event ends one that failed); a captured stream with events but
 * neither was cut short. That is what a Claude Code user's Esc does to a streaming answer: the client
 * closes the connection, and the capture keeps the events that came. The live codec assembles what
 * came (no `stop_reason`, the usage of `message_start`), so the answer is partial and nothing says so
 * unless someone does. A stream a proxy closed with `data: [DONE]` is taken as ended.
 */
export function anthropicStreamCutShort(chunks: readonly Json[], done: boolean): boolean {
  if (done || chunks.length === 0) return false;
  return !chunks.some((chunk) => ANTHROPIC_TERMINAL_EVENTS.has(stringMember(chunk, 'type') ?? ''));
}

const ANTHROPIC_TERMINAL_EVENTS = new Set(['message_stop', 'error']);
