/**
 * Fix `single-synthetic-session-id` (NeMo-Relay #318, relay-cli.md §1.2 quirk and §5.2): the events
 * of one hook without a session id share one `hook-<uuid>` session. Fixture: an id-less Claude
 * `UserPromptSubmit` (PromptSubmitted + LlmHint) and the gateway call that follows without a session
 * header.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adaptHook, seededUuids, type HookAgentKind } from '../src/hooks/index.js';
import type { Json } from '../src/json/value.js';
import { attribution, events, registryAndProfileTests, SEED, starts } from './support/fixes-raw.js';

const FIX = 'single-synthetic-session-id';

describe(FIX, () => {
  registryAndProfileTests(FIX, ['claude-gateway-turn']);

  it('relay-0.3 opens two turns in two hook sessions for the one prompt hook; the fix one turn', async () => {
    const turnsOf = async (...flags: string[]) => starts(await events(FIX, ...flags), 'agent').map((e) => [e.metadata?.session_id, e.metadata?.turn_source]);
    const seed = await turnsOf(...SEED);
    assert.equal(seed.length, 3, 'the prompt turn, the hint turn, the gateway-gateway turn');
    assert.deepEqual(seed.map(([, source]) => source), ['user_prompt', 'implicit', 'implicit']);
    assert.match(String(seed[0][0]), /^hook-/);
    assert.notEqual(seed[0][0], seed[1][0]);
    assert.equal(seed[2][0], 'gateway-gateway');
    const fixed = await turnsOf();
    assert.equal(fixed.length, 1);
    assert.deepEqual(fixed[0], [seed[0][0], 'user_prompt']);
  });

  it('so the gateway call finds the only session and its hint instead of the shared fallback session', async () => {
    const seed = await attribution(FIX, 'cap-hi', ...SEED);
    assert.deepEqual([seed.selection.rule, seed.selection.session_id, seed.owner.status], ['GATEWAY_FALLBACK_SESSION', 'gateway-gateway', 'agent_fallback']);
    const fixed = await attribution(FIX, 'cap-hi');
    assert.equal(fixed.selection.rule, 'SINGLE_ACTIVE_SESSION');
    assert.match(fixed.selection.session_id, /^hook-/);
    assert.deepEqual([fixed.owner.status, fixed.owner.source], ['single_hint', 'UserPromptSubmit']);
  });
});

describe(`${FIX}: the adapters (library)`, () => {
  const adapt = (agent: HookAgentKind, payload: Json, oneSyntheticSessionPerHook: boolean) =>
    adaptHook(agent, payload, { ids: seededUuids('fix-test', 1_780_000_000_000), oneSyntheticSessionPerHook });
  const sessionsOf = (agent: HookAgentKind, payload: Json, shared: boolean) => adapt(agent, payload, shared).events.map((e) => e.sessionId);

  it('an id-less prompt or stop hook gives its two events one session', () => {
    for (const [agent, name] of [['claude-code', 'UserPromptSubmit'], ['codex', 'Stop'], ['claude-code', 'Stop']] as const) {
      const seed = sessionsOf(agent, { hook_event_name: name }, false);
      assert.equal(seed.length, 2, `${agent} ${name}`);
      assert.notEqual(seed[0], seed[1]);
      const fixed = sessionsOf(agent, { hook_event_name: name }, true);
      assert.deepEqual(fixed, [seed[0], seed[0]], `${agent} ${name}: the first event's id, shared`);
    }
  });

  it('ids the hook carries and the other synthetic ids are unchanged', () => {
    assert.deepEqual(sessionsOf('claude-code', { hook_event_name: 'UserPromptSubmit', session_id: 's' }, true), ['s', 's']);
    const tool = { hook_event_name: 'PreToolUse', tool_name: 'Read' };
    assert.deepEqual(adapt('claude-code', tool, true).events, adapt('claude-code', tool, false).events);
  });

  it('two id-less hooks still get two sessions', () => {
    const first = adaptHook('codex', { hook_event_name: 'Stop' }, { ids: seededUuids('a', 1), oneSyntheticSessionPerHook: true }).events[0].sessionId;
    const second = adaptHook('codex', { hook_event_name: 'Stop' }, { ids: seededUuids('b', 1), oneSyntheticSessionPerHook: true }).events[0].sessionId;
    assert.notEqual(first, second);
  });
});
