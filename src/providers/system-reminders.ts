import { isObject, type Json } from '../json/value.js';
import { splitParts, type PartsSplit } from './content.js';

/**
 * Claude Code's `<system-reminder>` blocks: context it adds for the model, not typed by the user (the
 * "As you answer the user's questions, you can use the following context:" block with CLAUDE.md, the
 * date and the user's e-mail before the first prompt; todo nudges, file-change notices, hook output).
 * It sends them as user-role messages that its API normaliser merges into the neighbouring user
 * message, so they arrive as text parts beside the user's own text or beside `tool_result` blocks.
 */
const REMINDER_BLOCK = /^<system-reminder>[\s\S]*?<\/system-reminder>\s*/;

/** A text part whose whole text (trimmed) is one or more `<system-reminder>…</system-reminder>` blocks, nothing between them. */
export function isSystemReminderPart(part: Json): boolean {
  if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') return false;
  let rest = part.text.trim();
  if (!rest.startsWith('<system-reminder>')) return false;
  while (rest !== '') {
    const block = REMINDER_BLOCK.exec(rest);
    if (!block) return false;
    rest = rest.slice(block[0].length);
  }
  return true;
}

/**
 * Fix `system-reminder-steps`: a user message (an ATIF message value) split into its reminder parts
 * (`taken`) and the rest; undefined when it has none (or is no list of parts: a string is the user's own).
 */
export function splitSystemReminders(message: Json): PartsSplit | undefined {
  return splitParts(message, isSystemReminderPart);
}
