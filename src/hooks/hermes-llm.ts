import { getOwn, isObject, setOwn, type Json, type JsonObject } from '../json/value.js';
import { eventNameOf, sessionIdOf, sharedMetadata, type HookInput } from './fields.js';
import { hermesStringAt, hermesValueAt, normalizeName } from './paths.js';
import type { Classification, LlmEvent } from './types.js';

/**
 * Hermes reports its own LLM calls through `pre_api_request`, `post_api_request` and
 * `api_request_error` hooks (relay-cli.md §1.4, "Hermes LLM events"). Newer Hermes sends sanitized
 * exact request/response bodies; older Hermes only summaries. Every event says which it got in
 * `provider_payload_exact`, because the dedupe pass and ATIF export trust exact payloads only.
 */

const REQUEST_SUMMARY_KEYS = [
  'task_id', 'session_id', 'platform', 'model', 'provider', 'base_url', 'api_mode', 'api_call_count',
  'message_count', 'tool_count', 'approx_input_tokens', 'request_char_count', 'max_tokens',
] as const;

const RESPONSE_SUMMARY_KEYS = [
  'task_id', 'session_id', 'platform', 'model', 'provider', 'base_url', 'api_mode', 'api_call_count',
  'api_duration', 'finish_reason', 'message_count', 'response_model', 'usage', 'assistant_content_chars',
  'assistant_tool_call_count', 'status_code', 'retry_count', 'max_retries', 'retryable', 'reason', 'error',
] as const;

/** Keys whose presence marks a response object as a provider response body already. */
const PROVIDER_RESPONSE_KEYS = ['choices', 'output', 'content'] as const;

export function buildHermesLlmEvent(input: HookInput, classification: Classification): LlmEvent {
  const eventName = eventNameOf(input.payload);
  const session = sessionIdOf(input);
  const payload = input.payload;
  const apiCallId = hermesApiCallId(payload, session.value);
  const exact = isPayloadExact(payload, eventName);
  const metadata = sharedMetadata(input, eventName);
  metadata.api_call_id = apiCallId;
  metadata.provider_payload_exact = exact;
  metadata.fidelity_source = exact ? 'hermes_api_hooks_sanitized' : 'hermes_api_hooks';
  const event: LlmEvent = {
    sessionId: session.value,
    sessionIdSource: session.source,
    sessionIdSynthetic: session.source === 'synthetic',
    agentKind: input.agent,
    eventName,
    metadata,
    classification,
    apiCallId,
    provider: hermesStringAt(payload, 'provider') ?? hermesStringAt(payload, 'api_mode') ?? 'hermes_api_request',
    request: exactRequest(payload) ?? requestSummary(payload),
    response: exactResponse(payload) ?? summary(payload, RESPONSE_SUMMARY_KEYS),
  };
  const model = hermesStringAt(payload, 'response_model') ?? hermesStringAt(payload, 'model');
  if (model !== undefined) event.modelName = model;
  return event;
}

/**
 * Newer Hermes sends a stable per-attempt `api_request_id`; older Hermes only turn-local counters,
 * from which `"<session>:<task_id>:<api_call_count>"` is composed (missing parts left empty).
 */
export function hermesApiCallId(payload: Json, sessionId: string): string {
  const explicit = hermesStringAt(payload, 'api_request_id');
  if (explicit !== undefined) return explicit;
  return `${sessionId}:${hermesStringAt(payload, 'task_id') ?? ''}:${hermesStringAt(payload, 'api_call_count') ?? ''}`;
}

/** Exact only where the hook's own direction carried an exact body; an error hook never does. */
function isPayloadExact(payload: Json, eventName: string): boolean {
  switch (normalizeName(eventName)) {
    case 'preapirequest':
      return exactRequest(payload) !== undefined;
    case 'postapirequest':
      return exactResponse(payload) !== undefined;
    default:
      return false;
  }
}

/** Hermes bounds hook payload sizes; a body it cut short is marked and must not count as exact. */
function isTruncated(value: Json): boolean {
  return isObject(value) && getOwn(value, '_truncated') === true;
}

function member(value: Json, key: string): Json | undefined {
  return isObject(value) ? getOwn(value, key) : undefined;
}

/** The request `body` (else the whole `request`) when Hermes sent a non-null, untruncated request. */
function exactRequest(payload: Json): Json | undefined {
  const request = hermesValueAt(payload, 'request');
  if (request === undefined || request === null || isTruncated(request)) return undefined;
  const body = member(request, 'body');
  return body !== undefined && body !== null ? body : request;
}

/**
 * The exact response: `raw_response` when usable; else the response itself when it already looks
 * like a provider body; else a body rebuilt from `assistant_message` (content, tool calls) with usage,
 * model and finish reason from the response or the payload.
 */
function exactResponse(payload: Json): Json | undefined {
  const response = hermesValueAt(payload, 'response');
  if (response === undefined || isTruncated(response)) return undefined;
  const raw = member(response, 'raw_response');
  if (raw !== undefined && raw !== null && !isTruncated(raw)) return raw;
  if (PROVIDER_RESPONSE_KEYS.some((key) => member(response, key) !== undefined)) return response;
  const assistant = member(response, 'assistant_message');
  if (assistant === undefined) return undefined;
  const rebuilt: JsonObject = {};
  for (const key of ['content', 'tool_calls']) {
    const value = member(assistant, key);
    if (value !== undefined) setOwn(rebuilt, key, value);
  }
  for (const key of ['usage', 'model', 'finish_reason']) {
    // A response key holding null still wins over the payload (`??` would skip it).
    const own = member(response, key);
    const value = own !== undefined ? own : hermesValueAt(payload, key);
    if (value !== undefined) setOwn(rebuilt, key, value);
  }
  return Object.keys(rebuilt).length > 0 ? rebuilt : undefined;
}

function requestSummary(payload: Json): JsonObject {
  const object = summary(payload, REQUEST_SUMMARY_KEYS);
  object.fidelity = { provider_payload_exact: false, source: 'hermes_pre_api_request' };
  return object;
}

/** The listed keys that exist (top level, else under `extra`), null values included. */
function summary(payload: Json, keys: readonly string[]): JsonObject {
  const object: JsonObject = {};
  for (const key of keys) {
    const value = hermesValueAt(payload, key);
    if (value !== undefined) setOwn(object, key, value);
  }
  return object;
}

/** Where `requestSummary` says what it is: the request of a Hermes hook that sent no exact body. */
const REQUEST_SUMMARY_SOURCE = 'hermes_pre_api_request';

/**
 * Fix `hermes-summary-messages`: whether an LLM start's request is the summary `requestSummary` builds
 * when a Hermes `pre_api_request` sent no exact body (an older Hermes, or a request over its size
 * limit, sent `_truncated`): counts and ids, no message of the conversation.
 */
export function isHermesRequestSummary(body: Json): boolean {
  const fidelity = member(body, 'fidelity') ?? null;
  return member(fidelity, 'source') === REQUEST_SUMMARY_SOURCE && member(fidelity, 'provider_payload_exact') === false;
}

/**
 * Fix `hermes-summary-messages`: whether an LLM end is a Hermes `post_api_request` that sent no exact
 * response (its data is the summary of counts, usage and finish reason), by the metadata the adapter
 * gives every Hermes LLM event. An `api_request_error` is not one: its summary is the error.
 */
export function isHermesResponseSummary(metadata: Json | undefined): boolean {
  if (metadata === undefined) return false;
  const hook = member(metadata, 'hook_event_name');
  return member(metadata, 'fidelity_source') === 'hermes_api_hooks' && member(metadata, 'provider_payload_exact') === false && typeof hook === 'string' && normalizeName(hook) === 'postapirequest';
}
