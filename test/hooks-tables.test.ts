/**
 * The per-agent tables of relay-cli.md §1.4, one test per row. Each row lists several spellings of
 * its names, since matching is case- and separator-insensitive (§0.5), and checks the events, their
 * order, the rule recorded for `explain`, and the derived tool status where the row has one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAUDE_CODE_TABLE } from '../src/hooks/claude-code.js';
import { TABLE_ORDER, type AgentTable } from '../src/hooks/classify.js';
import { CODEX_TABLE } from '../src/hooks/codex.js';
import { CURSOR_TABLE } from '../src/hooks/cursor.js';
import { HERMES_TABLE } from '../src/hooks/hermes.js';
import { normalizeName, type ClassificationRule, type HookAgentKind, type NormalizedEventType } from '../src/hooks/index.js';
import type { JsonObject } from '../src/json/value.js';
import { adapt, typesOf } from './fixtures/hooks/harness.js';

interface Row {
  names: string[];
  types: NormalizedEventType[];
  rules: ClassificationRule[];
  /** Tool status expected on the first (tool) event; `null` = none. */
  status?: string | null;
  /** Extra payload fields (ids that make a Hermes pre_tool_call correlatable, …). */
  extra?: JsonObject;
}

const PROMPT: Pick<Row, 'types' | 'rules'> = { types: ['PromptSubmitted', 'LlmHint'], rules: ['prompt_submit', 'prompt_submit'] };
const STOP: Pick<Row, 'types' | 'rules'> = { types: ['LlmHint', 'TurnEnded'], rules: ['generic.llm_hint', 'stop.turn_end'] };
const one = (type: NormalizedEventType, rule: ClassificationRule): Pick<Row, 'types' | 'rules'> => ({ types: [type], rules: [rule] });

const TABLES: Record<HookAgentKind, Row[]> = {
  'claude-code': [
    { names: ['SessionStart', 'session_start'], ...one('AgentStarted', 'table.agent_start') },
    { names: ['SessionEnd', 'sessionEnd'], ...one('AgentEnded', 'table.agent_end') },
    { names: ['SubagentStart'], ...one('SubagentStarted', 'table.subagent_start') },
    { names: ['SubagentStop', 'SubagentEnd'], ...one('SubagentEnded', 'table.subagent_end') },
    { names: ['PreToolUse', 'pre_tool_use'], ...one('ToolStarted', 'table.tool_start'), status: null },
    { names: ['PostToolUse', 'postToolUse'], ...one('ToolEnded', 'table.tool_end'), status: null },
    { names: ['PostToolUseFailure', 'ToolUseFailed'], ...one('ToolEnded', 'table.tool_end'), status: 'error' },
    { names: ['PermissionDenied', 'permission-denied'], ...one('ToolEnded', 'table.tool_end'), status: 'denied' },
    { names: ['PermissionDenied'], ...one('ToolEnded', 'table.tool_end'), status: 'blocked', extra: { decision: 'blocked' } },
    { names: ['UserPromptSubmit', 'promptSubmitted', 'beforeSubmitPrompt'], ...PROMPT },
    { names: ['Stop', 'STOP'], ...STOP },
    {
      names: ['afterAgentResponse', 'afterAgentThought', 'agentResponse', 'assistantResponse', 'pre_llm_call', 'post_llm_call'],
      ...one('LlmHint', 'generic.llm_hint'),
    },
    { names: ['PreCompact', 'compaction'], ...one('Compaction', 'generic.compaction') },
    { names: ['Notification'], ...one('Notification', 'generic.notification') },
    { names: ['PermissionRequest', 'PostCompact', 'UserPromptExpansion', 'unknown'], ...one('HookMark', 'unknown.hook_mark') },
  ],
  codex: [
    { names: ['SessionStart', 'sessionStart', 'session_start', 'agentStarted'], ...one('AgentStarted', 'table.agent_start') },
    { names: ['SessionEnd', 'session_end', 'agentEnded'], ...one('AgentEnded', 'table.agent_end') },
    { names: ['SubagentStart', 'subagent_start'], ...one('SubagentStarted', 'table.subagent_start') },
    { names: ['SubagentStop', 'subagentEnd', 'subagent_stop'], ...one('SubagentEnded', 'table.subagent_end') },
    { names: ['PreToolUse', 'toolStarted', 'tool_start'], ...one('ToolStarted', 'table.tool_start'), status: null },
    { names: ['PostToolUse', 'toolEnded', 'tool_end'], ...one('ToolEnded', 'table.tool_end'), status: null },
    { names: ['toolFailed', 'tool_failed'], ...one('ToolEnded', 'table.tool_end'), status: 'error' },
    { names: ['UserPromptSubmit'], ...PROMPT },
    { names: ['Stop'], ...STOP },
    { names: ['PreCompact'], ...one('Compaction', 'generic.compaction') },
    { names: ['Notification'], ...one('Notification', 'generic.notification') },
    // Codex has no failure spelling besides toolFailed; PostToolUseFailure is only a mark here.
    { names: ['PostToolUseFailure', 'PermissionRequest', 'PostCompact', 'PermissionDenied'], ...one('HookMark', 'unknown.hook_mark') },
  ],
  cursor: [
    { names: ['sessionStart'], ...one('AgentStarted', 'table.agent_start') },
    { names: ['sessionEnd', 'session_end'], ...one('AgentEnded', 'table.agent_end') },
    // stop is in Cursor's agent_end list; AgentEnded is terminal, so there is no TurnEnded.
    { names: ['stop', 'Stop'], ...one('AgentEnded', 'table.agent_end') },
    { names: ['subagentStart'], ...one('SubagentStarted', 'table.subagent_start') },
    { names: ['subagentStop', 'subagentEnd'], ...one('SubagentEnded', 'table.subagent_end') },
    { names: ['preToolUse', 'beforeShellExecution', 'beforeMCPExecution'], ...one('ToolStarted', 'table.tool_start'), status: null },
    { names: ['postToolUse', 'afterShellExecution', 'afterMCPExecution'], ...one('ToolEnded', 'table.tool_end'), status: null },
    { names: ['postToolUseFailure'], ...one('ToolEnded', 'table.tool_end'), status: 'error' },
    { names: ['beforeSubmitPrompt', 'UserPromptSubmit'], ...PROMPT },
    { names: ['afterAgentResponse', 'afterAgentThought'], ...one('LlmHint', 'generic.llm_hint') },
    { names: ['preCompact'], ...one('Compaction', 'generic.compaction') },
    { names: ['notification'], ...one('Notification', 'generic.notification') },
    { names: ['afterFileEdit', 'beforeReadFile', 'permissionDenied'], ...one('HookMark', 'unknown.hook_mark') },
  ],
  hermes: [
    { names: ['on_session_start', 'sessionStart'], ...one('AgentStarted', 'table.agent_start') },
    { names: ['on_session_finalize', 'on_session_reset'], ...one('AgentEnded', 'table.agent_end') },
    { names: ['on_session_end', 'onSessionEnd'], ...one('TurnEnded', 'hermes.on_session_end') },
    { names: ['subagent_start', 'subagentStart'], ...one('SubagentStarted', 'table.subagent_start') },
    { names: ['subagent_stop', 'subagentStop'], ...one('SubagentEnded', 'table.subagent_end') },
    { names: ['pre_tool_call', 'preToolCall'], ...one('ToolStarted', 'table.tool_start'), status: null, extra: { tool_call_id: 'call-1' } },
    { names: ['pre_tool_call'], types: [], rules: [] },
    { names: ['post_tool_call', 'postToolCall'], ...one('ToolEnded', 'table.tool_end'), status: null },
    { names: ['pre_llm_call', 'post_llm_call'], ...one('LlmHint', 'generic.llm_hint') },
    { names: ['pre_api_request', 'preApiRequest'], ...one('LlmStarted', 'hermes.pre_api_request') },
    { names: ['post_api_request'], ...one('LlmEnded', 'hermes.post_api_request') },
    { names: ['api_request_error'], ...one('LlmEnded', 'hermes.api_request_error') },
    { names: ['user_prompt_submit'], ...PROMPT },
    { names: ['stop'], ...STOP },
    { names: ['pre_compact'], ...one('Compaction', 'generic.compaction') },
    // Hermes lists only subagent_stop; subagent_end is not one of its names.
    { names: ['subagent_end', 'on_session_something'], ...one('HookMark', 'unknown.hook_mark') },
  ],
};

function rowTitle(agent: HookAgentKind, row: Row): string {
  const target = row.types.length === 0 ? 'no events' : row.types.join(' + ');
  const status = row.status ? ` (status ${row.status})` : '';
  const extra = row.extra ? ` with ${Object.keys(row.extra).join(', ')}` : '';
  return `${agent}: ${row.names.join(' / ')}${extra} → ${target}${status}`;
}

for (const [agent, rows] of Object.entries(TABLES) as [HookAgentKind, Row[]][]) {
  describe(`${agent} table (relay-cli.md §1.4)`, () => {
    for (const row of rows) {
      it(rowTitle(agent, row), () => {
        for (const name of row.names) {
          const outcome = adapt(agent, { hook_event_name: name, session_id: `${agent}-session`, ...row.extra });
          assert.deepEqual(typesOf(outcome), row.types, name);
          assert.deepEqual(outcome.events.map((e) => e.classification.rule), row.rules, name);
          for (const event of outcome.events) {
            assert.equal(event.agentKind, agent, name);
            assert.equal(event.eventName, name, name);
            assert.equal(event.classification.normalizedName, normalizeName(name), name);
            assert.equal(event.metadata.hook_event_name, name, name);
            assert.equal(event.metadata.agent_kind, agent, name);
          }
          if (row.status !== undefined) {
            const tool = outcome.events[0];
            assert.ok(tool?.type === 'ToolStarted' || tool?.type === 'ToolEnded', name);
            assert.equal(tool.status, row.status ?? undefined, name);
          }
        }
      });
    }
  });
}

describe('agent tables', () => {
  const tables: AgentTable[] = [CLAUDE_CODE_TABLE, CODEX_TABLE, CURSOR_TABLE, HERMES_TABLE];
  it('store every name already normalized, so a table entry can match at all', () => {
    for (const table of tables) {
      for (const list of TABLE_ORDER) {
        for (const name of table.lists[list]) assert.equal(normalizeName(name), name, `${table.agent} ${list} ${name}`);
      }
    }
  });

  it('never list one name twice, where only the earlier list would ever apply', () => {
    for (const table of tables) {
      const seen = new Map<string, string>();
      for (const list of TABLE_ORDER) {
        for (const name of table.lists[list]) {
          assert.equal(seen.get(name), undefined, `${table.agent}: ${name} in ${seen.get(name)} and ${list}`);
          seen.set(name, list);
        }
      }
    }
  });
});
