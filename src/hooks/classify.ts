import { normalizeName } from './paths.js';
import { eventNameOf, type HookInput } from './fields.js';
import { buildLlmHintEvent, buildSessionEvent, buildSubagentEvent, buildToolEvent } from './events.js';
import { isTerminal, type Classification, type ClassificationRule, type HookAgentKind, type NormalizedEvent, type TableList } from './types.js';

/**
 * The classification algorithm of relay-cli.md §1.3, shared by all four adapters; each adapter
 * supplies its name table (§1.4). Names in tables are stored already normalized (`normalizeName`).
 */

export interface AgentTable {
  agent: HookAgentKind;
  lists: Readonly<Record<TableList, readonly string[]>>;
}

/** The order in which an agent's lists are tested; the first list holding the name decides. */
export const TABLE_ORDER: readonly TableList[] = ['agent_start', 'agent_end', 'subagent_start', 'subagent_end', 'tool_start', 'tool_end'];

/** Prompt-submit names of every agent, tested before the agent table. */
export const PROMPT_SUBMIT_NAMES: ReadonlySet<string> = new Set(['beforesubmitprompt', 'promptsubmitted', 'userpromptsubmit']);

/** Names every agent understands when its table has no entry for them. */
export const GENERIC_LLM_HINT_NAMES: ReadonlySet<string> = new Set([
  'afteragentresponse', 'agentresponse', 'assistantresponse', 'afteragentthought', 'prellmcall', 'postllmcall', 'stop',
]);
export const GENERIC_COMPACTION_NAMES: ReadonlySet<string> = new Set(['precompact', 'compaction']);
export const GENERIC_NOTIFICATION_NAMES: ReadonlySet<string> = new Set(['notification']);

const TABLE_EVENT: Readonly<Record<TableList, PrimaryType>> = {
  agent_start: 'AgentStarted',
  agent_end: 'AgentEnded',
  subagent_start: 'SubagentStarted',
  subagent_end: 'SubagentEnded',
  tool_start: 'ToolStarted',
  tool_end: 'ToolEnded',
};

/** Event types a hook's primary classification can yield (LLM spans come only from Hermes special cases). */
type PrimaryType =
  | 'AgentStarted' | 'AgentEnded' | 'SubagentStarted' | 'SubagentEnded' | 'ToolStarted' | 'ToolEnded'
  | 'LlmHint' | 'Compaction' | 'Notification' | 'HookMark';

interface PrimaryDecision {
  type: PrimaryType;
  rule: ClassificationRule;
  reason: string;
}

/** Step 2 and 3: the one event a non-prompt hook name stands for. */
export function decidePrimary(normalizedName: string, table: AgentTable): PrimaryDecision {
  const n = JSON.stringify(normalizedName);
  for (const list of TABLE_ORDER) {
    if (table.lists[list].includes(normalizedName)) {
      return { type: TABLE_EVENT[list], rule: `table.${list}`, reason: `${n} is in the ${table.agent} ${list} list` };
    }
  }
  const notInTable = `${n} is not in the ${table.agent} table`;
  if (GENERIC_LLM_HINT_NAMES.has(normalizedName)) {
    return { type: 'LlmHint', rule: 'generic.llm_hint', reason: `${notInTable}; it is a generic LLM-hint name` };
  }
  if (GENERIC_COMPACTION_NAMES.has(normalizedName)) {
    return { type: 'Compaction', rule: 'generic.compaction', reason: `${notInTable}; it is a generic compaction name` };
  }
  if (GENERIC_NOTIFICATION_NAMES.has(normalizedName)) {
    return { type: 'Notification', rule: 'generic.notification', reason: `${notInTable}; it is the generic notification name` };
  }
  return {
    type: 'HookMark',
    rule: 'unknown.hook_mark',
    reason: `${n} matches no ${table.agent} rule and no generic name, so it is kept as a hook mark`,
  };
}

/**
 * Classifies one hook into its events, in the order the session layer must apply them:
 * prompt hooks give `[PromptSubmitted, LlmHint]`; a `stop` whose primary event is not terminal gives
 * `[primary, TurnEnded]` (Codex has no session-end hook, so this is its only turn boundary);
 * everything else gives `[primary]`.
 */
export function classifyHook(input: HookInput, table: AgentTable): NormalizedEvent[] {
  const normalizedName = normalizeName(eventNameOf(input.payload));
  if (PROMPT_SUBMIT_NAMES.has(normalizedName)) {
    const classification: Classification = {
      rule: 'prompt_submit',
      normalizedName,
      reason: `${JSON.stringify(normalizedName)} is a prompt-submit name, checked before the ${table.agent} table: it opens a turn and leaves an LLM hint`,
    };
    return [
      { type: 'PromptSubmitted', ...buildSessionEvent(input, classification) },
      { type: 'LlmHint', ...buildLlmHintEvent(input, classification) },
    ];
  }
  const decision = decidePrimary(normalizedName, table);
  const primary = buildPrimary(input, decision.type, { rule: decision.rule, normalizedName, reason: decision.reason });
  if (normalizedName !== 'stop' || isTerminal(primary)) return [primary];
  const turnEnd: Classification = {
    rule: 'stop.turn_end',
    normalizedName,
    reason: `a "stop" hook whose primary event (${primary.type}) is not terminal also ends the turn`,
  };
  return [primary, { type: 'TurnEnded', ...buildSessionEvent(input, turnEnd) }];
}

function buildPrimary(input: HookInput, type: PrimaryType, classification: Classification): NormalizedEvent {
  switch (type) {
    case 'SubagentStarted':
    case 'SubagentEnded':
      return { type, ...buildSubagentEvent(input, classification) };
    case 'ToolStarted':
    case 'ToolEnded':
      return { type, ...buildToolEvent(input, classification) };
    case 'LlmHint':
      return { type, ...buildLlmHintEvent(input, classification) };
    case 'AgentStarted':
    case 'AgentEnded':
    case 'Compaction':
    case 'Notification':
    case 'HookMark':
      return { type, ...buildSessionEvent(input, classification) };
  }
}
