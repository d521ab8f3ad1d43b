import { parseJson } from '../json/parse.js';
import { getOwn, isObject, type Json } from '../json/value.js';
import { jsonStringAt, jsonValueAt } from './json-paths.js';

/**
 * Tool hints from an LLM response (relay-cli.md §2.9, session.rs `tool_hints_from_llm_response`):
 * the tool calls a response proposes, remembered with the LLM's owner so that later tool hooks can
 * attach to the same subagent. OpenAI Chat, OpenAI Responses and Anthropic shapes are all tried.
 */
export interface ResponseToolHint {
  toolCallId?: string;
  toolName?: string;
  /** The owner subagent of the LLM that proposed the call. */
  subagentId?: string;
  /** JSON-encoded argument strings are parsed; `null` when there were none. */
  arguments: Json;
  source: 'openai_chat_tool_call' | 'openai_response_tool_call' | 'anthropic_tool_use';
}

type Paths = ReadonlyArray<readonly string[]>;

/** `fallThrough`: fix `json-null-fallthrough` for the id and name look-ups (see `jsonStringAt`). */
export function toolHintsFromResponse(response: Json, ownerSubagentId: string | undefined, fallThrough = false): ResponseToolHint[] {
  const hints: ResponseToolHint[] = [];
  const push = (object: Json, source: ResponseToolHint['source'], ids: Paths, names: Paths, args: Paths) => {
    const hint = toolHint(object, ownerSubagentId, source, { ids, names, args }, fallThrough);
    if (hint) hints.push(hint);
  };
  const choices = member(response, 'choices');
  if (Array.isArray(choices)) {
    for (const choice of choices) {
      const calls = member(member(choice, 'message'), 'tool_calls');
      if (!Array.isArray(calls)) continue;
      for (const call of calls) push(call, 'openai_chat_tool_call', [['id'], ['call_id']], [['function', 'name'], ['name']], [['function', 'arguments'], ['arguments']]);
    }
  }
  const output = member(response, 'output');
  if (Array.isArray(output)) {
    for (const item of output) {
      if (member(item, 'type') !== 'function_call') continue;
      push(item, 'openai_response_tool_call', [['call_id'], ['id']], [['name'], ['tool_name']], [['arguments'], ['input']]);
    }
  }
  for (const content of [member(response, 'content'), member(member(response, 'message'), 'content')]) {
    if (!Array.isArray(content)) continue;
    for (const block of content) {
      if (jsonStringAt(block, [['type']]) !== 'tool_use') continue;
      push(block, 'anthropic_tool_use', [['id'], ['tool_use_id']], [['name'], ['tool_name']], [['input'], ['arguments']]);
    }
  }
  return hints;
}

/** A hint needs an id, or a name together with non-null arguments: name-only hints over-match. */
function toolHint(
  object: Json,
  subagentId: string | undefined,
  source: ResponseToolHint['source'],
  paths: { ids: Paths; names: Paths; args: Paths },
  fallThrough: boolean,
): ResponseToolHint | undefined {
  const toolCallId = jsonStringAt(object, paths.ids, fallThrough);
  const toolName = jsonStringAt(object, paths.names, fallThrough);
  // Arguments are a value look-up: a present null still stops it, at HEAD too (`value_at_any`).
  const raw = jsonValueAt(object, paths.args);
  const argumentsValue = raw === undefined ? null : parseArgumentString(raw);
  if (toolCallId === undefined && (toolName === undefined || argumentsValue === null)) return undefined;
  const hint: ResponseToolHint = { arguments: argumentsValue, source };
  if (toolCallId !== undefined) hint.toolCallId = toolCallId;
  if (toolName !== undefined) hint.toolName = toolName;
  if (subagentId !== undefined) hint.subagentId = subagentId;
  return hint;
}

function parseArgumentString(value: Json): Json {
  if (typeof value !== 'string') return value;
  try {
    return parseJson(value);
  } catch {
    return value;
  }
}

function member(v: Json | undefined, key: string): Json | undefined {
  return isObject(v) ? getOwn(v, key) : undefined;
}
