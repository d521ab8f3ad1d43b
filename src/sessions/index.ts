/**
 * Sessions (relay-cli.md §3): normalized hook events and gateway calls → the ATOF events NeMo-Relay's
 * runtime emits, replayed offline on record time (§3.12), with every gateway call's session
 * attribution recorded as data for `explain --request`.
 */
export { replayTimeline, IDLE_SWEEP_INTERVAL_NS, type ReplayOptions, type ReplayResult, type ReplayStats } from './replay.js';
export { SessionManager, type GatewayCall, type GatewayCallInfo, type ManagerOptions } from './manager.js';
export { AtofEmitter, type Moment, type ScopeHandle } from './emitter.js';
export { Session, emitsSessionAgentScope, IDLE_TIMEOUT_NS } from './session.js';
export { AttributionLog, type AliasDecision, type GatewayAttribution, type OwnerDecision } from './attribution.js';
export { sessionConfigFromHeaders, type HeaderReader, type SessionConfig } from './config.js';
export type { SessionInput, SessionInputOf } from './events.js';
export type { TranscriptReader } from './alignment/codex-child.js';
