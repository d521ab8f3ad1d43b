import { addU64, asU64, type Json, type JsonObject } from '../../json/value.js';
import { member, stringMember } from './json-access.js';

/**
 * The data of the `llm.chunk` mark the live runtime emits for every parsed stream chunk (core
 * `stream.rs`): the chunk index, which provider shape it is, its event type, and where present the
 * choice/output indices, finish or stop reasons, status and usage normalized to
 * `prompt_tokens`/`completion_tokens`/`total_tokens`/`cache_read_tokens`/`cache_write_tokens`.
 * Shapes are tried in the order OpenAI Chat, OpenAI Responses, Anthropic Messages.
 */
export function chunkMarkData(chunkIndex: number, chunk: Json): JsonObject {
  return openAiChatSummary(chunkIndex, chunk) ?? openAiResponsesSummary(chunkIndex, chunk) ?? anthropicSummary(chunkIndex, chunk) ?? base(chunkIndex, 'unknown');
}

const ANTHROPIC_EVENT_TYPES = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
]);

function base(chunkIndex: number, provider: string): JsonObject {
  return { chunk_index: chunkIndex, provider };
}

function openAiChatSummary(chunkIndex: number, chunk: Json): JsonObject | undefined {
  const object = stringMember(chunk, 'object');
  if (object !== 'chat.completion.chunk') return undefined;
  const data = base(chunkIndex, 'openai_chat_completions');
  data.event_type = object;
  const choices = member(chunk, 'choices');
  if (Array.isArray(choices)) {
    const indices: Json[] = [];
    const finishReasons: Json[] = [];
    for (const choice of choices) {
      const index = asU64(member(choice, 'index'));
      if (index !== undefined) indices.push(index);
      const reason = stringMember(choice, 'finish_reason');
      if (reason === undefined) continue;
      const item: JsonObject = {};
      if (index !== undefined) item.choice_index = index;
      item.finish_reason = reason;
      finishReasons.push(item);
    }
    if (indices.length > 0) data.choice_indices = indices;
    if (finishReasons.length > 0) data.finish_reasons = finishReasons;
  }
  const usage = normalizeUsage(member(chunk, 'usage'), OPENAI_CHAT_USAGE, ['prompt_tokens_details', 'cached_tokens']);
  if (usage) data.usage = usage;
  return data;
}

function openAiResponsesSummary(chunkIndex: number, chunk: Json): JsonObject | undefined {
  const eventType = stringMember(chunk, 'type');
  if (eventType === undefined || !eventType.startsWith('response.')) return undefined;
  const data = base(chunkIndex, 'openai_responses');
  data.event_type = eventType;
  insertIndices(data, chunk, ['output_index', 'content_index']);
  const response = member(chunk, 'response');
  // `response.status` decides when present at all, even when null or not a string.
  const statusValue = firstPresent(member(response, 'status'), member(chunk, 'status'));
  if (typeof statusValue === 'string') data.status = statusValue;
  const reason = stringMember(member(response, 'incomplete_details'), 'reason');
  if (reason !== undefined) data.finish_reason = reason;
  const usageValue = firstPresent(member(chunk, 'usage'), member(response, 'usage'));
  const usage = normalizeUsage(usageValue, OPENAI_RESPONSES_USAGE, ['input_tokens_details', 'cached_tokens']);
  if (usage) data.usage = usage;
  return data;
}

function anthropicSummary(chunkIndex: number, chunk: Json): JsonObject | undefined {
  const eventType = stringMember(chunk, 'type');
  if (eventType === undefined || !ANTHROPIC_EVENT_TYPES.has(eventType)) return undefined;
  const data = base(chunkIndex, 'anthropic_messages');
  data.event_type = eventType;
  insertIndices(data, chunk, ['index']);
  const message = member(chunk, 'message');
  const stopValue = firstPresent(member(member(chunk, 'delta'), 'stop_reason'), member(message, 'stop_reason'));
  if (typeof stopValue === 'string') data.stop_reason = stopValue;
  const usage = anthropicUsage(firstPresent(member(chunk, 'usage'), member(message, 'usage')));
  if (usage) data.usage = usage;
  return data;
}

/** Rust's `Option::or_else` over lookups: a present JSON `null` counts as present (unlike `??`). */
function firstPresent(first: Json | undefined, second: Json | undefined): Json | undefined {
  return first !== undefined ? first : second;
}

function insertIndices(data: JsonObject, chunk: Json, fields: string[]): void {
  const indices: JsonObject = {};
  for (const field of fields) {
    const index = asU64(member(chunk, field));
    if (index !== undefined) indices[field] = index;
  }
  if (Object.keys(indices).length > 0) data.indices = indices;
}

/** [source field, normalized field] pairs copied when they hold a u64. */
type UsageFields = Array<[string, string]>;
const OPENAI_CHAT_USAGE: UsageFields = [
  ['prompt_tokens', 'prompt_tokens'],
  ['completion_tokens', 'completion_tokens'],
  ['total_tokens', 'total_tokens'],
];
const OPENAI_RESPONSES_USAGE: UsageFields = [
  ['input_tokens', 'prompt_tokens'],
  ['output_tokens', 'completion_tokens'],
  ['total_tokens', 'total_tokens'],
];

function normalizeUsage(usage: Json | undefined, fields: UsageFields, cachedPath: [string, string]): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [from, to] of fields) {
    const v = asU64(member(usage, from));
    if (v !== undefined) out[to] = v;
  }
  const cached = asU64(member(member(usage, cachedPath[0]), cachedPath[1]));
  if (cached !== undefined) out.cache_read_tokens = cached;
  return Object.keys(out).length > 0 ? out : undefined;
}

const U64_MAX = 18446744073709551615n;

function anthropicUsage(usage: Json | undefined): JsonObject | undefined {
  const out: JsonObject = {};
  const prompt = asU64(member(usage, 'input_tokens'));
  const completion = asU64(member(usage, 'output_tokens'));
  if (prompt !== undefined) out.prompt_tokens = prompt;
  if (completion !== undefined) out.completion_tokens = completion;
  if (prompt !== undefined && completion !== undefined) {
    // `checked_add`: a total that overflows u64 is left out.
    const total = addU64(prompt, completion);
    if (BigInt(typeof total === 'number' ? total : total.text) <= U64_MAX) out.total_tokens = total;
  }
  const read = asU64(member(usage, 'cache_read_input_tokens'));
  if (read !== undefined) out.cache_read_tokens = read;
  const write = asU64(member(usage, 'cache_creation_input_tokens'));
  if (write !== undefined) out.cache_write_tokens = write;
  return Object.keys(out).length > 0 ? out : undefined;
}
