/**
 * Fix `agent-session-extra`: a trajectory's root `extra.nemo_relay` names the coding agent's
 * session its root scope belongs to, where NeMo-Relay HEAD's exporter writes it (#437). Claude Code and Codex sessions convert to one trajectory per
 * turn, each named by its turn scope's uuid; this is what lets a reader put a session's turns back
 * together when the raw observed events are left out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { runCli } from './support/cli.js';

const FIXTURE = 'test/fixtures/fixes/agent-session-extra.ndjson';

async function extraOf(input: string, ...flags: string[]): Promise<unknown[]> {
  const r = await runCli(['convert', input, '-o', '-', '-q', '--no-observed-events', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((line) => (JSON.parse(line) as Trajectory).extra);
}

describe('agent-session-extra', () => {
  it("names the root turn's session, agent kind and turn index; relay-0.3 writes no root extra", async () => {
    assert.deepEqual(await extraOf(FIXTURE), [{ nemo_relay: { agent_kind: 'claude-code', session_id: '5b8f1c2e-claude', turn_index: 3 } }]);
    assert.deepEqual(await extraOf(FIXTURE, '--profile', 'relay-0.3'), [undefined]);
    assert.deepEqual(await extraOf(FIXTURE, '--no-fix', 'agent-session-extra'), [undefined]);
  });

  it("groups a replayed session's turns: two trajectories, one session", async () => {
    const sessions = (await extraOf('test/fixtures/fixes-raw/claude-gateway-turn.ndjson')) as Array<{ nemo_relay: { session_id: string; turn_index: number } }>;
    assert.deepEqual(sessions.map((e) => [e.nemo_relay.session_id, e.nemo_relay.turn_index]), [['cc-race', 1], ['cc-race', 2]]);
  });

  it("keeps the session instance and user NeMo-Relay's later session layer writes, each only as a string", async () => {
    // Two Codex agent scopes of one CLI lifecycle (session_instance_id), the second with a user_id that is no string.
    const instance = '01970000-0000-7000-8000-0000000000f0';
    assert.deepEqual(await extraOf('test/fixtures/fixes/agent-session-extra-identity.ndjson'), [
      { nemo_relay: { agent_kind: 'codex', session_id: '019a-codex', session_instance_id: instance, user_id: 'alice' } },
      { nemo_relay: { agent_kind: 'codex', session_id: '019a-codex', session_instance_id: instance } },
    ]);
  });

  it('sits beside the observed events when they are written', async () => {
    const r = await runCli(['convert', FIXTURE, '-o', '-', '-q']);
    assert.deepEqual(Object.keys((JSON.parse(r.stdout) as Trajectory).extra ?? {}), ['nemo_relay', 'observed_events']);
  });
});
