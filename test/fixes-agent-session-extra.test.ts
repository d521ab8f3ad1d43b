/**
 * Fix `agent-session-extra`: a trajectory's root `extra.agent_session` names the coding agent's
 * session its root scope belongs to. Claude Code and Codex sessions convert to one trajectory per
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
    assert.deepEqual(await extraOf(FIXTURE), [{ agent_session: { agent_kind: 'claude-code', session_id: '5b8f1c2e-claude', turn_index: 3 } }]);
    assert.deepEqual(await extraOf(FIXTURE, '--profile', 'relay-0.3'), [undefined]);
    assert.deepEqual(await extraOf(FIXTURE, '--no-fix', 'agent-session-extra'), [undefined]);
  });

  it("groups a replayed session's turns: two trajectories, one session", async () => {
    const sessions = (await extraOf('test/fixtures/fixes-raw/claude-gateway-turn.ndjson')) as Array<{ agent_session: { session_id: string; turn_index: number } }>;
    assert.deepEqual(sessions.map((e) => [e.agent_session.session_id, e.agent_session.turn_index]), [['cc-race', 1], ['cc-race', 2]]);
  });

  it('sits beside the observed events when they are written', async () => {
    const r = await runCli(['convert', FIXTURE, '-o', '-', '-q']);
    assert.deepEqual(Object.keys((JSON.parse(r.stdout) as Trajectory).extra ?? {}), ['agent_session', 'observed_events']);
  });
});
