/**
 * Fix `agent-identity`: the agent fields no flag gives come from the session: the agent that ran it,
 * its version from a request's User-Agent, and the model its agent steps used most. Fixture: one
 * Claude Code turn recorded by hooks and a gateway, its requests sent with `User-Agent: claude-cli/2.1.12
 * (external, cli)`, two answers from claude-sonnet-4-5 and one from claude-haiku-4-5.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionAgent, withSessionAgent } from '../src/atif/agent-identity.js';
import type { Step, Trajectory } from '../src/atif/types.js';
import { VERSION } from '../src/cli/version.js';
import { agentOfUserAgent } from '../src/hooks/agent-kind.js';
import { runCli } from './support/cli.js';
import { at, ev, uuid } from './support/events.js';

const FIX = 'agent-identity';
const FIXTURE = 'test/fixtures/fixes/agent-identity.ndjson';

async function agentOf(...flags: string[]): Promise<Trajectory['agent']> {
  const r = await runCli(['convert', FIXTURE, '-o', '-', '-q', '--no-observed-events', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Trajectory).agent;
}

describe(FIX, () => {
  it("names the session's agent, its version and the model its steps used most", async () => {
    assert.deepEqual(await agentOf(), { model_name: 'claude-sonnet-4-5', name: 'claude-code', version: '2.1.12' });
  });

  it('a flag still sets its field; the others still come from the session', async () => {
    assert.deepEqual(await agentOf('--agent-name', 'my-agent'), { model_name: 'claude-sonnet-4-5', name: 'my-agent', version: VERSION });
    assert.deepEqual(await agentOf('--agent-version', '9.9'), { model_name: 'claude-sonnet-4-5', name: 'claude-code', version: '9.9' });
    assert.deepEqual(await agentOf('--model-name', ''), { name: 'claude-code', version: '2.1.12' });
    assert.deepEqual(await agentOf('--model-name', 'm'), { model_name: 'm', name: 'claude-code', version: '2.1.12' });
  });

  it('without the fix (and in relay-0.3) the reference defaults', async () => {
    const defaults = { model_name: 'unknown', name: 'NeMo Relay', version: VERSION };
    assert.deepEqual(await agentOf('--no-fix', FIX), defaults);
    assert.deepEqual(await agentOf('--profile', 'relay-0.3'), defaults);
  });

  it('sessionAgent: the agent kind of the session layer first, else the User-Agent; the version only from a User-Agent naming that agent', () => {
    const scope = (n: number, kind: string) => ev({ uuid: uuid(n), name: 'turn', scope_category: 'start', timestamp: at(0), category: 'agent', metadata: { agent_kind: kind } });
    const call = (n: number, ua: string) => ev({ uuid: uuid(n), name: 'llm', scope_category: 'start', timestamp: at(1), category: 'llm', data: { headers: { 'User-Agent': ua }, content: {} } });
    assert.deepEqual(sessionAgent([scope(1, 'codex'), call(2, 'codex_cli_rs/0.46.0 (Mac OS 15.6.1; arm64) iTerm.app/3.6.1')]), { name: 'codex', version: '0.46.0' });
    assert.deepEqual(sessionAgent([scope(1, 'gateway'), call(2, 'claude-cli/2.1.12 (external, sdk-cli)')]), { name: 'claude-code', version: '2.1.12' }, 'a gateway-only session: the User-Agent');
    assert.deepEqual(sessionAgent([scope(1, 'hermes'), call(2, 'claude-cli/2.1.12 (external, cli)')]), { name: 'hermes' }, "another agent's version is not this one's");
    assert.deepEqual(sessionAgent([scope(1, 'cursor'), call(2, 'OpenAI/Python 1.99.1')]), { name: 'cursor' });
    assert.deepEqual(sessionAgent([call(2, 'OpenAI/Python 1.99.1')]), {}, 'an SDK names no agent');
    assert.deepEqual(agentOfUserAgent('codex_exec/0.50.0 (Ubuntu 24.4.0; x86_64) dumb'), { kind: 'codex', version: '0.50.0' });
    assert.equal(agentOfUserAgent('claude-cli'), undefined);
  });

  it('withSessionAgent: each embedded trajectory takes the model its own steps used most (the earliest on a tie); a named agent of no known version is unknown', () => {
    const step = (model: string): Step => ({ step_id: 1, source: 'agent', message: '', model_name: model });
    const shared = { name: 'NeMo Relay', version: '0.1.0', model_name: 'unknown' };
    const doc = (trajectory_id: string, steps: Step[], children?: Trajectory[]): Trajectory => ({
      schema_version: 'ATIF-v1.7',
      session_id: 's',
      trajectory_id,
      agent: shared,
      steps,
      final_metrics: { total_steps: steps.length },
      ...(children ? { subagent_trajectories: children } : {}),
    });
    const out = withSessionAgent(doc('root', [step('a'), step('b'), step('b')], [doc('child', [step('c'), step('d')])]), { name: 'claude-code' }, ['name', 'version', 'model_name']);
    assert.deepEqual(out.agent, { name: 'claude-code', version: 'unknown', model_name: 'b' });
    assert.deepEqual(out.subagent_trajectories?.[0].agent, { name: 'claude-code', version: 'unknown', model_name: 'c' });
    assert.deepEqual(shared, { name: 'NeMo Relay', version: '0.1.0', model_name: 'unknown' }, 'the configured agent every trajectory shared is not changed');
    assert.deepEqual(withSessionAgent(doc('root', [step('a')]), {}, ['name', 'version']).agent, shared, 'no agent known: the defaults stay');
  });
});
