import { asU64, type Json, type JsonNumber, type JsonObject } from '../../json/value.js';
import { member, stringMember } from './json-access.js';
import { indexOrZero, U64KeyedMap } from './u64-keys.js';
import type { AssemblyFix } from './assemble.js';

/**
 * OpenAI Chat Completions stream → the `chat.completion` object a non-streamed call returns, as the
 * live `OpenAIChatStreamingCodec` assembles it: the first `id`/`object`/`created`/`model` seen, the
 * last non-null `usage`, and per choice index the role, concatenated content deltas, last finish
 * reason and tool calls (per tool-call index: last id/type/name, empty strings included, concatenated argument text). Other
 * delta fields are dropped; `options` are what the fixes change.
 */
export function assembleOpenAiChat(chunks: readonly Json[], options: ChatAssembly = {}, fired?: Set<AssemblyFix>): JsonObject {
  const state = new ChatState(options, fired);
  for (const chunk of chunks) state.observe(chunk);
  return state.finalize();
}

/** What the assembly does beyond the live codec (the fixes that change it). */
export interface ChatAssembly {
  /**
   * Fix `chat-stream-reasoning`: the reasoning deltas of OpenAI-compatible servers, `reasoning_content`
   * (DeepSeek, vLLM) and `reasoning` (OpenRouter), are concatenated into the message's field of that
   * name, as a non-streamed answer has it.
   */
  reasoning?: boolean;
  /**
   * Fix `chat-stream-tool-identity`: a tool-call delta's empty `id`, `type` or `function.name` is no
   * value. OpenAI-compatible servers (DashScope, DeepSeek) repeat `"id": ""` and `"name": ""` on the
   * continuation deltas of a call, which the live codec takes as the call's last id and name.
   */
  toolIdentity?: boolean;
  /**
   * Fix `chat-stream-refusal`: the `refusal` deltas OpenAI streams when a model declines are
   * concatenated into the message's `refusal`, as a non-streamed answer has it.
   */
  refusal?: boolean;
  /**
   * Fix `chat-stream-parallel-tool-calls`: a tool-call delta with a non-empty `id` and function name,
   * whose id differs from the id of the call already at its index, starts a new call there. Gemini's OpenAI-compatible endpoint
   * sends parallel calls all at index 0 (or with no index), which the live codec merges into one.
   */
  parallelToolCalls?: boolean;
}

/** The delta fields fix `chat-stream-reasoning` assembles, each into the message field of its name. */
const REASONING_FIELDS = ['reasoning_content', 'reasoning'] as const;

interface ToolCallState {
  id?: string;
  type?: string;
  name?: string;
  arguments: string;
  /** The calls this index held before, in order (fix `chat-stream-parallel-tool-calls`). */
  earlier?: ToolCallState[];
}

interface ChoiceState {
  role?: string;
  content: string;
  /** `content: null` (tool-call-only answers) is kept apart from an empty string that was streamed. */
  hasContent: boolean;
  finishReason?: string;
  toolCalls: U64KeyedMap<ToolCallState>;
  /** Reasoning text per field, once a delta has sent it (fix `chat-stream-reasoning`). */
  reasoning?: Map<string, string>;
  /** The refusal text, once a delta has sent one (fix `chat-stream-refusal`). */
  refusal?: string;
}

class ChatState {
  private id?: string;
  private object?: string;
  private created?: number | JsonNumber;
  private model?: string;
  private usage?: Json;
  private readonly choices = new U64KeyedMap<ChoiceState>();

  /** `fired`: receives each fix whose branch changed the answer (explain --step names them). */
  constructor(
    private readonly options: ChatAssembly,
    private readonly fired?: Set<AssemblyFix>,
  ) {}

  observe(chunk: Json): void {
    // Repeated on every chunk: the first value is canonical.
    this.id ??= stringMember(chunk, 'id');
    this.object ??= stringMember(chunk, 'object');
    this.created ??= asU64(member(chunk, 'created'));
    this.model ??= stringMember(chunk, 'model');
    const usage = member(chunk, 'usage');
    // Streams may send `usage: null` on every chunk and the real usage on the last one only.
    if (usage !== undefined && usage !== null) this.usage = usage;
    const choices = member(chunk, 'choices');
    if (!Array.isArray(choices)) return;
    for (const choice of choices) this.observeChoice(choice);
  }

  private observeChoice(choice: Json): void {
    const state = this.choices.getOrInsert(indexOrZero(member(choice, 'index')), () => ({
      content: '',
      hasContent: false,
      toolCalls: new U64KeyedMap<ToolCallState>(),
    }));
    state.finishReason = stringMember(choice, 'finish_reason') ?? state.finishReason;
    const delta = member(choice, 'delta');
    if (delta === undefined) return;
    state.role = stringMember(delta, 'role') ?? state.role;
    const content = stringMember(delta, 'content');
    if (content !== undefined) {
      state.content += content;
      state.hasContent = true;
    }
    if (this.options.reasoning) observeReasoning(state, delta);
    if (this.options.refusal) observeRefusal(state, delta);
    const toolCalls = member(delta, 'tool_calls');
    if (!Array.isArray(toolCalls)) return;
    for (const call of toolCalls) {
      const index = indexOrZero(member(call, 'index'));
      let tc = state.toolCalls.getOrInsert(index, () => ({ arguments: '' }));
      if (this.options.parallelToolCalls && startsAnotherCall(tc, call)) {
        this.fired?.add('chat-stream-parallel-tool-calls');
        const { earlier = [], ...previous } = tc;
        tc = { arguments: '', earlier: [...earlier, previous] };
        state.toolCalls.set(index, tc);
      }
      tc.id = this.identity(call, 'id', tc.id) ?? tc.id;
      tc.type = this.identity(call, 'type', tc.type) ?? tc.type;
      const fn = member(call, 'function');
      if (fn === undefined) continue;
      tc.name = this.identity(fn, 'name', tc.name) ?? tc.name;
      const args = stringMember(fn, 'arguments');
      if (args !== undefined) tc.arguments += args;
    }
  }

  /**
   * A tool call's id, type or name as a delta gives it (undefined: the delta leaves it as it was). As
   * live, an empty string overwrites; with fix `chat-stream-tool-identity` it keeps `before`, and the
   * fix changed the answer when there was a value before. A method, not an arrow-function field: a
   * closure over `this` made per object tripled the export worker's GC time in the step builder (d7ce841).
   */
  private identity(value: Json, key: string, before: string | undefined): string | undefined {
    const text = stringMember(value, key);
    if (!this.options.toolIdentity || text !== '') return text;
    if (before !== undefined && before !== '') this.fired?.add('chat-stream-tool-identity');
    return undefined;
  }

  finalize(): JsonObject {
    const out: JsonObject = {};
    if (this.id !== undefined) out.id = this.id;
    // The assembled object is a `chat.completion`, not a `chat.completion.chunk`.
    if (this.object !== undefined) out.object = this.object.endsWith('.chunk') ? this.object.slice(0, -'.chunk'.length) : this.object;
    if (this.created !== undefined) out.created = this.created;
    if (this.model !== undefined) out.model = this.model;
    out.choices = this.choices.sorted().map(([index, choice]) => {
      // What only the fixes assemble, present in the answer: they changed it.
      if (choice.reasoning !== undefined) this.fired?.add('chat-stream-reasoning');
      if (choice.refusal !== undefined) this.fired?.add('chat-stream-refusal');
      return finalizeChoice(index, choice);
    });
    if (this.usage !== undefined) out.usage = this.usage;
    return out;
  }
}

/**
 * A delta that opens a call (an id and a function name) under another id than the call its index
 * holds: another call at the same index. A fragment of arguments names no function, so it continues
 * the call even where a proxy gives every fragment an id of its own.
 */
function startsAnotherCall(tc: ToolCallState, call: Json): boolean {
  const id = stringMember(call, 'id');
  const name = stringMember(member(call, 'function'), 'name');
  return id !== undefined && id !== '' && name !== undefined && name !== '' && tc.id !== undefined && tc.id !== '' && id !== tc.id;
}

function observeRefusal(state: ChoiceState, delta: Json): void {
  const text = stringMember(delta, 'refusal');
  if (text !== undefined) state.refusal = (state.refusal ?? '') + text;
}

function observeReasoning(state: ChoiceState, delta: Json): void {
  for (const field of REASONING_FIELDS) {
    const text = stringMember(delta, field);
    if (text !== undefined) (state.reasoning ??= new Map()).set(field, (state.reasoning.get(field) ?? '') + text);
  }
}

function finalizeChoice(index: number | JsonNumber, choice: ChoiceState): JsonObject {
  const message: JsonObject = {
    role: choice.role ?? 'assistant',
    content: choice.hasContent ? choice.content : null,
  };
  for (const [field, text] of choice.reasoning ?? []) message[field] = text;
  if (choice.refusal !== undefined) message.refusal = choice.refusal;
  if (choice.toolCalls.size > 0) {
    message.tool_calls = choice.toolCalls.sorted().flatMap(([, tc]) => [...(tc.earlier ?? []), tc]).map((tc) => {
      const call: JsonObject = {};
      if (tc.id !== undefined) call.id = tc.id;
      call.type = tc.type ?? 'function';
      call.function = { name: tc.name ?? '', arguments: tc.arguments };
      return call;
    });
  }
  return { index, message, finish_reason: choice.finishReason ?? null };
}
