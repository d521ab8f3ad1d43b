import { getOwn, isObject, setOwn, type Json, type JsonObject } from '../../json/value.js';
import { serializeAnnotatedResponse, usageObject, type FinishReason, type ResponseToolCall } from './annotated-response.js';
import { parseArguments } from './openai-chat.js';
import { asStruct, extraFields, optArray, optBool, optJson, optString, optStruct, optU64, put } from './typed-fields.js';

/**
 * `OpenAIResponsesCodec::decode_response`: output text of message items joined with newlines,
 * function calls, a finish reason from status + incomplete details, usage, and the Responses extras.
 */
const MODELLED = ['id', 'model', 'status', 'output', 'usage', 'incomplete_details', 'previous_response_id', 'store', 'service_tier', 'truncation', 'reasoning'];

export function annotateOpenAiResponses(response: Json): JsonObject {
  const raw = asStruct(response, 'response');
  const output = optArray(raw, 'output');
  const status = optString(raw, 'status');
  const incompleteDetails = optJson(raw, 'incomplete_details');
  const usage = optStruct(raw, 'usage');
  const inputDetailsStruct = usage ? optStruct(usage, 'input_tokens_details') : undefined;
  const inputDetails = detailsJson(inputDetailsStruct, 'cached_tokens');
  const outputDetails = detailsJson(usage ? optStruct(usage, 'output_tokens_details') : undefined, 'reasoning_tokens');
  const texts: string[] = [];
  const toolCalls: ResponseToolCall[] = [];
  for (const item of output ?? []) collectOutputItem(item, texts, toolCalls);
  const apiSpecific: JsonObject = { api: 'openai_responses' };
  put(apiSpecific, 'output_items', output);
  put(apiSpecific, 'status', status);
  put(apiSpecific, 'incomplete_details', incompleteDetails);
  put(apiSpecific, 'previous_response_id', optString(raw, 'previous_response_id'));
  put(apiSpecific, 'store', optBool(raw, 'store'));
  put(apiSpecific, 'service_tier', optString(raw, 'service_tier'));
  put(apiSpecific, 'truncation', optJson(raw, 'truncation'));
  put(apiSpecific, 'reasoning', optJson(raw, 'reasoning'));
  put(apiSpecific, 'input_tokens_details', inputDetails);
  put(apiSpecific, 'output_tokens_details', outputDetails);
  return serializeAnnotatedResponse({
    id: optString(raw, 'id'),
    model: optString(raw, 'model'),
    message: texts.length === 0 ? undefined : texts.join('\n'),
    toolCalls: toolCalls.length === 0 ? undefined : toolCalls,
    finishReason: responsesFinishReason(status, incompleteDetails),
    usage: usage
      ? usageObject({
          prompt_tokens: optU64(usage, 'input_tokens'),
          completion_tokens: optU64(usage, 'output_tokens'),
          total_tokens: optU64(usage, 'total_tokens'),
          cache_read_tokens: inputDetailsStruct ? optU64(inputDetailsStruct, 'cached_tokens') : undefined,
          cache_write_tokens: undefined,
        })
      : undefined,
    apiSpecific,
    extra: extraFields(raw, MODELLED),
  });
}

/** Token details keep their typed count (when set) and every other key (`#[serde(flatten)]`). */
function detailsJson(details: JsonObject | undefined, countKey: string): JsonObject | undefined {
  if (!details) return undefined;
  const out: JsonObject = {};
  put(out, countKey, optU64(details, countKey));
  const extra = extraFields(details, [countKey]);
  for (const key of Object.keys(extra)) setOwn(out, key, extra[key]);
  return out;
}

/** Items are read untyped: `message` items give their `output_text` blocks, `function_call` items a call. */
function collectOutputItem(item: Json, texts: string[], calls: ResponseToolCall[]): void {
  if (!isObject(item)) return;
  const type = getOwn(item, 'type');
  if (type === 'message') {
    const content = getOwn(item, 'content');
    if (!Array.isArray(content)) return;
    for (const block of content) {
      if (isObject(block) && getOwn(block, 'type') === 'output_text' && typeof getOwn(block, 'text') === 'string') texts.push(getOwn(block, 'text') as string);
    }
  } else if (type === 'function_call') {
    const callId = getOwn(item, 'call_id');
    const name = getOwn(item, 'name');
    const args = getOwn(item, 'arguments');
    calls.push({
      id: typeof callId === 'string' ? callId : '',
      name: typeof name === 'string' ? name : '',
      arguments: typeof args === 'string' ? parseArguments(args) : {},
    });
  }
}

function responsesFinishReason(status: string | undefined, incompleteDetails: Json | undefined): FinishReason | undefined {
  if (status === undefined) return undefined;
  if (status === 'completed') return 'complete';
  if (status !== 'incomplete') return { unknown: status };
  const reason = isObject(incompleteDetails) ? getOwn(incompleteDetails, 'reason') : undefined;
  if (reason === 'max_output_tokens') return 'length';
  if (reason === 'content_filter') return 'content_filter';
  return { unknown: typeof reason === 'string' ? reason : 'incomplete' };
}
