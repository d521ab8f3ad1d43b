/**
 * Fix `claude-startup-probe` (NeMo-Relay #213, 8a852b241): Claude Code's one-token `user: test`
 * request before the first prompt is forwarded without LLM events. Fixture: a Claude Code session
 * whose probe comes between its SessionStart and its first prompt (the prompt is the user's own
 * "test", answered by a request of the probe's shape inside the turn), then a session whose probe
 * reached the gateway before its SessionStart hook did.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { isClaudeStartupProbe } from '../src/providers/anthropic.js';
import { runCli } from './support/cli.js';
import { agentStarted, gatewayStart, Harness } from './fixtures/sessions/harness.js';
import { attribution, events, rawFixture, registryAndProfileTests, SEED, starts } from './support/fixes-raw.js';

const FIX = 'claude-startup-probe';
const PROBE = { model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'test' }] };

/** Each trajectory as its steps' [source, message] (text messages only, else their JSON). */
async function trajectories(...flags: string[]): Promise<Array<Array<[string, string]>>> {
  const r = await runCli(['convert', rawFixture(FIX), '-o', '-', '-q', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as Trajectory).steps.map((s) => [s.source, typeof s.message === 'string' ? s.message : JSON.stringify(s.message)]));
}

describe(FIX, () => {
  registryAndProfileTests(FIX, ['claude-gateway-turn']);

  it('relay-0.3 makes LLM calls and turns of both probes; the fix neither', async () => {
    const llmNames = async (...flags: string[]) => starts(await events(FIX, ...flags), 'llm').map((e) => (e.data as { content: { model: string; max_tokens: number } }).content.max_tokens);
    assert.deepEqual(await llmNames(...SEED), [1, 1, 1, 1024], 'both probes, the in-turn "test" call, the real call');
    assert.deepEqual(await llmNames(), [1, 1024], 'the in-turn "test" call and the real call');
    const turns = async (...flags: string[]) => starts(await events(FIX, ...flags), 'agent').map((e) => [e.metadata?.session_id, e.metadata?.turn_source]);
    assert.deepEqual(await turns(...SEED), [
      ['cc-hooks', 'implicit'],
      ['cc-hooks', 'user_prompt'],
      ['cc-gateway', 'implicit'],
      ['cc-gateway', 'user_prompt'],
    ]);
    assert.deepEqual(await turns(), [
      ['cc-hooks', 'user_prompt'],
      ['cc-gateway', 'user_prompt'],
    ]);
  });

  it('so no trajectory holds a probe, and the user\'s own "test" stays', async () => {
    const seed = await trajectories(...SEED);
    assert.equal(seed.length, 4);
    for (const probe of [seed[0], seed[2]]) assert.deepEqual(probe, [['user', 'test'], ['agent', '[{"text":"I","type":"text"}]']], 'each probe: a trajectory of its own');
    const fixed = await trajectories();
    assert.deepEqual(fixed, [
      [['user', 'test'], ['agent', 'Test']],
      [['user', 'What does main.ts do?'], ['agent', 'It starts the server.']],
    ]);
  });

  it('explain --request names the decision; the probe has no LLM span', async () => {
    const probe = await attribution(FIX, 'probe-hooks');
    assert.deepEqual([probe.owner.rule, probe.owner.status, probe.owner.source], ['STARTUP_PROBE', 'pre_turn_probe', 'claude_startup_probe']);
    assert.equal((probe as unknown as { llm_span?: string }).llm_span, undefined);
    assert.equal((probe.owner as { fix?: string }).fix, FIX);
    const seed = await attribution(FIX, 'probe-hooks', ...SEED);
    assert.equal(seed.owner.rule, 'FALLBACK');
    // A request of the probe's shape inside a turn is a call like any other.
    const typed = await attribution(FIX, 'typed-test');
    assert.deepEqual([typed.owner.rule, typed.owner.source], ['SINGLE_HINT', 'UserPromptSubmit']);
    const text = await runCli(['explain', rawFixture(FIX), '--request', 'probe-hooks', '-q']);
    assert.match(text.stdout, /owner +STARTUP_PROBE → llm_correlation_status pre_turn_probe, source claude_startup_probe/);
    assert.match(text.stdout, /LLM span none \(the probe is forwarded without LLM events/);
  });

  it('a session only the probe opened is let go when it is answered (library)', () => {
    const h = new Harness({ claudeStartupProbe: true });
    const call = h.startLlm(gatewayStart({ sessionId: 'cc', provider: 'anthropic.messages', modelName: 'claude-haiku-4-5', content: PROBE }));
    assert.equal(call.llm, undefined, 'no LLM events');
    assert.equal(h.session('cc').activeGatewayCalls, 1, 'in flight while it is');
    h.end(call);
    assert.equal(h.manager.sessions.has('cc'), false);
    assert.equal(h.events.length, 0);
    // A session that has started keeps its state.
    h.apply([agentStarted({ sessionId: 'cc' })]);
    h.end(h.startLlm(gatewayStart({ sessionId: 'cc', provider: 'anthropic.messages', modelName: 'claude-haiku-4-5', content: PROBE })));
    assert.equal(h.manager.sessions.has('cc'), true);
    assert.equal(h.session('cc').turnScope, undefined);
  });

  it('the run summary and --report count the probes, the first named', async () => {
    const r = await runCli(['convert', rawFixture(FIX), '-o', '-']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /2 gateway calls were Claude Code startup probes .*fix claude-startup-probe.*claude-startup-probe\.ndjson:2: capture probe-hooks/);
    const seed = await runCli(['convert', rawFixture(FIX), '-o', '-', ...SEED]);
    assert.doesNotMatch(seed.stderr, /startup probe/);
    const probesReported = async (...flags: string[]) => {
      const run = await runCli(['convert', rawFixture(FIX), '-o', '-', '--json', ...flags]);
      return (JSON.parse(run.stderr) as { replay: { startup_probes: number } }).replay.startup_probes;
    };
    assert.equal(await probesReported(), 2);
    assert.equal(await probesReported(...SEED), 0);
  });
});

describe(`${FIX}: the probe's shape (library)`, () => {
  const probe = PROBE;

  it('is the exact request only', () => {
    assert.equal(isClaudeStartupProbe(probe, undefined), true);
    assert.equal(isClaudeStartupProbe({ ...probe, model: 'gpt-5' }, undefined), false, 'a claude- model');
    assert.equal(isClaudeStartupProbe(probe, 'gpt-5'), false, 'the model the gateway read comes first');
    assert.equal(isClaudeStartupProbe({ ...probe, max_tokens: 2 }, undefined), false);
    assert.equal(isClaudeStartupProbe({ ...probe, messages: [{ role: 'user', content: 'Test' }] }, undefined), false);
    assert.equal(isClaudeStartupProbe({ ...probe, messages: [{ role: 'user', content: [{ type: 'text', text: 'test' }] }] }, undefined), false, 'the text as a string');
    assert.equal(isClaudeStartupProbe({ ...probe, messages: [...probe.messages, { role: 'assistant', content: 'I' }] }, undefined), false, 'one message');
    assert.equal(isClaudeStartupProbe({ ...probe, messages: [{ role: 'assistant', content: 'test' }] }, undefined), false);
    assert.equal(isClaudeStartupProbe(null, 'claude-haiku-4-5'), false);
  });
});
