import type { NormalizedEvent, NormalizedEventType } from '../hooks/index.js';
import type { Json } from '../json/value.js';

/**
 * The normalized events the session layer consumes (relay-cli.md §3.6): the adapters' events without
 * their explain-only provenance fields. The session layer derives events of its own (alias routing
 * turns a child `AgentStarted` into a `SubagentStarted`, promotion synthesizes an implicit parent
 * start), so it must not be bound to fields only an adapter can fill. Metadata may be any JSON here:
 * the reference's implicit parent start carries `null`.
 */
type ProvenanceField =
  | 'classification'
  | 'sessionIdSource'
  | 'sessionIdSynthetic'
  | 'subagentIdSource'
  | 'toolCallIdSource'
  | 'toolCallIdSynthetic'
  | 'toolNameSource';

type Slim<E> = E extends unknown ? Omit<E, ProvenanceField | 'metadata'> & { metadata: Json } : never;

export type SessionInput = Slim<NormalizedEvent>;
export type SessionInputOf<T extends NormalizedEventType> = Extract<SessionInput, { type: T }>;

/** The event types that close something; one for an unknown session is dropped (§3.3 step 4). */
export function isTerminalInput(event: SessionInput): boolean {
  return event.type === 'AgentEnded' || event.type === 'SubagentEnded' || event.type === 'LlmEnded' || event.type === 'ToolEnded';
}

/** A copy the session layer may rewrite; the payload and metadata values themselves are never mutated. */
export function copyEvent<E extends SessionInput>(event: E): E {
  return { ...event };
}

/** The payload the event carries as scope data or mark data (LLM events have request/response instead). */
export function payloadOf(event: SessionInput): Json {
  return 'payload' in event ? (event.payload as Json) : null;
}
