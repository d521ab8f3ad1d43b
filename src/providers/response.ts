import { getOwn, isNumber, isObject, type Json } from '../json/value.js';
import { anthropicMessageText, anthropicRefusalMessage } from './anthropic.js';
import { atifContentValue, blockTexts, nonNullField } from './content.js';
import { isResponsesCompaction } from './responses-compaction.js';
import { SEED_RULES, type ProviderRules } from './rules.js';
import { choiceMessageField, responsesFunctionCallItems, toolCallArray } from './tool-calls.js';

export type ResponseBranch =
  | 'RESP_CONTENT'
  | 'RESP_ANTHROPIC_TEXT_BLOCKS'
  | 'RESP_ASSISTANT_MESSAGE'
  | 'RESP_CHOICES_MESSAGE'
  | 'RESP_ANSWER'
  | 'RESP_RESPONSES_OUTPUT'
  | 'RESP_TOOL_CALLS_ONLY'
  /** Fix `responses-function-calls`: an OpenAI Responses answer of function calls and no text. */
  | 'RESP_RESPONSES_FUNCTION_CALLS_ONLY'
  /** Fix `chat-refusal-message`: a chat answer whose first choice refused (content null, a refusal text). */
  | 'RESP_CHOICES_REFUSAL'
  /** Fix `responses-refusal-message`: an OpenAI Responses answer of refusal parts and no output text. */
  | 'RESP_RESPONSES_REFUSAL'
  /** Fix `anthropic-refusal-message`: an Anthropic answer refused (`stop_reason: "refusal"`) with no text. */
  | 'RESP_ANTHROPIC_REFUSAL'
  /** Fix `responses-reasoning-only`: an OpenAI Responses answer whose output is reasoning items alone. */
  | 'RESP_RESPONSES_REASONING_ONLY'
  /** Fix `responses-compact-calls`: the answer of OpenAI's compaction endpoint (`response.compaction`), whose summary is encrypted. */
  | 'RESP_RESPONSES_COMPACTION'
  /** Fix `empty-answer-message`: an LLM end that holds no answer (`{}`, `{"body_bytes": n}`, a Responses object with an empty output). */
  | 'RESP_EMPTY_ANSWER'
  | 'RESP_WHOLE_BODY';

/**
 * Whether an LLM response is a provider's error answer rather than an answer: an `error` object at
 * its top (OpenAI Chat and Responses `{"error": {…}}`, a failed Responses object, Anthropic
 * `{"type": "error", "error": {…}}`). A successful Responses object has `"error": null`.
 */
export function isErrorAnswer(data: Json): boolean {
  return isObject(data) && isObject(getOwn(data, 'error'));
}

/**
 * The assistant message of an LLM response: normalised `content`, Hermes `assistant_message`, the
 * first chat choice, `answer`, OpenAI Responses output text, "" for tool-call-only answers, else the
 * whole response as ATIF content. With `rules.anthropicMessages` an Anthropic Messages `content`
 * array reads as its joined text blocks; with `rules.chatRefusal` a first choice without content reads
 * as its `refusal` text; with `rules.responsesRefusal` an OpenAI Responses output without output text
 * reads as the texts of its message items' `refusal` parts; with `rules.anthropicRefusal` an Anthropic
 * answer refused with no text reads as its refusal explanation, else ""; with `rules.responsesReasoningOnly` an
 * OpenAI Responses output of reasoning items alone has no message (""); with `rules.responsesCompaction`
 * neither has the answer of OpenAI's compaction endpoint ("").
 */
export function extractResponseMessage(data: Json, rules: ProviderRules = SEED_RULES): { value: Json; branch: ResponseBranch } {
  if (isObject(data)) {
    const content = nonNullField(data, 'content');
    if (content !== undefined) {
      const text = rules.anthropicMessages ? anthropicMessageText(data, content, rules.anthropicServerTools, rules.anthropicCitationText) : undefined;
      if (text !== undefined) return { value: text, branch: 'RESP_ANTHROPIC_TEXT_BLOCKS' };
      const refused = rules.anthropicRefusal ? anthropicRefusalMessage(data, content) : undefined;
      if (refused !== undefined) return { value: refused, branch: 'RESP_ANTHROPIC_REFUSAL' };
      return { value: atifContentValue(content), branch: 'RESP_CONTENT' };
    }
    const assistant = nonNullField(getOwn(data, 'assistant_message'), 'content');
    if (assistant !== undefined) return { value: atifContentValue(assistant), branch: 'RESP_ASSISTANT_MESSAGE' };
    const choice = choiceMessageField(data, 'content');
    if (choice !== undefined && choice !== null) return { value: atifContentValue(choice), branch: 'RESP_CHOICES_MESSAGE' };
    if (rules.chatRefusal) {
      const refusal = choiceMessageField(data, 'refusal');
      if (typeof refusal === 'string' && refusal !== '') return { value: refusal, branch: 'RESP_CHOICES_REFUSAL' };
    }
    const answer = nonNullField(data, 'answer');
    if (answer !== undefined) return { value: atifContentValue(answer), branch: 'RESP_ANSWER' };
    const output = responsesOutputText(data);
    if (output !== undefined) return { value: output, branch: 'RESP_RESPONSES_OUTPUT' };
    if (rules.responsesRefusal) {
      const refusal = responsesRefusalText(data);
      if (refusal !== undefined) return { value: refusal, branch: 'RESP_RESPONSES_REFUSAL' };
    }
    // Its output is the kept user messages and the encrypted summary: nothing the model said in words.
    if (rules.responsesCompaction && isResponsesCompaction(data)) return { value: '', branch: 'RESP_RESPONSES_COMPACTION' };
    if (toolCallArray(data) !== undefined) return { value: '', branch: 'RESP_TOOL_CALLS_ONLY' };
    if (rules.responsesFunctionCalls && responsesFunctionCallItems(data, rules.responsesCustomToolCalls, rules.responsesWebSearchCalls) !== undefined) return { value: '', branch: 'RESP_RESPONSES_FUNCTION_CALLS_ONLY' };
    if (rules.responsesReasoningOnly && responsesReasoningOnly(data)) return { value: '', branch: 'RESP_RESPONSES_REASONING_ONLY' };
    if (rules.emptyAnswer && emptyAnswer(data)) return { value: '', branch: 'RESP_EMPTY_ANSWER' };
  }
  return { value: atifContentValue(data), branch: 'RESP_WHOLE_BODY' };
}

function responsesOutputText(data: Json): string | undefined {
  if (!isObject(data)) return undefined;
  const outputText = getOwn(data, 'output_text');
  if (typeof outputText === 'string') return outputText;
  const output = getOwn(data, 'output');
  if (!Array.isArray(output)) return undefined;
  const texts: string[] = [];
  for (const item of output) {
    if (!isObject(item)) continue;
    if (item.type === 'message') {
      const content = getOwn(item, 'content');
      if (Array.isArray(content)) texts.push(...blockTexts(content, 'output_text'));
    } else if (item.type === 'output_text' && typeof item.text === 'string') {
      texts.push(item.text);
    }
  }
  if (texts.length === 0) return undefined;
  return texts.length === 1 ? texts[0] : texts.join('\n');
}

/**
 * The refusal of an OpenAI Responses answer: a model that declines sends a message item whose content
 * is `{"type": "refusal", "refusal": "…"}` instead of `output_text` parts (streamed as
 * `response.refusal.delta`, redelivered whole by the item and the terminal snapshot). The non-empty
 * texts of such parts, in output order, joined as output texts are; undefined when there is none.
 */
function responsesRefusalText(data: Record<string, Json>): string | undefined {
  const output = getOwn(data, 'output');
  if (!Array.isArray(output)) return undefined;
  const texts: string[] = [];
  for (const item of output) {
    if (!isObject(item) || item.type !== 'message') continue;
    const content = getOwn(item, 'content');
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      if (isObject(part) && part.type === 'refusal' && typeof part.refusal === 'string' && part.refusal !== '') texts.push(part.refusal);
    }
  }
  return texts.length > 0 ? texts.join('\n') : undefined;
}

/**
 * An OpenAI Responses answer whose `output` holds reasoning items and nothing else: a reasoning model
 * that spent `max_output_tokens` before it wrote its answer returns `status: "incomplete"`,
 * `incomplete_details.reason: "max_output_tokens"` and only its `reasoning` item (no `message`, so
 * `output_text` is empty). The answer has no message; its reasoning is the step's reasoning_content.
 */
function responsesReasoningOnly(data: Record<string, Json>): boolean {
  const output = getOwn(data, 'output');
  return Array.isArray(output) && output.length > 0 && output.every((item) => isObject(item) && item.type === 'reasoning');
}

/**
 * An LLM end that holds no answer, only the trace of one that was not read, which the message rules
 * of atif-conversion.md §3.7 would write out as JSON for the model's words:
 * - `{}`: the live stream codecs' aggregate of a stream that held no event (a recorder that kept no
 *   body, mitmproxy's `null` HAR text, a 0-byte stream);
 * - `{"body_bytes": n}` alone: what the gateway records for a buffered body that is not JSON or was
 *   not captured (relay-cli.md §2.8.1), its size and nothing of its content;
 * - an OpenAI Responses object whose `output` is empty and that carries no `error` (a stream cut after
 *   `response.created` / `response.in_progress`, before its first output item: a Codex turn the user
 *   interrupted while the model was still thinking). A failed response keeps its JSON: its error is
 *   what it says.
 * The run summary already counts each such call as a response not read in full.
 */
function emptyAnswer(data: Record<string, Json>): boolean {
  const keys = Object.keys(data);
  if (keys.length === 0) return true;
  if (keys.length === 1 && keys[0] === 'body_bytes') return isNumber(data.body_bytes);
  const output = getOwn(data, 'output');
  return Array.isArray(output) && output.length === 0 && !isErrorAnswer(data);
}
