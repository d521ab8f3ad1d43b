import { isObject, type Json } from '../json/value.js';
import { splitParts, type PartsSplit } from './content.js';

/**
 * How Claude Code opens the conversation after a compaction: a user-role message it writes itself
 * (`isCompactSummary: true` in its transcript), "This session is being continued from a previous
 * conversation that ran out of context. The conversation is summarized below: …" (older builds) or
 * "… The summary below covers the earlier portion of the conversation." (newer ones), with the
 * summary; its API normaliser merges it with the user message that follows (the user's next prompt,
 * or nothing after an automatic compaction mid-task), so both arrive as sibling text blocks.
 */
const CONTINUATION_HEAD = /^\s*This session is being continued from a previous conversation\b/;

const isContinuationPart = (p: Json) => isObject(p) && p.type === 'text' && typeof p.text === 'string' && CONTINUATION_HEAD.test(p.text);

/**
 * Fix `compaction-continuation`: a user message (an ATIF message value: a string or content parts)
 * split into Claude Code's post-compaction continuation (`taken`: the text parts, or the whole string)
 * and the rest (the user's own prompt, reminders); undefined when it holds none.
 */
export function splitCompactionContinuation(message: Json): PartsSplit | undefined {
  if (typeof message === 'string') return CONTINUATION_HEAD.test(message) ? { taken: message, rest: undefined } : undefined;
  return splitParts(message, isContinuationPart);
}
