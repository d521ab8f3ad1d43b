import { getOwn, hasOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import { isSystemReminderPart } from './system-reminders.js';

/**
 * Whether an LLM request opens a user turn or continues one (a tool-result round), read from the
 * raw request the way NeMo-Relay HEAD does it (#545): the latest message that is not a
 * system/developer instruction decides. Undefined when the shape says nothing (treated as fresh).
 */
export type TurnState = 'fresh' | 'continuation';

/** Content part types that carry new user input; any of them makes a user message fresh. */
const USER_INPUT_PARTS = new Set(['text', 'input_text', 'image_url', 'image', 'input_image', 'audio', 'input_audio', 'file', 'document']);
/** Content part types of a tool round trip (Anthropic sends tool results as a user message). */
const TOOL_PARTS = new Set(['tool_result', 'tool_use']);
const INSTRUCTION_ROLES = new Set(['system', 'developer']);

const partType = (part: Json): string | undefined => (isObject(part) && typeof part.type === 'string' ? part.type : undefined);

/** How a request is read: `reminderContinuation` is fix tool-result-reminder-continuation. */
export interface TurnStateOptions {
  reminderContinuation?: boolean;
}

/** User content opens a turn unless it is made only of tool parts (and, with the option, system reminders). */
function userContentIsFresh(content: Json, opts: TurnStateOptions): boolean {
  if (Array.isArray(content)) {
    const input = (p: Json) => USER_INPUT_PARTS.has(partType(p) ?? '') && !(opts.reminderContinuation && isSystemReminderPart(p));
    if (content.some(input)) return true;
    return !content.some((p) => TOOL_PARTS.has(partType(p) ?? ''));
  }
  if (isObject(content)) return USER_INPUT_PARTS.has(partType(content) ?? '') || !TOOL_PARTS.has(partType(content) ?? '');
  return true; // strings, null and other scalars are plain user input
}

function chatMessageState(m: JsonObject, opts: TurnStateOptions): TurnState | undefined {
  const role = getOwn(m, 'role');
  if (typeof role === 'string' && INSTRUCTION_ROLES.has(role)) return undefined;
  if (typeof role === 'string' && role !== 'user') return 'continuation'; // assistant, tool, function
  if (!hasOwn(m, 'content')) return 'fresh';
  return userContentIsFresh(getOwn(m, 'content') as Json, opts) ? 'fresh' : 'continuation';
}

function responsesItemState(item: JsonObject): TurnState | undefined {
  const type = getOwn(item, 'type');
  const role = getOwn(item, 'role');
  // An item without a type but with a role is a message: the API's EasyInputMessage, whose `type`
  // defaults to "message" and which SDK helpers and agent frameworks send as {role, content}. NeMo-Relay
  // HEAD skips every untyped item, so a new question after a tool round ([…, function_call_output,
  // {role: assistant}, {role: user}]) read as a continuation and its user step was dropped.
  if (type === undefined && typeof role === 'string') return messageState(role);
  if (typeof type !== 'string') return undefined; // other untyped items say nothing
  if (type !== 'message') return 'continuation'; // function_call_output, shell_call, reasoning, …
  return messageState(role);
}

function messageState(role: Json | undefined): TurnState | undefined {
  if (typeof role === 'string' && INSTRUCTION_ROLES.has(role)) return undefined;
  return typeof role !== 'string' || role === 'user' ? 'fresh' : 'continuation';
}

function latestState<T>(items: Json[], state: (item: JsonObject) => T | undefined): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (!isObject(item)) continue;
    const s = state(item);
    if (s !== undefined) return s;
  }
  return undefined;
}

/** Chat `messages`, then Responses `input`, then `prompt` (always fresh). */
export function requestTurnState(body: Json, opts: TurnStateOptions = {}): TurnState | undefined {
  if (!isObject(body)) return undefined;
  const messages = getOwn(body, 'messages');
  if (Array.isArray(messages)) {
    const s = latestState(messages, (m) => chatMessageState(m, opts));
    if (s !== undefined) return s;
  }
  if (hasOwn(body, 'input')) {
    const input = getOwn(body, 'input') as Json;
    if (typeof input === 'string') return 'fresh';
    if (Array.isArray(input)) {
      const s = latestState(input, responsesItemState);
      if (s !== undefined) return s;
    }
  }
  return hasOwn(body, 'prompt') ? 'fresh' : undefined;
}
