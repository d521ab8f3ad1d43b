import { isObject, type Json } from '../json/value.js';

/**
 * How Claude Code opens the conversation after a compaction: a user-role message it writes itself
 * (`isCompactSummary: true` in its transcript), "This session is being continued from a previous
 * conversation that ran out of context. The conversation is summarized below: …" (older builds) or
 * "… The summary below covers the earlier portion of the conversation." (newer ones), with the
 * summary; its API normaliser merges it with the user message that follows (the user's next prompt,
 * or nothing after an automatic compaction mid-task), so both arrive as sibling text blocks.
 */
const CONTINUATION_HEAD = /^\s*This session is being continued from a previous conversation\b/;

/** A user message's text Claude Code wrote after a compaction, and what the user's own is. */
export interface ContinuationSplit {
  /** The continuation text parts (or the whole string): the summary Claude Code carries forward. */
  continuation: Json;
  /** The rest of the message (the user's own prompt, reminders), or undefined when nothing else is there. */
  rest: Json | undefined;
}

const isContinuationPart = (p: Json) => isObject(p) && p.type === 'text' && typeof p.text === 'string' && CONTINUATION_HEAD.test(p.text);

/**
 * Fix `compaction-continuation`: splits a user message (an ATIF message value: a string or content
 * parts) into Claude Code's post-compaction continuation and the rest; undefined when it holds none.
 */
export function splitCompactionContinuation(message: Json): ContinuationSplit | undefined {
  if (typeof message === 'string') return CONTINUATION_HEAD.test(message) ? { continuation: message, rest: undefined } : undefined;
  if (!Array.isArray(message) || !message.some(isContinuationPart)) return undefined;
  const rest = message.filter((p) => !isContinuationPart(p));
  return { continuation: message.filter(isContinuationPart), rest: rest.length > 0 ? rest : undefined };
}
