import { asU64, isObject, setOwn, type Json, type JsonObject } from '../../json/value.js';
import { parseJson } from '../../json/parse.js';
import { copyObject, member, stringMember } from './json-access.js';
import { trimRust } from './unicode-whitespace.js';
import { U64KeyedMap } from './u64-keys.js';
import type { AssemblyFix } from './assemble.js';

/**
 * Anthropic Messages stream → the message object, as the live `AnthropicMessagesStreamingCodec`
 * does: `message_start` gives id/type/role/model/usage; `content_block_start` sets the block
 * skeleton at its index; text, `partial_json` and citation deltas accumulate into that block;
 * `message_delta` sets stop reason/sequence and replaces usage. Thinking and signature deltas are
 * not accumulated (the skeleton is kept as it started). `options` are what the fixes change.
 */
export function assembleAnthropicMessages(events: readonly Json[], options: AnthropicAssembly = {}, fired?: Set<AssemblyFix>): JsonObject {
  const state = new MessageState(options, fired);
  for (const event of events) state.observe(event);
  return state.finalize();
}

/** What the assembly does beyond the live codec (the fixes that change it). */
export interface AnthropicAssembly {
  /**
   * Fix `anthropic-stream-usage`: a `message_delta`'s usage updates the usage so far key by key (its
   * null counts setting nothing) instead of replacing it. Anthropic's `message_delta` carries
   * `{"output_tokens": n}` alone, so replaced, the input and cache token counts of `message_start`
   * were lost from every streamed call.
   */
  mergeUsage?: boolean;
  /**
   * Fix `anthropic-stream-thinking`: a thinking block's `thinking_delta` texts are appended to its
   * `thinking` and a `signature_delta` sets its `signature`, as Anthropic's SDK stream accumulators do,
   * so a streamed answer's thinking is the non-streamed one's instead of the empty skeleton.
   */
  thinking?: boolean;
  /**
   * Fix `anthropic-stream-empty-tool-input`: a tool_use block whose `partial_json` deltas are all
   * empty keeps the input its `content_block_start` gave (`{}`), as Anthropic's SDK accumulators do.
   * Anthropic opens every tool_use with `"input": {}` and an empty `input_json_delta`; for a tool
   * without parameters that is the only delta, and the live codec, which keeps an input that does not
   * parse as its raw text, made the input the string "".
   */
  emptyToolInput?: boolean;
  /**
   * Fix `anthropic-stream-stop-details`: a `message_delta`'s `stop_details` (a refusal's type,
   * category and explanation) is kept on the message, as a non-streamed answer has it. Anthropic sends
   * it on that event beside `stop_reason`; the live codec keeps the reason only, so a streamed refusal
   * lost the explanation the API gives for it.
   */
  stopDetails?: boolean;
}

interface BlockState {
  skeleton: JsonObject;
  text?: string;
  thinking?: string;
  signature?: string;
  partialJson?: string;
  citations?: Json[];
}

class MessageState {
  private id?: string;
  private type?: string;
  private role?: string;
  private model?: string;
  /** A present `usage: null` is kept: the reference stores whatever JSON it was given. */
  private usage?: Json;
  private stopReason?: string;
  private stopSequence?: Json;
  private stopDetails?: Json;
  private readonly blocks = new U64KeyedMap<BlockState>();

  /** `fired`: receives each fix whose branch changed the answer (explain --step names them). */
  constructor(
    private readonly options: AnthropicAssembly,
    private readonly fired?: Set<AssemblyFix>,
  ) {}

  observe(event: Json): void {
    switch (stringMember(event, 'type') ?? '') {
      case 'message_start':
        return this.observeMessageStart(member(event, 'message'));
      case 'content_block_start':
        return this.observeBlockStart(event);
      case 'content_block_delta':
        return this.observeBlockDelta(event);
      case 'message_delta':
        return this.observeMessageDelta(event);
      default:
        // content_block_stop, message_stop, ping and future event types carry nothing to assemble.
        return;
    }
  }

  private observeMessageStart(message: Json | undefined): void {
    if (message === undefined) return;
    this.id = stringMember(message, 'id') ?? this.id;
    this.model = stringMember(message, 'model') ?? this.model;
    this.role = stringMember(message, 'role') ?? this.role;
    this.type = stringMember(message, 'type') ?? this.type;
    const usage = member(message, 'usage');
    if (usage !== undefined) this.usage = usage;
  }

  private observeBlockStart(event: Json): void {
    const index = asU64(member(event, 'index'));
    const block = member(event, 'content_block');
    if (index === undefined || !isObject(block)) return;
    // A repeated start for the same index starts the block over.
    this.blocks.set(index, { skeleton: block });
  }

  private observeBlockDelta(event: Json): void {
    const index = asU64(member(event, 'index'));
    const delta = member(event, 'delta');
    if (index === undefined || delta === undefined) return;
    const block = this.blocks.lookup(index);
    if (!block) return;
    switch (stringMember(delta, 'type') ?? '') {
      case 'text_delta': {
        const text = stringMember(delta, 'text');
        if (text !== undefined) block.text = (block.text ?? '') + text;
        return;
      }
      case 'input_json_delta': {
        const partial = stringMember(delta, 'partial_json');
        if (partial !== undefined) block.partialJson = (block.partialJson ?? '') + partial;
        return;
      }
      case 'thinking_delta': {
        const thinking = stringMember(delta, 'thinking');
        if (this.options.thinking && thinking !== undefined && block.skeleton.type === 'thinking') {
          block.thinking = (block.thinking ?? '') + thinking;
          this.fired?.add('anthropic-stream-thinking');
        }
        return;
      }
      case 'signature_delta': {
        const signature = stringMember(delta, 'signature');
        if (this.options.thinking && signature !== undefined && block.skeleton.type === 'thinking') {
          block.signature = signature;
          this.fired?.add('anthropic-stream-thinking');
        }
        return;
      }
      case 'citations_delta': {
        const citation = member(delta, 'citation');
        if (citation !== undefined) (block.citations ??= []).push(citation);
        return;
      }
      default:
        return;
    }
  }

  private observeMessageDelta(event: Json): void {
    const delta = member(event, 'delta');
    if (delta !== undefined) {
      this.stopReason = stringMember(delta, 'stop_reason') ?? this.stopReason;
      const seq = member(delta, 'stop_sequence');
      if (seq !== undefined) this.stopSequence = seq;
      const details = this.options.stopDetails ? member(delta, 'stop_details') : undefined;
      if (details !== undefined) {
        this.stopDetails = details;
        this.fired?.add('anthropic-stream-stop-details');
      }
    }
    const usage = member(event, 'usage');
    if (usage === undefined) return;
    if (this.options.mergeUsage && isObject(this.usage) && isObject(usage)) {
      // Replaced, a count the update leaves out or nulls would have been lost: then the fix changed the usage.
      const before = this.usage;
      if (Object.keys(before).some((k) => usage[k] === undefined || usage[k] === null)) this.fired?.add('anthropic-stream-usage');
      this.usage = updated(before, usage);
    } else this.usage = usage;
  }

  finalize(): JsonObject {
    const out: JsonObject = {};
    if (this.id !== undefined) out.id = this.id;
    if (this.type !== undefined) out.type = this.type;
    if (this.role !== undefined) out.role = this.role;
    if (this.model !== undefined) out.model = this.model;
    out.content = this.blocks.sorted().map(([, block]) => finalizeBlock(block, this.options.emptyToolInput === true, this.fired));
    if (this.stopReason !== undefined) out.stop_reason = this.stopReason;
    if (this.stopSequence !== undefined) out.stop_sequence = this.stopSequence;
    if (this.stopDetails !== undefined) out.stop_details = this.stopDetails;
    if (this.usage !== undefined) out.usage = this.usage;
    return out;
  }
}

/**
 * `base` with the keys of `update` set over it (a new object: the events stay as they were read). A
 * null in `update` sets nothing: Anthropic's `MessageDeltaUsage` declares `input_tokens` and the cache
 * counts nullable (`{"input_tokens": null, …, "output_tokens": 14}`), meaning "not reported here", and
 * its SDKs' stream accumulators keep the earlier count then (`if (usage.input_tokens != null)`).
 */
function updated(base: JsonObject, update: JsonObject): JsonObject {
  const out = copyObject(base);
  for (const key of Object.keys(update)) if (update[key] !== null) setOwn(out, key, update[key]);
  return out;
}

function finalizeBlock(block: BlockState, emptyToolInput: boolean, fired: Set<AssemblyFix> | undefined): JsonObject {
  const out = copyObject(block.skeleton);
  if (block.text !== undefined) out.text = block.text;
  if (block.thinking !== undefined) out.thinking = (typeof out.thinking === 'string' ? out.thinking : '') + block.thinking;
  if (block.signature !== undefined) out.signature = block.signature;
  if (block.partialJson !== undefined && emptyToolInput && trimRust(block.partialJson) === '') {
    // Nothing streamed: the start's input stands ({} from Anthropic; {} if it sent none), not the text "".
    if (!isObject(out.input)) out.input = {};
    fired?.add('anthropic-stream-empty-tool-input');
  } else if (block.partialJson !== undefined) {
    // A truncated or malformed tool input is kept as the raw concatenation rather than dropped.
    let input: Json;
    try {
      input = parseJson(block.partialJson);
    } catch {
      input = block.partialJson;
    }
    out.input = input;
  }
  if (block.citations !== undefined) out.citations = block.citations;
  return out;
}
