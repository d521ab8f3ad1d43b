/**
 * Marks the NeMo-Relay 0.8 runtime writes for its own telemetry (not a provider's payload): which
 * ones are no trajectory steps. NeMo-Relay 0.8's ATIF exporter reads no mark at all
 * (crates/core/src/observability/atif.rs: "Point-in-time telemetry is not a step"); relay-0.3 writes
 * every mark with data as a system step.
 */
import type { AtofEvent } from '../ingest/atof.js';
import { getOwn, isObject } from '../json/value.js';

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
