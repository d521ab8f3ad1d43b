/**
 * Provider-shape rules that differ between profiles. The exporter sets them from the active fixes;
 * an empty object is the NeMo-Relay 0.3 reading of every shape.
 */
export interface ProviderRules {
  /** Anthropic Messages responses: `tool_use` blocks are tool calls, the message is the joined text blocks (#203). */
  anthropicMessages?: boolean;
}

export const SEED_RULES: ProviderRules = Object.freeze({});
