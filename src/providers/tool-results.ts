import { getOwn, isObject, type Json } from '../json/value.js';
import { blockTexts } from './content.js';

/** A tool's result as a request sends it back to the model. */
export interface RequestToolResult {
  /** The result as sent: a string, content parts, or another JSON value. */
  output: Json;
  /** Anthropic `is_error: true`: the tool failed. */
  isError?: boolean;
}

/** Responses input items that answer a call, by the call's `call_id`. */
const RESPONSES_OUTPUT_TYPES = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output']);

/** Whether a Responses input item answers a call (a function, custom tool or local shell call's output). */
export const isResponsesOutputItem = (item: Record<string, Json>): boolean => typeof item.type === 'string' && RESPONSES_OUTPUT_TYPES.has(item.type);

/**
 * The tool results a request carries, by the id of the call each answers (fix `request-tool-results`).
 * Every provider sends the results of the previous answer's calls back in the next request: OpenAI Chat
 * as `role: "tool"` messages (`tool_call_id`, `content`), Anthropic as `tool_result` blocks of a user
 * message (`tool_use_id`, `content`, `is_error`), OpenAI Responses as `function_call_output` (and custom
 * or local shell call output) input items (`call_id`, `output`). A later result for one id wins; a
 * conversation re-sent whole holds every earlier result too, which the caller's ids leave out.
 */
export function requestToolResults(body: Json): Map<string, RequestToolResult> {
  const results = new Map<string, RequestToolResult>();
  if (!isObject(body)) return results;
  const messages = getOwn(body, 'messages');
  if (Array.isArray(messages)) {
    for (const m of messages) {
      if (!isObject(m)) continue;
      if (m.role === 'tool' && typeof m.tool_call_id === 'string') results.set(m.tool_call_id, { output: getOwn(m, 'content') ?? null });
      const content = getOwn(m, 'content');
      if (m.role !== 'user' || !Array.isArray(content)) continue;
      for (const block of content) {
        if (!isObject(block) || block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
        const result: RequestToolResult = { output: getOwn(block, 'content') ?? '' };
        if (block.is_error === true) result.isError = true;
        results.set(block.tool_use_id, result);
      }
    }
  }
  const input = getOwn(body, 'input');
  if (Array.isArray(input)) {
    for (const item of input) {
      if (!isObject(item) || !isResponsesOutputItem(item)) continue;
      const callId = responsesOutputCallId(item);
      if (callId !== undefined) results.set(callId, { output: getOwn(item, 'output') ?? null });
    }
  }
  return results;
}

/**
 * The call a Responses output item answers: its `call_id`. A `local_shell_call_output` as OpenAI
 * documents it names the call by `id` instead ("the unique ID of the local shell tool call generated
 * by the model", the call's `call_id`), so its `id` is read when it has no `call_id`. The other output
 * items' `id` is their own item id, never the call's.
 */
export function responsesOutputCallId(item: Record<string, Json>): string | undefined {
  if (typeof item.call_id === 'string') return item.call_id;
  if (item.type === 'local_shell_call_output' && typeof item.id === 'string') return item.id;
  return undefined;
}

/** The content item types OpenAI documents for a Responses function or custom tool call's `output` array. */
const RESPONSES_OUTPUT_ITEM_TYPES = new Set(['input_text', 'input_image', 'input_file']);

/** What a Responses tool output given as content items says as text (fix `responses-tool-output-items`). */
export interface ResponsesOutputItems {
  /** The `input_text` items' texts joined by "\n"; absent when the output holds no text item. */
  text?: string;
  /** Whether every item is text: otherwise an image or file the text leaves out is in the output. */
  onlyText: boolean;
}

/**
 * A Responses `function_call_output` or `custom_tool_call_output` `output` that is an array of content
 * items (`input_text`, `input_image`, `input_file`: OpenAI's `string | Array<ResponseInputText |
 * ResponseInputImage | ResponseInputFile>`, how a tool returns an image, e.g. Codex's view_image), read
 * as its text; undefined for any other value. These item shapes are no ATIF content parts, and an
 * image is base64 data or a URL with no media type, which ATIF cannot hold.
 */
export function responsesOutputItems(output: Json): ResponsesOutputItems | undefined {
  if (!Array.isArray(output) || output.length === 0) return undefined;
  if (!output.every((item) => isObject(item) && RESPONSES_OUTPUT_ITEM_TYPES.has(item.type as string))) return undefined;
  const texts = blockTexts(output, 'input_text');
  const items: ResponsesOutputItems = { onlyText: texts.length === output.length };
  if (texts.length > 0) items.text = texts.join('\n');
  return items;
}
