import { getOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import { trimRust } from './sse/unicode-whitespace.js';

/** An Anthropic Messages response: `type: "message"` (the content array holds typed blocks). */
function isAnthropicMessage(data: Json): data is JsonObject {
  return isObject(data) && getOwn(data, 'type') === 'message';
}

/**
 * The agent message of an Anthropic Messages response (HEAD #203): its non-blank `text` blocks
 * joined with "\n", "" when it only calls tools, undefined when the shape does not apply (then
 * the generic content rule runs). Blank as Rust's `str::trim` tells it (U+0085 is blank, U+FEFF is not).
 */
export function anthropicMessageText(data: Json, content: Json): string | undefined {
  if (!isAnthropicMessage(data) || !Array.isArray(content)) return undefined;
  const texts: string[] = [];
  let callsTools = false;
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string' && trimRust(block.text) !== '') texts.push(block.text);
    else if (block.type === 'tool_use') callsTools = true;
  }
  if (texts.length === 0) return callsTools ? '' : undefined;
  return texts.join('\n');
}

/** The `tool_use` blocks of an Anthropic Messages response, the third tool-call source after chat arrays and Responses items. */
export function anthropicToolUseBlocks(data: Json): Json[] | undefined {
  if (!isAnthropicMessage(data)) return undefined;
  const content = getOwn(data, 'content');
  if (!Array.isArray(content)) return undefined;
  const blocks = content.filter((b) => isObject(b) && b.type === 'tool_use');
  return blocks.length > 0 ? blocks : undefined;
}

/**
 * The thinking of an Anthropic Messages response: its non-blank `thinking` blocks joined with "\n"
 * (redacted thinking is encrypted, and not read); undefined when it has none.
 */
export function anthropicThinking(data: Json): string | undefined {
  if (!isAnthropicMessage(data)) return undefined;
  const content = getOwn(data, 'content');
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const block of content) {
    if (isObject(block) && block.type === 'thinking' && typeof block.thinking === 'string' && trimRust(block.thinking) !== '') texts.push(block.thinking);
  }
  return texts.length > 0 ? texts.join('\n') : undefined;
}
