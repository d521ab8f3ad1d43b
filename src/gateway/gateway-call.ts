import type { Nanos } from '../ingest/time.js';
import type { Json } from '../json/value.js';
import type { LlmGatewayStart } from './llm-start.js';
import { llmStartMetadata } from './owner-metadata.js';
import { resolveLlmOwner, type OwnerResolution, type OwnerState } from './owner-resolution.js';
import { learnRequestAffinity } from './request-affinity.js';

/**
 * `Session::prepare_gateway_call` after the turn is ensured (§2.5 step 5): resolve the owner, learn
 * request affinity (into the snapshot's own map), and build the LLM start metadata. The session layer
 * opens the implicit turn first (so `rootWorkScopeUuid` is set), counts the call in flight, and stores
 * the returned state.
 */
export interface GatewayCallOwnership<T extends { insertedAtNs: Nanos }> {
  resolution: OwnerResolution;
  state: OwnerState<T>;
  /** The LLM start (and end) metadata. */
  metadata: Json;
}

export function resolveGatewayCallOwnership<T extends { insertedAtNs: Nanos }>(
  snapshot: OwnerState<T>,
  start: LlmGatewayStart,
  nowNs: Nanos,
): GatewayCallOwnership<T> {
  const target = {
    subagentId: start.subagentId,
    subagentIdSource: start.subagentIdSource,
    conversationId: start.conversationId,
    generationId: start.generationId,
    requestId: start.requestId,
    modelName: start.modelName,
    content: start.request.content,
  };
  const { resolution, state } = resolveLlmOwner(snapshot, target, nowNs);
  learnRequestAffinity(state.requestAffinity, start.request.content, resolution.subagentId, resolution.status);
  const facts = { status: resolution.status, source: resolution.source, subagentId: resolution.subagentId, hint: resolution.hint };
  return { resolution, state, metadata: llmStartMetadata(start.metadata, facts, resolution.ownerMetadata) };
}
