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
  rule: FidelityRule;
  score: number;
}

/**
 * How faithful one LLM event's payload is to the provider exchange, read from its metadata only.
 * The first matching row wins, so a Hermes summary with `api_call_id` and `provider_payload_exact:false`
 * scores 30, not 95.
 */
export function eventFidelity(metadata: Json | undefined): Fidelity {
  if (!isObject(metadata)) return { rule: 'FIDELITY_NO_METADATA', score: 50 };
  if (metadata.projection === true) return { rule: 'FIDELITY_PROJECTION', score: 10 };
  if (metadata.provider_payload_exact === false) return { rule: 'FIDELITY_NON_EXACT', score: 30 };
  if (metadata.provider_payload_exact === true) return { rule: 'FIDELITY_EXACT', score: 100 };
  if (hasOwn(metadata, 'fidelity_source') || hasOwn(metadata, 'api_call_id')) return { rule: 'FIDELITY_HOOK_CORRELATED', score: 95 };
  if (hasOwn(metadata, 'hook_event_name')) return { rule: 'FIDELITY_HOOK', score: 90 };
  if (hasOwn(metadata, 'gateway_path') || hasOwn(metadata, 'llm_correlation_source')) return { rule: 'FIDELITY_GATEWAY', score: 50 };
  return { rule: 'FIDELITY_DEFAULT', score: 50 };
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
