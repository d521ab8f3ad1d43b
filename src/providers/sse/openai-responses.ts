import { asU64, isObject, type Json, type JsonNumber, type JsonObject } from '../../json/value.js';
import { copyObject, member, stringMember } from './json-access.js';
import { U64KeyedMap } from './u64-keys.js';
import type { AssemblyFix } from './assemble.js';

/** Events whose `response` member is a full snapshot of the response object so far. */
const SNAPSHOT_EVENTS = new Set([
  'response.created',
  'response.in_progress',
  'response.completed',
  'response.failed',
  'response.incomplete',
]);
const ITEM_EVENTS = new Set(['response.output_item.added', 'response.output_item.done']);

/** How a Responses stream is assembled beyond what the live codec does. */
export interface OpenAiResponsesAssembleOptions {
  /**
   * Fix `responses-stream-deltas`: an output item the stream opened but never finished (no
   * `output_item.done`, as in a stream cut short) takes the text, refusal, arguments, custom tool
   * input and reasoning summary its delta events sent.
   */
  deltas?: boolean;
}

/**
 * OpenAI Responses stream → the response object, as the live `OpenAIResponsesStreamingCodec` does:
 * the last `response` snapshot wins; when its `output` is missing, not an array or empty, `output` is
 * rebuilt from the `output_item.added/done` items by `output_index` (last write wins). Text and
 * argument deltas are not accumulated: the items and the terminal snapshot redeliver them (with
 * `options.deltas`, an item that was never done takes what its deltas sent).
 */
export function assembleOpenAiResponses(events: readonly Json[], options: OpenAiResponsesAssembleOptions = {}, fired?: Set<AssemblyFix>): JsonObject {
  let snapshot: JsonObject | undefined;
  const items = new U64KeyedMap<Json>();
  const streamed = options.deltas ? new StreamedParts() : undefined;
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
      if (index !== undefined && type === 'response.output_item.done') streamed?.finished(index);
    } else {
      streamed?.read(type, event);
    }
  }
  const out = snapshot ? copyObject(snapshot) : {};
  const output = member(out, 'output');
  const outputEmpty = !Array.isArray(output) || output.length === 0;
  if (outputEmpty && items.size > 0) {
    out.output = items.sorted().map(([index, item]) => {
      const completed = streamed?.complete(index, item);
      // An item never done took what its deltas sent: the fix changed the answer.
      if (completed !== undefined) fired?.add('responses-stream-deltas');
      return completed ?? item;
    });
  }
  return out;
}

/** One delta target: a content part, a summary part, or the item's own arguments or input. */
interface Part {
  text: string;
}

/** What one output item's deltas sent; `done` once its `output_item.done` came (then it is not read). */
interface SentItem {
  done: boolean;
  /** By `content_index` (a small index: a message has a few parts). */
  content: Map<string, { kind: 'output_text' | 'refusal' } & Part>;
  /** By `summary_index`. */
  summary: Map<string, Part>;
  /** A function call's arguments or a custom tool call's input. */
  own?: Part;
}

/**
 * What the delta events of a Responses stream sent, per output item not yet done (fix
 * `responses-stream-deltas`): `response.output_text.delta` and `response.refusal.delta` by
 * `content_index`, `response.reasoning_summary_text.delta` by `summary_index`,
 * `response.function_call_arguments.delta` and `response.custom_tool_call_input.delta` for the item
 * itself; a `.done` event of each gives the whole text instead.
 */
class StreamedParts {
  private readonly byItem = new U64KeyedMap<SentItem>();

  finished(index: number | JsonNumber): void {
    this.item(index).done = true;
  }

  read(type: string, event: Json): void {
    const index = asU64(member(event, 'output_index'));
    if (index === undefined) return;
    const item = this.item(index);
    const key = (name: string) => String(asU64(member(event, name)) ?? 0);
    switch (type) {
      case 'response.output_text.delta':
      case 'response.output_text.done':
        return put(item.content, key('content_index'), { kind: 'output_text', text: '' }, event, type.endsWith('.done') ? 'text' : 'delta');
      case 'response.refusal.delta':
      case 'response.refusal.done':
        return put(item.content, key('content_index'), { kind: 'refusal', text: '' }, event, type.endsWith('.done') ? 'refusal' : 'delta');
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_summary_text.done':
        return put(item.summary, key('summary_index'), { text: '' }, event, type.endsWith('.done') ? 'text' : 'delta');
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        item.own = { text: (item.own?.text ?? '') + (stringMember(event, 'delta') ?? '') };
        return;
      case 'response.function_call_arguments.done':
        item.own = { text: stringMember(event, 'arguments') ?? item.own?.text ?? '' };
        return;
      case 'response.custom_tool_call_input.done':
        item.own = { text: stringMember(event, 'input') ?? item.own?.text ?? '' };
        return;
    }
  }

  /** The item as it was opened, with what its deltas sent, when it was never done; else undefined. */
  complete(index: number | JsonNumber, item: Json): Json | undefined {
    const sent = this.byItem.lookup(index);
    if (!sent || sent.done || !isObject(item)) return undefined;
    const out = copyObject(item);
    if (sent.content.size > 0) {
      const content = Array.isArray(item.content) ? [...item.content] : [];
      for (const [at, part] of sent.content) {
        content[Number(at)] = part.kind === 'refusal' ? { type: 'refusal', refusal: part.text } : { type: 'output_text', text: part.text, annotations: [] };
      }
      out.content = fillHoles(content, { type: 'output_text', text: '', annotations: [] });
    }
    if (sent.summary.size > 0) {
      const summary = Array.isArray(item.summary) ? [...item.summary] : [];
      for (const [at, part] of sent.summary) summary[Number(at)] = { type: 'summary_text', text: part.text };
      out.summary = fillHoles(summary, { type: 'summary_text', text: '' });
    }
    if (sent.own !== undefined) {
      if (item.type === 'function_call') out.arguments = sent.own.text;
      else if (item.type === 'custom_tool_call') out.input = sent.own.text;
    }
    return out;
  }

  private item(index: number | JsonNumber): SentItem {
    return this.byItem.getOrInsert(index, () => ({ done: false, content: new Map(), summary: new Map() }));
  }
}

/** Appends a delta to a part (`field` delta), or sets the whole text a `.done` event gives under `field`. */
function put<P extends Part>(parts: Map<string, P>, at: string, fresh: P, event: Json, field: 'delta' | 'text' | 'refusal'): void {
  const part = parts.get(at) ?? fresh;
  const text = stringMember(event, field);
  if (text !== undefined) part.text = field === 'delta' ? part.text + text : text;
  parts.set(at, part);
}

/** A part index the deltas skipped is an empty part of its kind rather than a hole. */
function fillHoles(parts: Json[], empty: JsonObject): Json[] {
  return Array.from(parts, (p) => p ?? copyObject(empty));
}
