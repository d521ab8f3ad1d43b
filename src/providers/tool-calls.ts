import { parseJson } from '../json/parse.js';
import { getOwn, isObject, setOwn, type Json, type JsonObject } from '../json/value.js';
import { anthropicToolUseBlocks, isServerToolCall } from './anthropic.js';
import { SEED_RULES, type ProviderRules } from './rules.js';

/** A tool call promoted from an LLM response, in ATIF's shape. */
export interface PromotedToolCall {
  tool_call_id: string;
  function_name: string;
  arguments: Json;
  extra?: JsonObject;
}

/**
 * `R` of the chat-completions rules: `raw_response` when that key is present (whatever its type),
 * else the response itself; then `choices[0].message.<field>`.
 */
export function choiceMessageField(data: Json, field: string): Json | undefined {
  if (!isObject(data)) return undefined;
  const r = Object.prototype.hasOwnProperty.call(data, 'raw_response') ? data.raw_response : data;
  if (!isObject(r)) return undefined;
  const choices = getOwn(r, 'choices');
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const first = choices[0];
  if (!isObject(first)) return undefined;
  const message = getOwn(first, 'message');
  if (!isObject(message)) return undefined;
  return getOwn(message, field);
}

/** The chat-style tool-call array: top-level, Hermes `assistant_message`, or the first choice's message. */
export function toolCallArray(data: Json): Json[] | undefined {
  if (!isObject(data)) return undefined;
  const top = getOwn(data, 'tool_calls');
  if (Array.isArray(top)) return top;
  const assistant = getOwn(data, 'assistant_message');
  if (isObject(assistant)) {
    const calls = getOwn(assistant, 'tool_calls');
    if (Array.isArray(calls)) return calls;
  }
  const fromChoice = choiceMessageField(data, 'tool_calls');
  return Array.isArray(fromChoice) ? fromChoice : undefined;
}

/**
 * The tool calls of an OpenAI Responses `output` that are not `function_call` items (fix
 * `responses-custom-tool-calls`): a custom tool's call (`custom_tool_call`: freeform `input` text, as
 * Codex's `apply_patch` sends its patch) and a local shell call (`local_shell_call`: its `action`).
 */
const CUSTOM_CALL_TYPES = new Set(['custom_tool_call', 'local_shell_call']);

/**
 * A web search the model ran (fix `responses-web-search-calls`): OpenAI runs the hosted `web_search`
 * tool itself and answers in the same response, so the item is a call and its result at once:
 * `{"type": "web_search_call", "id": "ws_…", "status", "action": {"type": "search", "query",
 * "sources"?} | {"type": "open_page", "url"} | {"type": "find_in_page", "url", "pattern"}}`.
 */
const WEB_SEARCH_CALL = 'web_search_call';

/**
 * The `function_call` items of an OpenAI Responses `output` (with `custom`, its custom tool and local
 * shell calls too; with `webSearch`, its web search calls), if it has any.
 */
export function responsesFunctionCallItems(data: Json, custom = false, webSearch = false): Json[] | undefined {
  if (!isObject(data)) return undefined;
  const output = getOwn(data, 'output');
  if (!Array.isArray(output)) return undefined;
  const items = output.filter(
    (item) => isObject(item) && (item.type === 'function_call' || (custom && CUSTOM_CALL_TYPES.has(item.type as string)) || (webSearch && item.type === WEB_SEARCH_CALL)),
  );
  return items.length > 0 ? items : undefined;
}

/** Whether fix `responses-web-search-calls` changes a response's tool calls: it has web search calls and no chat-style ones. */
export function responsesWebSearchCallsApply(data: Json): boolean {
  const chat = toolCallArray(data);
  if (chat && chat.length > 0) return false;
  return (responsesFunctionCallItems(data, false, true) ?? []).some((item) => isObject(item) && item.type === WEB_SEARCH_CALL);
}

/**
 * A web search call as a tool call `web_search` (the tool Codex and the API declare as
 * `{"type": "web_search"}`), named by its item id (it has no `call_id`: nothing is sent back for it),
 * else `web_search:<n>`; its arguments are its `action` less the `sources` (the search's result, read
 * by responsesWebSearchSources); `type` and `status` stay in `extra`.
 */
function webSearchToolCall(item: JsonObject, index: number): PromotedToolCall {
  const itemId = getOwn(item, 'id');
  const id = typeof itemId === 'string' && itemId !== '' ? itemId : `web_search:${index + 1}`;
  const action = getOwn(item, 'action');
  const args: JsonObject = {};
  if (isObject(action)) for (const k of Object.keys(action)) if (k !== 'sources') setOwn(args, k, action[k]);
  const extra: JsonObject = {};
  for (const k of Object.keys(item)) if (k !== 'action' && !(k === 'id' && item.id === id)) setOwn(extra, k, item[k]);
  return { arguments: args, extra, function_name: 'web_search', tool_call_id: id };
}

/**
 * The results of a response's web search calls (fix `responses-web-search-calls`): the URLs of the
 * `action.sources` a call carries (the request's `include: ["web_search_call.action.sources"]` asks
 * for them), one a line, under the call's id as webSearchToolCall names it. A call without sources
 * has no result here (OpenAI sends none unless asked). `custom`: whether custom tool calls are read
 * too (rule responsesCustomToolCalls).
 */
export function responsesWebSearchSources(data: Json, custom = false): { callId: string; content: string }[] {
  // The same items extractToolCalls reads under the same rules, so a call without id has the same `web_search:<n>`.
  const items = responsesFunctionCallItems(data, custom, true) ?? [];
  const out: { callId: string; content: string }[] = [];
  items.forEach((item, index) => {
    if (!isObject(item) || item.type !== WEB_SEARCH_CALL) return;
    const action = getOwn(item, 'action');
    const sources = isObject(action) ? getOwn(action, 'sources') : undefined;
    if (!Array.isArray(sources)) return;
    const urls = sources.flatMap((src) => (isObject(src) && typeof src.url === 'string' ? [src.url] : []));
    if (urls.length > 0) out.push({ callId: webSearchToolCall(item, index).tool_call_id, content: urls.join('\n') });
  });
  return out;
}

/** Whether fix `responses-custom-tool-calls` changes a response's tool calls: it has such calls and no chat-style ones. */
export function responsesCustomToolCallsApply(data: Json): boolean {
  const chat = toolCallArray(data);
  if (chat && chat.length > 0) return false;
  return (responsesFunctionCallItems(data, true) ?? []).some(isCustomCallItem);
}

function isCustomCallItem(item: Json): item is JsonObject {
  return isObject(item) && CUSTOM_CALL_TYPES.has(item.type as string);
}

/**
 * A custom tool's or local shell's call: its `call_id` names it (a `function_call_output`-style
 * `custom_tool_call_output` answers it); a custom tool's freeform text is the argument `input` (ATIF
 * arguments are an object), a local shell call's arguments are its `action`; `type` (and an item id
 * other than the call's) stay in `extra`, so the call is told from a function's.
 */
function customToolCall(item: JsonObject, index: number): PromotedToolCall | undefined {
  const shell = item.type === 'local_shell_call';
  const name = shell ? 'local_shell' : typeof item.name === 'string' ? item.name : '';
  const callId = getOwn(item, 'call_id');
  const itemId = getOwn(item, 'id');
  let id = typeof callId === 'string' && callId !== '' ? callId : typeof itemId === 'string' ? itemId : '';
  if (id === '' && name !== '') id = `${name}:${index + 1}`;
  if (id === '') return undefined;
  const input = shell ? getOwn(item, 'action') : getOwn(item, 'input');
  const args: Json = shell ? (isObject(input) ? input : {}) : typeof input === 'string' ? { input } : normalizeToolArguments(input);
  const extra: JsonObject = {};
  for (const k of Object.keys(item)) if (k !== 'call_id' && k !== 'name' && k !== (shell ? 'action' : 'input') && !(k === 'id' && item.id === id)) setOwn(extra, k, item[k]);
  return { arguments: args, extra, function_name: name, tool_call_id: id };
}

/** Tool-call `arguments` as an object: JSON strings parsed, scalars wrapped as `{value}`, junk as `{raw}`. */
export function normalizeToolArguments(raw: Json | undefined): Json {
  if (raw === undefined || raw === null) return {};
  if (isObject(raw)) return raw;
  if (typeof raw === 'string') {
    let parsed: Json;
    try {
      parsed = parseJson(raw);
    } catch {
      return { raw };
    }
    return isObject(parsed) ? parsed : { value: parsed };
  }
  return { value: raw };
}

/** Where a call's id, name and arguments are read: the first key present wins. */
const ID_KEYS = ['id', 'tool_call_id', 'call_id'];
const NAME_KEYS = ['name', 'tool_name', 'function_name'];
const FUNCTION_NAME_KEYS = ['name'];
const FUNCTION_ARGUMENT_KEYS = ['arguments'];
const ARGUMENT_KEYS = ['arguments', 'args'];
/** With Anthropic rules `input` is an argument source too. */
const ARGUMENT_KEYS_WITH_INPUT = [...ARGUMENT_KEYS, 'input'];

const CALL_KEYS = new Set(['id', 'tool_call_id', 'call_id', 'type', 'function', 'name', 'tool_name', 'function_name', 'arguments', 'args']);
/** With Anthropic rules `input` is an argument source, so it is not copied to `extra` either. */
const CALL_KEYS_WITH_INPUT = new Set([...CALL_KEYS, 'input']);

/** The fields of a call (and of its `function`) that ATIF has no place for; undefined when there are none, as is usual. */
function toolCallExtra(call: JsonObject, known: ReadonlySet<string>): JsonObject | undefined {
  let extra: JsonObject | undefined;
  for (const k of Object.keys(call)) if (!known.has(k)) setOwn((extra ??= {}), k, call[k]);
  const fn = getOwn(call, 'function');
  if (isObject(fn)) {
    let fnExtra: JsonObject | undefined;
    for (const k of Object.keys(fn)) if (k !== 'name' && k !== 'arguments') setOwn((fnExtra ??= {}), k, fn[k]);
    if (fnExtra) (extra ??= {}).function = fnExtra;
  }
  return extra;
}

/**
 * Tool-call promotion from an LLM response (seed rules): chat-style arrays first (an empty one is
 * skipped as a whole), else Responses `function_call` items, else (Anthropic rules) `tool_use`
 * blocks. One non-object element voids them all.
 */
export function extractToolCalls(data: Json, rules: ProviderRules = SEED_RULES): PromotedToolCall[] | undefined {
  let source = toolCallArray(data);
  let responsesItems = false;
  let customItems = false;
  let webSearchItems = false;
  if (!source || source.length === 0) {
    source = responsesFunctionCallItems(data, rules.responsesCustomToolCalls, rules.responsesWebSearchCalls);
    responsesItems = source !== undefined && rules.responsesFunctionCalls === true;
    customItems = source !== undefined && rules.responsesCustomToolCalls === true;
    webSearchItems = source !== undefined && rules.responsesWebSearchCalls === true;
  }
  if (!source && rules.anthropicMessages) source = anthropicToolUseBlocks(data, rules.anthropicServerTools);
  if (!source) return undefined;
  const argumentKeys = rules.anthropicMessages ? ARGUMENT_KEYS_WITH_INPUT : ARGUMENT_KEYS;
  const known = rules.anthropicMessages ? CALL_KEYS_WITH_INPUT : CALL_KEYS;
  const calls: PromotedToolCall[] = [];
  for (let index = 0; index < source.length; index++) {
    const element = source[index];
    if (!isObject(element)) return undefined;
    if (webSearchItems && element.type === WEB_SEARCH_CALL) {
      calls.push(webSearchToolCall(element, index));
      continue;
    }
    if (customItems && isCustomCallItem(element)) {
      const call = customToolCall(element, index);
      if (call) calls.push(call);
      continue;
    }
    const fn = isObject(element.function) ? (element.function as JsonObject) : undefined;
    // With Responses rules a `function_call` item's `call_id` (a non-empty string) is its id; else, as
    // in the seed, the first id key present decides, whatever its type (no falling through to the next key).
    const callId = responsesItems ? responsesCallId(element) : undefined;
    const idValue = callId ?? firstPresentValue(element, ID_KEYS);
    let id = typeof idValue === 'string' ? idValue : '';
    const name = firstPresentNameChain(element, fn);
    if (id === '' && name !== '') id = `${name}:${index + 1}`;
    const fnArgs = firstPresentValue(fn, FUNCTION_ARGUMENT_KEYS);
    const rawArgs = fnArgs !== undefined ? fnArgs : firstPresentValue(element, argumentKeys);
    if (id === '' && name === '') continue;
    const args = rules.emptyToolArguments && isBlankText(rawArgs) ? {} : normalizeToolArguments(rawArgs);
    let extra = toolCallExtra(element, known);
    // Responses rules: an item id that is not the call's id (`fc_…` beside `call_id`) is kept in extra.
    if (responsesItems && element.id !== undefined && element.id !== id) setOwn((extra ??= {}), 'id', element.id);
    // A server or MCP tool's call says so, as its result is Anthropic's, not a client tool's.
    if (rules.anthropicServerTools && isServerToolCall(element)) setOwn((extra ??= {}), 'type', element.type);
    // Keys in sorted order, which the printer writes without copying the object.
    calls.push(extra ? { arguments: args, extra, function_name: name, tool_call_id: id } : { arguments: args, function_name: name, tool_call_id: id });
  }
  return calls.length > 0 ? calls : undefined;
}

/** An arguments string with nothing in it but JSON whitespace: a call without parameters. */
function isBlankText(v: Json | undefined): boolean {
  return typeof v === 'string' && /^[ \t\n\r]*$/.test(v);
}

/**
 * Whether rule `emptyToolArguments` changes a response's tool calls: read with the rule, some call has
 * no arguments where the rule off reads other ones (`{"raw": ""}`).
 */
export function emptyToolArgumentsApply(data: Json, calls: readonly PromotedToolCall[] | undefined, rules: ProviderRules): boolean {
  if (!calls?.some((c) => isObject(c.arguments) && Object.keys(c.arguments).length === 0)) return false;
  const without = extractToolCalls(data, { ...rules, emptyToolArguments: false }) ?? [];
  return calls.some((c, i) => isObject(c.arguments) && Object.keys(c.arguments).length === 0 && Object.keys((without[i]?.arguments as JsonObject | undefined) ?? {}).length > 0);
}

function firstPresentValue(obj: JsonObject | undefined, keys: readonly string[]): Json | undefined {
  if (!obj) return undefined;
  for (const k of keys) if (Object.prototype.hasOwnProperty.call(obj, k)) return obj[k];
  return undefined;
}

function firstPresentNameChain(element: JsonObject, fn: JsonObject | undefined): string {
  const fnName = firstPresentValue(fn, FUNCTION_NAME_KEYS);
  const v = fnName !== undefined ? fnName : firstPresentValue(element, NAME_KEYS);
  return typeof v === 'string' ? v : '';
}

/**
 * Whether fix `responses-function-calls` changes a response's tool calls: it has Responses
 * `function_call` items (and no chat-style calls) one of which carries a `call_id` other than its `id`.
 */
export function responsesCallIdsDiffer(data: Json): boolean {
  const chat = toolCallArray(data);
  if (chat && chat.length > 0) return false;
  const items = responsesFunctionCallItems(data) ?? [];
  return items.some((item) => {
    if (!isObject(item)) return false;
    const callId = responsesCallId(item);
    return callId !== undefined && item.id !== callId;
  });
}

/**
 * A Responses `function_call` item's `call_id` when it can name the call (a non-empty string). A
 * `call_id` that is absent, null, empty or not a string names nothing: the seed's id chain reads the
 * item (its `id` `fc_…`, as relay-0.3 does) rather than giving up on an id and falling to `name:index`.
 */
function responsesCallId(item: JsonObject): string | undefined {
  const callId = getOwn(item, 'call_id');
  return typeof callId === 'string' && callId !== '' ? callId : undefined;
}
