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
