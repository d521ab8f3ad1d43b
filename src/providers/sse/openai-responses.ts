import { asU64, isObject, type Json, type JsonObject } from '../../json/value.js';
import { copyObject, member, stringMember } from './json-access.js';
import { U64KeyedMap } from './u64-keys.js';

/** Events whose `response` member is a full snapshot of the response object so far. */
const SNAPSHOT_EVENTS = new Set([
  'response.created',
  'response.in_progress',
  'response.completed',
  'response.failed',
  'response.incomplete',
]);
const ITEM_EVENTS = new Set(['response.output_item.added', 'response.output_item.done']);

/**
 * OpenAI Responses stream → the response object, as the live `OpenAIResponsesStreamingCodec` does:
 * the last `response` snapshot wins; when its `output` is missing, not an array or empty, `output` is
 * rebuilt from the `output_item.added/done` items by `output_index` (last write wins). Text and
 * argument deltas are not accumulated: the items and the terminal snapshot redeliver them.
 */
export function assembleOpenAiResponses(events: readonly Json[]): JsonObject {
  let snapshot: JsonObject | undefined;
  const items = new U64KeyedMap<Json>();
  for (const event of events) {
    const type = stringMember(event, 'type') ?? '';
    if (SNAPSHOT_EVENTS.has(type)) {
      const response = member(event, 'response');
      if (isObject(response)) snapshot = response;
    } else if (ITEM_EVENTS.has(type)) {
      const index = asU64(member(event, 'output_index'));
      const item = member(event, 'item');
      // A present `item: null` is stored as null, as the reference does.
      if (index !== undefined && item !== undefined) items.set(index, item);
    }
  }
  const out = snapshot ? copyObject(snapshot) : {};
  const output = member(out, 'output');
  const outputEmpty = !Array.isArray(output) || output.length === 0;
  if (outputEmpty && items.size > 0) out.output = items.sorted().map(([, item]) => item);
  return out;
}
