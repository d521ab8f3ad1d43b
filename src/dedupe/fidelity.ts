import { hasOwn, isObject, type Json } from '../json/value.js';

export type FidelityRule =
  | 'FIDELITY_NO_METADATA'
  | 'FIDELITY_PROJECTION'
  | 'FIDELITY_NON_EXACT'
  | 'FIDELITY_EXACT'
  | 'FIDELITY_HOOK_CORRELATED'
  | 'FIDELITY_HOOK'
  | 'FIDELITY_GATEWAY'
  | 'FIDELITY_DEFAULT';

export interface Fidelity {
  readonly rule: FidelityRule;
  readonly score: number;
}

/** One shared, frozen value per row: a span holds two of them, and there are only eight. */
const row = (rule: FidelityRule, score: number): Fidelity => Object.freeze({ rule, score });
const FIDELITY = {
  noMetadata: row('FIDELITY_NO_METADATA', 50),
  projection: row('FIDELITY_PROJECTION', 10),
  nonExact: row('FIDELITY_NON_EXACT', 30),
  exact: row('FIDELITY_EXACT', 100),
  hookCorrelated: row('FIDELITY_HOOK_CORRELATED', 95),
  hook: row('FIDELITY_HOOK', 90),
  gateway: row('FIDELITY_GATEWAY', 50),
  default: row('FIDELITY_DEFAULT', 50),
};

/**
 * How faithful one LLM event's payload is to the provider exchange, read from its metadata only.
 * The first matching row wins, so a Hermes summary with `api_call_id` and `provider_payload_exact:false`
 * scores 30, not 95.
 */
export function eventFidelity(metadata: Json | undefined): Fidelity {
  if (!isObject(metadata)) return FIDELITY.noMetadata;
  if (metadata.projection === true) return FIDELITY.projection;
  if (metadata.provider_payload_exact === false) return FIDELITY.nonExact;
  if (metadata.provider_payload_exact === true) return FIDELITY.exact;
  if (hasOwn(metadata, 'fidelity_source') || hasOwn(metadata, 'api_call_id')) return FIDELITY.hookCorrelated;
  if (hasOwn(metadata, 'hook_event_name')) return FIDELITY.hook;
  if (hasOwn(metadata, 'gateway_path') || hasOwn(metadata, 'llm_correlation_source')) return FIDELITY.gateway;
  return FIDELITY.default;
}

/** The metadata key that marks an event as hook-instrumented, if any. */
export function hookMarker(metadata: Json | undefined): string | undefined {
  return hasOwn(metadata, 'hook_event_name') ? 'hook_event_name' : undefined;
}

/** The metadata key that marks an event as gateway-instrumented, if any. */
export function gatewayMarker(metadata: Json | undefined): string | undefined {
  if (hasOwn(metadata, 'gateway_path')) return 'gateway_path';
  if (hasOwn(metadata, 'llm_correlation_source')) return 'llm_correlation_source';
  return undefined;
}

/** `provider_payload_exact` is exactly boolean false (a string "false" does not count). */
export function nonExactMarker(metadata: Json | undefined): string | undefined {
  return isObject(metadata) && metadata.provider_payload_exact === false ? 'provider_payload_exact' : undefined;
}
