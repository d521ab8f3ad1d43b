import { addU64, getOwn, isObject, type Json, type JsonObject } from '../../json/value.js';
import { serializeAnnotatedResponse, usageObject, type FinishReason, type ResponseToolCall } from './annotated-response.js';
import { asStruct, extraFields, optArray, optJson, optString, optStruct, optU64, put } from './typed-fields.js';

/**
 * `AnthropicMessagesCodec::decode_response`: text blocks joined with newlines, `tool_use` blocks as
 * tool calls (input taken as is), stop reason, usage with a computed total, and the Messages extras.
 */
const MODELLED = ['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'service_tier', 'container', 'usage'];

export function annotateAnthropicMessages(response: Json): JsonObject {
  const raw = asStruct(response, 'message');
  const content = optArray(raw, 'content');
  const stopReason = optString(raw, 'stop_reason');
  const usage = optStruct(raw, 'usage');
  const texts: string[] = [];
  const toolCalls: ResponseToolCall[] = [];
  for (const block of content ?? []) {
    if (!isObject(block)) continue;
    const type = getOwn(block, 'type');
    if (type === 'text') {
      const text = getOwn(block, 'text');
      if (typeof text === 'string') texts.push(text);
    } else if (type === 'tool_use') {
      // Only `tool_use` (not server or MCP tool use), and only with a string id and name and some input.
      const id = getOwn(block, 'id');
      const name = getOwn(block, 'name');
      const input = getOwn(block, 'input');
      if (typeof id === 'string' && typeof name === 'string' && input !== undefined) toolCalls.push({ id, name, arguments: input });
    }
  }
  const apiSpecific: JsonObject = { api: 'anthropic_messages' };
  put(apiSpecific, 'object_type', optString(raw, 'type'));
  put(apiSpecific, 'role', optString(raw, 'role'));
  put(apiSpecific, 'stop_reason', stopReason);
  put(apiSpecific, 'stop_sequence', optString(raw, 'stop_sequence'));
  put(apiSpecific, 'service_tier', optString(raw, 'service_tier'));
  put(apiSpecific, 'container', optJson(raw, 'container'));
  put(apiSpecific, 'content_blocks', content);
  return serializeAnnotatedResponse({
    id: optString(raw, 'id'),
    model: optString(raw, 'model'),
    message: texts.length === 0 ? undefined : texts.join('\n'),
    toolCalls: toolCalls.length === 0 ? undefined : toolCalls,
    finishReason: stopReason === undefined ? undefined : anthropicFinishReason(stopReason),
    usage: usage ? anthropicUsage(usage) : undefined,
    apiSpecific,
    extra: extraFields(raw, MODELLED),
  });
}

function anthropicUsage(usage: JsonObject): JsonObject {
  const prompt = optU64(usage, 'input_tokens');
  const completion = optU64(usage, 'output_tokens');
  return usageObject({
    prompt_tokens: prompt,
    completion_tokens: completion,
    // Anthropic sends no total; the codec adds the two.
    total_tokens: prompt !== undefined && completion !== undefined ? addU64(prompt, completion) : undefined,
    cache_read_tokens: optU64(usage, 'cache_read_input_tokens'),
    cache_write_tokens: optU64(usage, 'cache_creation_input_tokens'),
  });
}

function anthropicFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'end_turn':
      return 'complete';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_use';
    default:
      return { unknown: reason };
  }
}

