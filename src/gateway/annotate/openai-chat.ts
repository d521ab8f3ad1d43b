import { parseJson } from '../../json/parse.js';
import type { Json, JsonObject } from '../../json/value.js';
import { serializeAnnotatedResponse, usageObject, type FinishReason, type ResponseToolCall } from './annotated-response.js';
import { asStruct, extraFields, optArray, optJson, optString, optStruct, optU64, put } from './typed-fields.js';

/** `OpenAIChatCodec::decode_response`: the first choice's text, tool calls and finish reason; usage; chat extras. */
const MODELLED = ['id', 'model', 'choices', 'usage', 'system_fingerprint', 'service_tier'];

export function annotateOpenAiChat(response: Json): JsonObject {
  const raw = asStruct(response, 'chat completion');
  const id = optString(raw, 'id');
  const model = optString(raw, 'model');
  const choices = (optArray(raw, 'choices') ?? []).map((c) => readChoice(c));
  const usage = readUsage(optStruct(raw, 'usage'));
  const systemFingerprint = optString(raw, 'system_fingerprint');
  const serviceTier = optString(raw, 'service_tier');
  const choice = choices[0];
  const apiSpecific: JsonObject = { api: 'openai_chat' };
  put(apiSpecific, 'logprobs', choice?.logprobs);
  put(apiSpecific, 'system_fingerprint', systemFingerprint);
  put(apiSpecific, 'service_tier', serviceTier);
  return serializeAnnotatedResponse({
    id,
    model,
    message: choice?.content,
    toolCalls: choice?.toolCalls,
    finishReason: choice?.finishReason === undefined ? undefined : chatFinishReason(choice.finishReason),
    usage,
    apiSpecific,
    extra: extraFields(raw, MODELLED),
  });
}

interface Choice {
  content?: string;
  /** Present (possibly empty) whenever the message had a tool_calls array. */
  toolCalls?: ResponseToolCall[];
  finishReason?: string;
  logprobs?: Json;
}

/** Every choice is type-checked (a bad later choice fails the decode too); only the first is used. */
function readChoice(value: Json): Choice {
  const choice = asStruct(value, 'choice');
  const out: Choice = {};
  const message = optStruct(choice, 'message');
  out.finishReason = optString(choice, 'finish_reason');
  out.logprobs = optJson(choice, 'logprobs');
  if (message) {
    out.content = optString(message, 'content');
    const calls = optArray(message, 'tool_calls');
    if (calls) out.toolCalls = calls.map(readToolCall).filter((c): c is ResponseToolCall => c !== undefined);
  }
  return out;
}

/** Calls without a function or a function name are skipped (partial tool calls from proxies). */
function readToolCall(value: Json): ResponseToolCall | undefined {
  const call = asStruct(value, 'tool call');
  const id = optString(call, 'id');
  const fn = optStruct(call, 'function');
  if (!fn) return undefined;
  const name = optString(fn, 'name');
  const args = optString(fn, 'arguments');
  if (name === undefined) return undefined;
  return { id: id ?? '', name, arguments: args === undefined ? {} : parseArguments(args) };
}

/** Malformed model output stays a string. */
export function parseArguments(text: string): Json {
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

function readUsage(usage: JsonObject | undefined): JsonObject | undefined {
  if (!usage) return undefined;
  const details = optStruct(usage, 'prompt_tokens_details');
  return usageObject({
    prompt_tokens: optU64(usage, 'prompt_tokens'),
    completion_tokens: optU64(usage, 'completion_tokens'),
    total_tokens: optU64(usage, 'total_tokens'),
    cache_read_tokens: details ? optU64(details, 'cached_tokens') : undefined,
    cache_write_tokens: undefined,
  });
}

function chatFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
      return 'complete';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return { unknown: reason };
  }
}
