/**
 * Fix `claude-gateway-turn` (NeMo-Relay #224, 2fafd3ee6): a Claude Code Anthropic request with no
 * turn open opens the turn itself, and the prompt hook that follows joins it. Fixture: a first turn
 * whose request reached the gateway 200 ms before its UserPromptSubmit, then a second turn in the
 * usual order (prompt hook, then request).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { messagesTaskText } from '../src/gateway/request-affinity.js';
import type { LlmGatewayStart } from '../src/gateway/llm-start.js';
import type { AgentKind } from '../src/hooks/index.js';
import { runCli } from './support/cli.js';
import { agentStarted, chatTask, gatewayStart, Harness, messagesTask, metadataOf, promptSubmitted } from './fixtures/sessions/harness.js';
import { events, rawFixture, registryAndProfileTests, SEED, starts } from './support/fixes-raw.js';

const FIX = 'claude-gateway-turn';

async function trajectories(...flags: string[]): Promise<{ steps: string[][]; stderr: string }> {
  const r = await runCli(['convert', rawFixture(FIX), '-o', '-', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  const steps = r.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as Trajectory).steps.map((s) => `${s.source}: ${typeof s.message === 'string' ? s.message : JSON.stringify(s.message)}`));
  return { steps, stderr: r.stderr };
}

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 supersedes the turn the early request opened; the fix opens it with the prompt, which the hook joins', async () => {
    const turns = async (...flags: string[]) => starts(await events(FIX, ...flags), 'agent').map((e) => [e.metadata?.turn_source, e.data]);
    const seed = await turns(...SEED);
    assert.deepEqual(seed.map(([source]) => source), ['implicit', 'user_prompt', 'user_prompt']);
    assert.equal(seed[0][1], null);
    assert.deepEqual(await turns(), [
      ['gateway_request', { prompt: 'What does main.ts do?' }],
      ['user_prompt', seed[2][1]],
    ]);
    const marks = (await events(FIX)).filter((e) => e.kind === 'mark').map((e) => e.name);
    assert.deepEqual(marks, ['prompt_submitted']);
  });

  it("so the early call's answer is in its trajectory instead of lost; the turn in order is unchanged", async () => {
    const seed = await trajectories(...SEED);
    assert.deepEqual(seed.steps[0], ['user: What does main.ts do?'], 'the call, its answer lost');
    assert.deepEqual(seed.steps[1], [], 'the superseding turn');
    assert.match(seed.stderr, /1 reconstructed event came after their top-level scope was written.*the llm end of anthropic\.messages/);
    const fixed = await trajectories();
    assert.deepEqual(fixed.steps, [
      ['user: What does main.ts do?', 'system: UserPromptSubmit', 'agent: It starts the server.'],
      ['user: On which port?', 'agent: Port 8080.'],
    ]);
    assert.doesNotMatch(fixed.stderr, /came after their top-level scope/);
  });
});

describe(`${FIX}: the session (library)`, () => {
  /** The turn a call opens in a fresh session of this kind: [turn_source, input]. */
  const turnOpenedBy = (agentKind: AgentKind, start: LlmGatewayStart, claudeGatewayTurn = true) => {
    const h = new Harness({ claudeGatewayTurn });
    h.apply([agentStarted({ sessionId: 's', agentKind })]);
    h.llm(start);
    const turn = h.only((e) => e.kind === 'scope' && e.scopeCategory === 'start' && metadataOf(e).nemo_relay_scope_role === 'turn');
    return [metadataOf(turn).turn_source, turn.data ?? null];
  };

  it('only a Claude Code session\'s Anthropic Messages request with task text opens the turn', () => {
    assert.deepEqual(turnOpenedBy('claude-code', messagesTask('s', 'Explain main.ts please')), ['gateway_request', { prompt: 'Explain main.ts please' }]);
    assert.deepEqual(turnOpenedBy('claude-code', messagesTask('s', 'Explain main.ts please'), false), ['implicit', null]);
    assert.deepEqual(turnOpenedBy('codex', messagesTask('s', 'Explain main.ts please')), ['implicit', null]);
    assert.deepEqual(turnOpenedBy('claude-code', chatTask('s', 'Explain main.ts please')), ['implicit', null]);
    assert.deepEqual(turnOpenedBy('claude-code', gatewayStart({ sessionId: 's', provider: 'anthropic.messages', content: { messages: [] } })), ['implicit', null]);
  });

  it('the next prompt hook joins that turn once; the one after opens its own', () => {
    const h = new Harness({ claudeGatewayTurn: true });
    h.apply([agentStarted({ sessionId: 's' })]);
    h.llm(messagesTask('s', 'Explain main.ts please'));
    h.apply([promptSubmitted({ sessionId: 's' })]);
    h.apply([promptSubmitted({ sessionId: 's' })]);
    const turns = h.events.filter((e) => e.kind === 'scope' && e.scopeCategory === 'start' && metadataOf(e).nemo_relay_scope_role === 'turn').map((e) => metadataOf(e).turn_source);
    assert.deepEqual(turns, ['gateway_request', 'user_prompt']);
    assert.equal(h.events.filter((e) => e.kind === 'mark' && e.name === 'prompt_submitted').length, 1);
  });
});

describe(`${FIX}: the prompt a request gives its turn (library)`, () => {
  it("is the last user message's text, as the affinity key reads it, from messages only", () => {
    assert.equal(messagesTaskText({ messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: '  second  ' }] }), 'second');
    const toolResultLast = { messages: [{ role: 'user', content: 'fix it' }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'done' }] }] };
    assert.equal(messagesTaskText(toolResultLast), 'fix it', 'a user message with no text is passed over');
    assert.equal(messagesTaskText({ messages: [{ role: 'user', content: '{"a": 1}' }] }), undefined, 'a JSON payload is no task text');
    assert.equal(messagesTaskText({ input: 'a Responses request' }), undefined);
  });
});
