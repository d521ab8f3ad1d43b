/** The classification algorithm of relay-cli.md §1.3 and the decision it records for `explain`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyHook, decidePrimary, type AgentTable } from '../src/hooks/classify.js';
import { HOOK_AGENT_KINDS, seededUuids } from '../src/hooks/index.js';
import { adapt, typesOf } from './fixtures/hooks/harness.js';

const emptyLists = { agent_start: [], agent_end: [], subagent_start: [], subagent_end: [], tool_start: [], tool_end: [] };
const table = (lists: Partial<AgentTable['lists']>): AgentTable => ({ agent: 'codex', lists: { ...emptyLists, ...lists } });
const classify = (t: AgentTable, name: string) => classifyHook({ agent: 'codex', payload: { hook_event_name: name, session_id: 's' }, ids: seededUuids('c') }, t);

describe('§1.3 classification', () => {
  it('step 1: the three prompt names give PromptSubmitted then LlmHint for every agent, before any table', () => {
    for (const agent of HOOK_AGENT_KINDS) {
      for (const name of ['beforeSubmitPrompt', 'prompt_submitted', 'UserPromptSubmit']) {
        assert.deepEqual(typesOf(adapt(agent, { hook_event_name: name, session_id: 's' })), ['PromptSubmitted', 'LlmHint'], `${agent} ${name}`);
      }
    }
    // Even a table that lists the name cannot take it.
    assert.deepEqual(classify(table({ agent_start: ['userpromptsubmit'] }), 'UserPromptSubmit').map((e) => e.type), ['PromptSubmitted', 'LlmHint']);
  });

  it('step 2: lists are tested in order, so the earliest list holding a name decides', () => {
    const t = table({ tool_end: ['x'], subagent_start: ['x'], agent_end: ['x'] });
    assert.equal(decidePrimary('x', t).type, 'AgentEnded');
    assert.equal(decidePrimary('x', t).rule, 'table.agent_end');
    assert.equal(decidePrimary('x', table({ tool_end: ['x'], tool_start: ['x'] })).type, 'ToolStarted');
  });

  it('step 2 beats step 3: a table entry overrides a generic name', () => {
    assert.equal(decidePrimary('notification', table({ tool_start: ['notification'] })).type, 'ToolStarted');
    assert.equal(decidePrimary('notification', table({})).type, 'Notification');
  });

  it('step 3: generic names, then hook marks', () => {
    const generic: [string, string, string][] = [
      ['afteragentresponse', 'LlmHint', 'generic.llm_hint'], ['agentresponse', 'LlmHint', 'generic.llm_hint'],
      ['assistantresponse', 'LlmHint', 'generic.llm_hint'], ['afteragentthought', 'LlmHint', 'generic.llm_hint'],
      ['prellmcall', 'LlmHint', 'generic.llm_hint'], ['postllmcall', 'LlmHint', 'generic.llm_hint'], ['stop', 'LlmHint', 'generic.llm_hint'],
      ['precompact', 'Compaction', 'generic.compaction'], ['compaction', 'Compaction', 'generic.compaction'],
      ['notification', 'Notification', 'generic.notification'], ['unknown', 'HookMark', 'unknown.hook_mark'],
      ['postcompact', 'HookMark', 'unknown.hook_mark'],
    ];
    for (const [name, type, rule] of generic) {
      const decision = decidePrimary(name, table({}));
      assert.deepEqual([decision.type, decision.rule], [type, rule], name);
    }
  });

  it('step 4: stop adds TurnEnded only when the primary event is not terminal', () => {
    assert.deepEqual(classify(table({}), 'Stop').map((e) => e.type), ['LlmHint', 'TurnEnded']);
    assert.deepEqual(classify(table({ subagent_start: ['stop'] }), 'Stop').map((e) => e.type), ['SubagentStarted', 'TurnEnded']);
    for (const list of ['agent_end', 'subagent_end', 'tool_end'] as const) {
      assert.equal(classify(table({ [list]: ['stop'] }), 'stop').length, 1, list);
    }
    // Only the exact normalized name "stop": a stop-like name gets no TurnEnded.
    assert.deepEqual(classify(table({}), 'SubagentStop').map((e) => e.type), ['HookMark']);
  });
});

describe('recorded decisions', () => {
  it('every event names its rule, the normalized name and a reason that cites both', () => {
    const outcome = adapt('claude-code', { hook_event_name: 'Stop', session_id: 's' });
    assert.equal(outcome.eventName, 'Stop');
    assert.equal(outcome.normalizedName, 'stop');
    const [hint, turnEnd] = outcome.events;
    assert.deepEqual(hint?.classification.rule, 'generic.llm_hint');
    assert.match(hint?.classification.reason ?? '', /"stop" is not in the claude-code table; it is a generic LLM-hint name/);
    assert.deepEqual(turnEnd?.classification, {
      rule: 'stop.turn_end',
      normalizedName: 'stop',
      reason: 'a "stop" hook whose primary event (LlmHint) is not terminal also ends the turn',
    });
  });

  it('table and mark decisions say which list matched, or that nothing did', () => {
    const tool = adapt('cursor', { hook_event_name: 'beforeMCPExecution', session_id: 's' }).events[0];
    assert.equal(tool?.classification.reason, '"beforemcpexecution" is in the cursor tool_start list');
    const mark = adapt('hermes', { hook_event_name: 'on.something', session_id: 's' }).events[0];
    assert.equal(mark?.classification.reason, '"onsomething" matches no hermes rule and no generic name, so it is kept as a hook mark');
  });
});
