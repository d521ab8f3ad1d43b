import { jsonStringAt, mergeMetadata } from '../hooks/index.js';
import { resolveGatewayCallOwnership } from '../gateway/gateway-call.js';
import type { GatewayLlmEvents, LlmScopePayload } from '../gateway/llm-events.js';
import type { LlmHint } from '../gateway/llm-hints.js';
import type { LlmGatewayStart } from '../gateway/llm-start.js';
import type { OwnerResolution } from '../gateway/owner-resolution.js';
import type { Json, JsonObject } from '../json/value.js';
import type { AtofEmitter, ScopeHandle } from './emitter.js';
import type { SessionInputOf } from './events.js';
import type { Session } from './session.js';

/**
 * LLM activity of a session: hook hints (§3.6.6), Hermes hook LLM spans (§3.5.5, §3.6.7) and the
 * session side of a gateway call (§2.5 step 5, §2.9).
 */

/** LlmHint: remembered for the next gateway call; tool calls in its payload become tool hints. No event. */
export function addLlmHint(session: Session, event: SessionInputOf<'LlmHint'>): void {
  session.ensureTurnStarted(event.metadata);
  session.cleanupCorrelationState();
  session.addToolHintsFromResponse(event.payload, event.subagentId ?? event.agentId);
  const hint: LlmHint = { eventName: event.eventName };
  for (const key of ['subagentId', 'agentId', 'agentType', 'conversationId', 'generationId', 'requestId', 'model'] as const) {
    const value = event[key];
    if (value !== undefined) hint[key] = value;
  }
  session.addLlmHint(hint);
}

/** A Hermes `pre_api_request`: an LLM scope keyed by api_call_id; a duplicate start is ignored. */
export function startHookLlm(session: Session, event: SessionInputOf<'LlmStarted'>): void {
  session.ensureTurnStarted(event.metadata);
  if (session.hookLlms.has(event.apiCallId)) return;
  const owner = hookLlmOwner(session, event.metadata);
  session.hookLlms.set(event.apiCallId, openHookLlm(session, event, owner));
}

/**
 * The end of a hook LLM (a start is synthesized from the end when none is active). Unless alias
 * routing made it subagent-owned, its response becomes the turn's output.
 */
export function endHookLlm(session: Session, event: SessionInputOf<'LlmEnded'>): void {
  session.ensureTurnStarted(event.metadata);
  const owner = hookLlmOwner(session, event.metadata);
  let handle = session.hookLlms.get(event.apiCallId);
  if (handle) session.hookLlms.delete(event.apiCallId);
  else handle = openHookLlm(session, event, owner);
  if (jsonStringAt(owner.metadata, ['llm_correlation_subagent_id'], session.jsonStringFallThrough) === undefined) session.recordTurnLlmOutput(event.response);
  session.emitter.endScope(handle, { data: event.response, metadata: owner.metadata });
}

/**
 * Hook LLM events carry no subagent field; alias routing stamps the owner into metadata. When it
 * names an active subagent, that subagent is the parent (and the sticky owner) and its provider
 * fields are added; otherwise the turn is.
 */
function hookLlmOwner(session: Session, metadata: Json): { parent?: ScopeHandle; metadata: Json } {
  const subagentId = jsonStringAt(metadata, ['llm_correlation_subagent_id'], session.jsonStringFallThrough);
  const scope = subagentId === undefined ? undefined : session.subagents.get(subagentId);
  if (subagentId === undefined || !scope) return { parent: session.rootWorkScope(), metadata };
  session.setStickyOwner(subagentId, 'llm');
  return { parent: scope, metadata: mergeMetadata(metadata, session.subagentLlmMetadata(subagentId)) };
}

function openHookLlm(session: Session, event: SessionInputOf<'LlmStarted'> | SessionInputOf<'LlmEnded'>, owner: { parent?: ScopeHandle; metadata: Json }): ScopeHandle {
  const profile: JsonObject = {};
  if (event.modelName !== undefined) profile.model_name = event.modelName;
  return session.emitter.startScope({
    parentUuid: owner.parent?.uuid ?? session.stackTop(),
    name: event.provider,
    category: 'llm',
    data: { headers: {}, content: event.request },
    metadata: owner.metadata,
    categoryProfile: profile,
  });
}

/**
 * `prepare_gateway_call` on the chosen session: counts the call in flight, opens the implicit turn
 * when none is open, resolves the owner (§2.6) and learns request affinity. Returns the owner
 * decision and the LLM start metadata.
 */
export function prepareGatewayCall(session: Session, start: LlmGatewayStart): { resolution: OwnerResolution; metadata: Json } {
  session.beginGatewayCall();
  session.ensureTurnStartedForGateway(start);
  const { resolution, state, metadata } = resolveGatewayCallOwnership(session.ownerSnapshot(), start, session.nowNs);
  session.applyOwnerState(state);
  return { resolution, metadata };
}

/** The LLM start the runtime emits for a managed gateway call, under the resolved owner. */
export function openGatewayLlm(emitter: AtofEmitter, payload: LlmScopePayload, parentUuid: string): ScopeHandle {
  return emitter.startScope({
    parentUuid,
    name: payload.name,
    category: 'llm',
    attributes: payload.attributes,
    data: payload.data,
    metadata: payload.metadata,
    categoryProfile: payload.category_profile,
  });
}

/** At completion: one `llm.chunk` mark per streamed chunk (children of the LLM), then the end. */
export function closeGatewayLlm(emitter: AtofEmitter, handle: ScopeHandle, events: GatewayLlmEvents): void {
  for (const chunk of events.chunks) emitter.mark(handle.uuid, chunk.name, chunk.data, null);
  const end = events.end;
  if (end) emitter.endScope(handle, { data: end.data, metadata: end.metadata, categoryProfile: end.category_profile });
}
