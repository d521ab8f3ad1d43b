import type { Json, JsonObject } from '../json/value.js';

import type { HookAgentKind } from '../ingest/records/hook-agent.js';

/** The kinds that have a hook endpoint (`/hooks/<kind>`) and so an adapter. */
export type { HookAgentKind };
/** The reference's `AgentKind` strings (model.rs). `gateway` is only ever created by the session layer. */
export type AgentKind = HookAgentKind | 'gateway';

/**
 * Where an extracted field came from, for `explain`: a header, a payload path, a generated id
 * (`hook-<uuid>`, `tool-<uuid>`), or a fixed default (`unknown`, `subagent`, `unknown_tool`).
 */
export type FieldSource = `header:${string}` | `payload:${string}` | 'synthetic' | 'default';

/** The six name lists of an agent's table, tested in this order (relay-cli.md §1.3 step 2). */
export type TableList = 'agent_start' | 'agent_end' | 'subagent_start' | 'subagent_end' | 'tool_start' | 'tool_end';

/** Which rule of §1.3/§1.4 produced an event. */
export type ClassificationRule =
  /** Step 1: a prompt-submit name, checked before any agent table. */
  | 'prompt_submit'
  /** Step 2: the name is in one of the agent's lists. */
  | `table.${TableList}`
  /** Step 3: generic names shared by every agent. */
  | 'generic.llm_hint'
  | 'generic.compaction'
  | 'generic.notification'
  /** Step 3: nothing matched; the hook becomes a `hook_mark`. */
  | 'unknown.hook_mark'
  /** Step 4: a `stop` hook whose primary event is not terminal also ends the turn. */
  | 'stop.turn_end'
  /** Fix `cursor-agent-text`: a Cursor afterAgentResponse / afterAgentThought with text is also a mark. */
  | 'cursor.agent_text'
  /** Fix `hermes-turn-text`: a Hermes pre_llm_call / post_llm_call with the turn's text is also a mark. */
  | 'hermes.turn_text'
  /** Hermes special cases, checked before the generic classifier (§1.4, Hermes 1–5). */
  | 'hermes.pre_api_request'
  | 'hermes.post_api_request'
  | 'hermes.api_request_error'
  | 'hermes.on_session_end';

/** The adapter decision behind one event, kept as data so `explain` can print it. */
export interface Classification {
  rule: ClassificationRule;
  /** The hook's event name after `normalizeName`, the form every rule compares. */
  normalizedName: string;
  /** One sentence naming the rule and why it applied. */
  reason: string;
}

/** Fields every normalized event carries. */
interface EventBase {
  sessionId: string;
  sessionIdSource: FieldSource;
  /** True for a `hook-<uuid>` id: the hook named no session, so this event starts a session of its own. */
  sessionIdSynthetic: boolean;
  agentKind: AgentKind;
  /** The event name as the hook spelled it (`unknown` when absent). */
  eventName: string;
  /**
   * The shared metadata of §1.2: always `agent_kind` and `hook_event_name`; `gateway_config_profile`,
   * `cwd`, `transcript_path`, `project_dir`, `user_email`, `model`, `agent_id`, `agent_type` when present;
   * Hermes LLM events add `api_call_id`, `provider_payload_exact`, `fidelity_source`.
   * A fresh object per event: the session layer may merge into it.
   */
  metadata: JsonObject;
  classification: Classification;
}

/** The reference's `SessionEvent`: lifecycle, turn boundary, prompt and mark-style events. */
export interface SessionEvent extends EventBase {
  /** The whole hook payload, shared with the input (treat as read-only). */
  payload: Json;
}

export interface SubagentEvent extends SessionEvent {
  /** Payload subagent id → `x-nemo-relay-subagent-id` → the literal `subagent`. */
  subagentId: string;
  subagentIdSource: FieldSource;
}

/** What a hint hook says about an upcoming LLM call; the gateway matches calls against these. */
export interface HintIdentifiers {
  subagentId?: string;
  agentId?: string;
  agentType?: string;
  conversationId?: string;
  generationId?: string;
  requestId?: string;
  model?: string;
}

/** A private correlation hint for nearby gateway LLM calls; it becomes no ATOF event by itself. */
export interface LlmHintEvent extends SessionEvent, HintIdentifiers {}

export interface ToolEvent extends SessionEvent {
  toolCallId: string;
  toolCallIdSource: FieldSource;
  /** True for a `tool-<uuid>` id: a matching start/end pair cannot be recognised by id. */
  toolCallIdSynthetic: boolean;
  /** `unknown_tool` when the payload names none. */
  toolName: string;
  toolNameSource: FieldSource;
  subagentId?: string;
  /** The first existing of `tool_input`, `input`, `arguments`, `args` (a present null stops the search); else null. */
  arguments: Json;
  /** Tool output, failure details for failure/denied hooks, else null. */
  result: Json;
  /** `status`/`decision`/`permission` from the payload, else `error`/`denied` from the hook name. */
  status?: string;
}

/** A Hermes `pre_api_request` / `post_api_request` / `api_request_error` hook (LLM span from hooks). */
export interface LlmEvent extends EventBase {
  /** `api_request_id`, else `"<session>:<task_id>:<api_call_count>"`; pairs start with end. */
  apiCallId: string;
  /** The LLM scope name: `provider` → `api_mode` → `hermes_api_request`. */
  provider: string;
  modelName?: string;
  /** The exact request body when Hermes sent an untruncated one, else a summary with `fidelity`. */
  request: Json;
  /** The exact response when available, else a summary object. */
  response: Json;
}

type Tagged<Type extends string, Event> = Event & { type: Type };

/** The reference's `NormalizedEvent` (model.rs), tagged by `type`. */
export type NormalizedEvent =
  | Tagged<'AgentStarted', SessionEvent>
  | Tagged<'AgentEnded', SessionEvent>
  /** A turn boundary: the session layer closes the open turn but not the agent scope. */
  | Tagged<'TurnEnded', SessionEvent>
  | Tagged<'SubagentStarted', SubagentEvent>
  | Tagged<'SubagentEnded', SubagentEvent>
  | Tagged<'LlmHint', LlmHintEvent>
  | Tagged<'LlmStarted', LlmEvent>
  | Tagged<'LlmEnded', LlmEvent>
  | Tagged<'ToolStarted', ToolEvent>
  | Tagged<'ToolEnded', ToolEvent>
  | Tagged<'PromptSubmitted', SessionEvent>
  | Tagged<'Compaction', SessionEvent>
  | Tagged<'Notification', SessionEvent>
  | Tagged<'HookMark', SessionEvent>;

export type NormalizedEventType = NormalizedEvent['type'];

/** Events that close something; one for an unknown session is dropped by the session layer (§3.3 step 4). */
const TERMINAL_TYPES: ReadonlySet<NormalizedEventType> = new Set(['AgentEnded', 'SubagentEnded', 'LlmEnded', 'ToolEnded']);

/** `is_terminal` (model.rs). `TurnEnded` is deliberately not terminal: the agent scope stays open across turns. */
export function isTerminal(event: Pick<NormalizedEvent, 'type'>): boolean {
  return TERMINAL_TYPES.has(event.type);
}

/** What one hook produced: its events in application order, and the body the live endpoint answered. */
export interface HookOutcome {
  agent: HookAgentKind;
  eventName: string;
  normalizedName: string;
  events: NormalizedEvent[];
  /** The HTTP 200 body of the live hook endpoint (§1.1); observational, never blocking. */
  response: JsonObject;
  /** Set when the adapter deliberately produced no events (Hermes uncorrelatable `pre_tool_call`). */
  dropped?: { rule: 'hermes.uncorrelatable_pre_tool_call'; reason: string };
}
