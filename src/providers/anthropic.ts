import { getOwn, isNumber, isObject, type Json, type JsonObject } from '../json/value.js';
import { trimRust } from './sse/unicode-whitespace.js';

/** An Anthropic Messages response: `type: "message"` (the content array holds typed blocks). */
function isAnthropicMessage(data: Json): data is JsonObject {
  return isObject(data) && getOwn(data, 'type') === 'message';
}

/**
 * The agent message of an Anthropic Messages response (HEAD #203): its non-blank `text` blocks
 * joined with "\n", "" when it only calls tools, undefined when the shape does not apply (then
 * the generic content rule runs). Blank as Rust's `str::trim` tells it (U+0085 is blank, U+FEFF is not).
 * With `citationText` (fix `anthropic-citation-text`), text blocks next to each other of which one
 * carries citations are one text, concatenated as sent (see {@link textRuns}).
 */
export function anthropicMessageText(data: Json, content: Json, serverTools = false, citationText = false): string | undefined {
  if (!isAnthropicMessage(data) || !Array.isArray(content)) return undefined;
  let callsTools = false;
  for (const block of content) {
    if (isObject(block) && (block.type === 'tool_use' || (serverTools && isServerToolCall(block)))) callsTools = true;
  }
  const texts = textRuns(content, citationText).filter((text) => trimRust(text) !== '');
  if (texts.length === 0) return callsTools ? '' : undefined;
  return texts.join('\n');
}

/**
 * The message of an Anthropic answer refused with no text (fix `anthropic-refusal-message`):
 * `stop_reason: "refusal"` (Claude's streaming classifiers declined; "no additional refusal message is
 * included") and a content of no non-blank text and no call, often `[]`. The refusal's
 * `stop_details.explanation` when Anthropic sends one ("This request was declined because …"), else
 * ""; undefined for any other answer (a refusal after some text keeps that text as its message).
 */
export function anthropicRefusalMessage(data: Json, content: Json): string | undefined {
  if (!isAnthropicMessage(data) || getOwn(data, 'stop_reason') !== 'refusal' || !Array.isArray(content)) return undefined;
  const said = (b: Json) => isServerToolCall(b) || (isObject(b) && (b.type === 'tool_use' || (b.type === 'text' && typeof b.text === 'string' && trimRust(b.text) !== '')));
  if (content.some(said)) return undefined;
  const details = getOwn(data, 'stop_details');
  const explanation = isObject(details) ? getOwn(details, 'explanation') : undefined;
  return typeof explanation === 'string' ? explanation : '';
}

/**
 * The texts of a content array's `text` blocks, one per block; with `citationText`, one per run of
 * adjacent text blocks joined by a cited block. Anthropic splits an answer that cites its sources
 * (documents, web search results) into text blocks at each citation, mid-sentence: "According to the
 * documents, " · "the grass is green" (citations) · " and " · "the sky is blue" (citations) · "." are
 * one sentence, which a "\n" between blocks would break into five lines. Text blocks that are
 * neighbours without a citation on either side, and blocks apart (a tool call, thinking between),
 * stay separate texts.
 */
function textRuns(content: Json[], citationText: boolean): string[] {
  const runs: string[] = [];
  let previous: JsonObject | undefined;
  for (const block of content) {
    const text = isObject(block) && block.type === 'text' && typeof block.text === 'string' ? block : undefined;
    if (text && previous && citationText && (isCited(previous) || isCited(text))) runs[runs.length - 1] += text.text as string;
    else if (text) runs.push(text.text as string);
    previous = text;
  }
  return runs;
}

function isCited(block: JsonObject): boolean {
  const citations = getOwn(block, 'citations');
  return Array.isArray(citations) && citations.length > 0;
}

/** Whether fix `anthropic-citation-text` changes an answer's message (explain names it then). */
export function anthropicCitationTextApplies(data: Json): boolean {
  const content = isObject(data) ? getOwn(data, 'content') : undefined;
  return anthropicMessageText(data, content ?? null, true, true) !== anthropicMessageText(data, content ?? null, true, false);
}

/**
 * The `tool_use` blocks of an Anthropic Messages response, the third tool-call source after chat
 * arrays and Responses items; with `serverTools` (fix `anthropic-server-tools`) also the calls of the
 * tools Anthropic runs itself (`server_tool_use`: web search, web fetch, code execution) and of the MCP
 * connector (`mcp_tool_use`), in content order.
 */
export function anthropicToolUseBlocks(data: Json, serverTools = false): Json[] | undefined {
  if (!isAnthropicMessage(data)) return undefined;
  const content = getOwn(data, 'content');
  if (!Array.isArray(content)) return undefined;
  const blocks = content.filter((b) => isObject(b) && (b.type === 'tool_use' || (serverTools && isServerToolCall(b))));
  return blocks.length > 0 ? blocks : undefined;
}

const SERVER_CALL_TYPES = new Set(['server_tool_use', 'mcp_tool_use']);

/** A call of a tool that runs on Anthropic's side (or through its MCP connector): its result is in the same response. */
export function isServerToolCall(block: Json): block is JsonObject {
  return isObject(block) && SERVER_CALL_TYPES.has(block.type as string);
}

/** The result a server or MCP tool returned in the response itself, for the call it names. */
export interface ServerToolResult {
  callId: string;
  /** The block's type: `web_search_tool_result`, `web_fetch_tool_result`, `code_execution_tool_result`, `mcp_tool_result`, … */
  type: string;
  content: Json;
  isError: boolean;
}

/**
 * The results of server and MCP tools in an Anthropic response (every `*_tool_result` block naming a
 * `tool_use_id`; a client tool's `tool_result` only ever comes in a request). A web search's results
 * read as their titles and URLs (their `encrypted_content` is for the model only); an error result
 * (`…_tool_result_error`, or MCP `is_error`) as its code; other content as sent.
 */
export function anthropicServerToolResults(data: Json): ServerToolResult[] {
  if (!isAnthropicMessage(data)) return [];
  const content = getOwn(data, 'content');
  if (!Array.isArray(content)) return [];
  const results: ServerToolResult[] = [];
  for (const block of content) {
    if (!isObject(block) || typeof block.type !== 'string' || !block.type.endsWith('_tool_result') || block.type === 'tool_result') continue;
    if (typeof block.tool_use_id !== 'string') continue;
    const raw = getOwn(block, 'content') ?? null;
    const error = isObject(raw) && typeof raw.type === 'string' && raw.type.endsWith('_error') ? raw : undefined;
    results.push({
      callId: block.tool_use_id,
      type: block.type,
      content: error ? `error: ${typeof error.error_code === 'string' ? error.error_code : error.type}` : webSearchText(raw) ?? raw,
      isError: error !== undefined || block.is_error === true,
    });
  }
  return results;
}

/** Web search results as text: each result's title and URL. */
function webSearchText(content: Json): string | undefined {
  if (!Array.isArray(content) || content.length === 0 || !content.every((r) => isObject(r) && r.type === 'web_search_result')) return undefined;
  return (content as JsonObject[]).map((r) => [r.title, r.url].filter((x) => typeof x === 'string').join('\n')).join('\n\n');
}

/**
 * The thinking of an Anthropic Messages response: its non-blank `thinking` blocks joined with "\n"
 * (redacted thinking is encrypted, and not read); undefined when it has none.
 */
export function anthropicThinking(data: Json): string | undefined {
  if (!isAnthropicMessage(data)) return undefined;
  const content = getOwn(data, 'content');
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const block of content) {
    if (isObject(block) && block.type === 'thinking' && typeof block.thinking === 'string' && trimRust(block.thinking) !== '') texts.push(block.thinking);
  }
  return texts.length > 0 ? texts.join('\n') : undefined;
}

/**
 * A request Claude Code makes beside the conversation: topic detection, a session title, a Bash
 * command's prefix, file suggestions, each a one-shot call to its small model. Its shape is an
 * Anthropic Messages body (`max_tokens` is required there) with no tools (absent, null or empty) and
 * a single user message. The conversation's own requests always carry Claude Code's tools (the main
 * loop's and every subagent's), and a compaction request carries the conversation's history, so
 * neither has this shape. Only meaningful for a request Claude Code sent.
 */
export function isClaudeUtilityRequest(body: Json): boolean {
  if (!isObject(body) || !isNumber(getOwn(body, 'max_tokens')) || carriesTools(body)) return false;
  const messages = getOwn(body, 'messages');
  return Array.isArray(messages) && messages.length === 1 && isObject(messages[0]) && getOwn(messages[0], 'role') === 'user';
}

/**
 * Whether an LLM span is a call of Anthropic's token-counting endpoint (`POST /v1/messages/count_tokens`,
 * which the gateway, like NeMo-Relay's, records as LLM events named by its route,
 * `anthropic.count_tokens`). It answers `{"input_tokens": N}` for a request it does not run: no
 * inference, no answer, and no tokens billed. NeMo-Relay routes it for Claude Code, which sends it.
 */
export function isTokenCountCall(spanName: string): boolean {
  return spanName === 'anthropic.count_tokens';
}

/** Whether a request body offers the model tools (a non-empty `tools` array). */
export function carriesTools(body: Json): boolean {
  const tools = isObject(body) ? getOwn(body, 'tools') : undefined;
  return Array.isArray(tools) && tools.length > 0;
}

/**
 * Claude Code's startup probe: before the first prompt it sends a one-token Anthropic Messages
 * request, `max_tokens: 1`, whose single message is the user text `"test"`, to a `claude-` model.
 * It is no work of the user's; NeMo-Relay after 0.3 (#213, claude/alignment.rs `is_startup_probe`)
 * forwards it without LLM events. Only this exact shape counts: anything else is a real request.
 * `modelName`: the model the gateway read for the call, else the body's `model`.
 */
export function isClaudeStartupProbe(body: Json, modelName: string | undefined): boolean {
  if (!isObject(body)) return false;
  const bodyModel = getOwn(body, 'model');
  const model = modelName ?? (typeof bodyModel === 'string' ? bodyModel : '');
  if (!model.startsWith('claude-') || getOwn(body, 'max_tokens') !== 1) return false;
  const messages = getOwn(body, 'messages');
  if (!Array.isArray(messages) || messages.length !== 1) return false;
  const [message] = messages;
  return isObject(message) && getOwn(message, 'role') === 'user' && getOwn(message, 'content') === 'test';
}
