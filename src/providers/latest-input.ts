import { getOwn, isObject, type Json } from '../json/value.js';
import { isResponsesOutputItem, responsesOutputCallId } from './tool-results.js';

/**
 * What a request newly hands the model: the input after the last thing the model said. The user's new
 * prompt (its text parts) and the tool results the previous answer asked for, by call id. Only the tail
 * is read (a conversation re-sent whole holds every earlier prompt and result too), so that reading it
 * costs the few trailing messages, not the conversation.
 *
 * The shapes: Anthropic Messages sends a prompt and tool results as the last `user` message (`text`
 * and `tool_result` blocks, `tool_use_id`); OpenAI Chat as the last `user` message (a string or `text`
 * parts) or as trailing `role: "tool"` messages (`tool_call_id`); OpenAI Responses as the trailing
 * `input` items (a `message` of role user with `input_text` parts, or `function_call_output` and the
 * other call outputs, by `call_id`), or `input` as a plain string.
 */
export interface LatestInput {
  /** The trimmed, non-empty text parts of the new user message. */
  texts: string[];
  /** The call ids the trailing tool results answer. */
  toolResultIds: string[];
}

/** How many trailing items are looked at: a parallel tool round sends one result each; past this it is not a tail. */
const MAX_TAIL = 64;

export function requestLatestInput(body: Json): LatestInput {
  const found: LatestInput = { texts: [], toolResultIds: [] };
  if (!isObject(body)) return found;
  const messages = getOwn(body, 'messages');
  const input = getOwn(body, 'input');
  if (Array.isArray(messages)) readTail(messages, found);
  else if (typeof input === 'string') pushText(found, input);
  else if (Array.isArray(input)) readTail(input, found);
  return found;
}

/** Items from the last back to the model's last output (an assistant message, a call item). */
function readTail(items: Json[], found: LatestInput): void {
  for (let i = items.length - 1; i >= 0 && i >= items.length - MAX_TAIL; i--) {
    const item = items[i];
    if (!isObject(item)) return;
    const role = getOwn(item, 'role');
    if (role === 'tool' && typeof item.tool_call_id === 'string') {
      found.toolResultIds.push(item.tool_call_id);
      continue;
    }
    if (isResponsesOutputItem(item)) {
      // The call it answers, read as the request's tool results read it (request-tool-results).
      const id = responsesOutputCallId(item);
      if (id !== undefined) found.toolResultIds.push(id);
      continue;
    }
    if (role === 'system' || role === 'developer') continue;
    if (role !== 'user') return; // the model's own output: what precedes it is older input
    readUserContent(getOwn(item, 'content'), found);
    // One user message is the new input (Anthropic sends a prompt and tool results in one).
    return;
  }
}

function readUserContent(content: Json | undefined, found: LatestInput): void {
  if (typeof content === 'string') return pushText(found, content);
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (!isObject(part)) continue;
    const type = getOwn(part, 'type');
    if ((type === 'text' || type === 'input_text') && typeof part.text === 'string') pushText(found, part.text);
    else if (type === 'tool_result' && typeof part.tool_use_id === 'string') found.toolResultIds.push(part.tool_use_id);
  }
}

function pushText(found: LatestInput, text: string): void {
  const trimmed = text.trim();
  if (trimmed !== '') found.texts.push(trimmed);
}
