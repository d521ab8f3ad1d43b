/**
 * Marks the NeMo-Relay 0.8 runtime writes for its own telemetry (not a provider's payload): which
 * ones are no trajectory steps. NeMo-Relay 0.8's ATIF exporter reads no mark at all
 * (crates/core/src/observability/atif.rs: "Point-in-time telemetry is not a step"); relay-0.3 writes
 * every mark with data as a system step.
 */
import type { AtofEvent } from '../ingest/atof.js';
import { getOwn, isObject, setOwn, type JsonObject } from '../json/value.js';

/** The data schema of a metric mark (crates/types api/event.rs METRIC_DATA_SCHEMA_NAME). */
export const METRIC_DATA_SCHEMA_NAME = 'nemo.relay.metric_measurements';
/** The metadata key of a mark exported as a log record (api/event.rs LOG_SEVERITY_METADATA_KEY). */
export const LOG_SEVERITY_METADATA_KEY = 'nemo_relay.log.severity';

/**
 * Fix `relay-telemetry-marks`: a metric mark (its data a `MetricEnvelope` of OpenTelemetry
 * measurements, schema `nemo.relay.metric_measurements`) or a log mark (its metadata carries the
 * severity `nemo_relay.log.severity` its OTel log exporter reads, such as a middleware's pending
 * request marks at the LLM start + 1 µs). Both are recordings for the metrics and logs exporters.
 */
export function isRelayTelemetryMark(e: AtofEvent): boolean {
  const schema = e.raw.data_schema;
  if (isObject(schema) && getOwn(schema, 'name') === METRIC_DATA_SCHEMA_NAME) return true;
  return isObject(e.metadata) && typeof getOwn(e.metadata, LOG_SEVERITY_METADATA_KEY) === 'string';
}

/** The mark NeMo-Relay 0.8's response cache emits on every decision (crates/adaptive response_cache/mark.rs). */
export const RESPONSE_CACHE_MARK = 'response_cache';
const RESPONSE_CACHE_PREFIX = 'nemo_relay.response_cache.';

/**
 * Fix `response-cache-marks`: a response-cache decision mark, `{"status": "hit" | "miss" | "bypass"}`,
 * with what its metadata says about it (`nemo_relay.response_cache.surface`, `backend`, `reason`,
 * `key_hash`, `age_ms`, `ttl_ms`, `saved_tokens`, `saved_cost_usd`, `saved_invocations`) under their
 * short names beside the status (printed, as every object, with its keys sorted). None for any other mark.
 */
export function responseCacheMark(e: AtofEvent): { status: string; note: JsonObject } | undefined {
  if (e.name !== RESPONSE_CACHE_MARK || !isObject(e.data)) return undefined;
  const status = getOwn(e.data, 'status');
  if (typeof status !== 'string') return undefined;
  const note: JsonObject = { status };
  if (isObject(e.metadata)) {
    for (const [k, v] of Object.entries(e.metadata)) if (k.startsWith(RESPONSE_CACHE_PREFIX) && k.length > RESPONSE_CACHE_PREFIX.length) setOwn(note, k.slice(RESPONSE_CACHE_PREFIX.length), v);
  }
  return { status, note };
}

/**
 * Fix `guardrail-rejection-step`: what a NeMo-Relay conditional-execution guardrail scope's end says
 * when it stopped the call (api/runtime/state.rs llm_/tool_conditional_execution_snapshot_chain: end
 * data `{"allowed": false, "rejected": true, "rejection_reason": …}`, or `{"allowed": false, "error":
 * …}` when the guardrail failed or was cancelled, which stops the call too). `kind` is the start's
 * `data.kind` (`llm_conditional_execution`, `tool_conditional_execution`). None for a guardrail that
 * allowed the call, or for any other event.
 */
export function guardrailBlock(end: AtofEvent, start: AtofEvent | undefined): { message: string; reason?: string; detail: JsonObject } | undefined {
  if (end.category !== 'guardrail' || end.scopeCategory !== 'end' || !isObject(end.data) || getOwn(end.data, 'allowed') !== false) return undefined;
  const kind = isObject(start?.data) ? getOwn(start.data, 'kind') : undefined;
  const what = kind === 'llm_conditional_execution' ? 'LLM call' : kind === 'tool_conditional_execution' ? 'tool call' : 'call';
  const rejection = getOwn(end.data, 'rejection_reason');
  const error = getOwn(end.data, 'error');
  const rejected = getOwn(end.data, 'rejected') === true;
  const reason = rejected && typeof rejection === 'string' ? rejection : typeof error === 'string' ? error : undefined;
  const message = rejected
    ? `Guardrail ${end.name} blocked the ${what}${reason !== undefined ? `: ${reason}` : ''}`
    : `Guardrail ${end.name} failed, so the ${what} was not made${reason !== undefined ? `: ${reason}` : ''}`;
  const detail: JsonObject = { name: end.name };
  if (typeof kind === 'string') detail.kind = kind;
  for (const [k, v] of Object.entries(end.data)) setOwn(detail, k, v);
  return { message, reason: rejected ? reason : undefined, detail };
}
