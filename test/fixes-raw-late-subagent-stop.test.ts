/**
 * Fix `late-subagent-stop` (NeMo-Relay #213, 8a852b241): a Claude Code SubagentStop for a subagent
 * never started, with no turn open, is dropped instead of opening a turn. Fixture: a turn in which an
 * unknown subagent stops (still a mark), then, 34 s after the turn's Stop, the stop of the
 * background subagent the turn launched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { runCli } from './support/cli.js';
import { events, rawFixture, registryAndProfileTests, SEED, starts } from './support/fixes-raw.js';
import { agentStarted, Harness, promptSubmitted, subagentEnded, turnEnded } from './fixtures/sessions/harness.js';
import type { AgentKind } from '../src/hooks/index.js';

const FIX = 'late-subagent-stop';

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 opens a second turn for the late stop; the fix keeps the one turn and its mark', async () => {
    const turns = async (...flags: string[]) => starts(await events(FIX, ...flags), 'agent').map((e) => e.metadata?.hook_event_name);
    assert.deepEqual(await turns(...SEED), ['UserPromptSubmit', 'SubagentStop']);
    assert.deepEqual(await turns(), ['UserPromptSubmit']);
    const marks = async (...flags: string[]) => (await events(FIX, ...flags)).filter((e) => e.kind === 'mark').map((e) => (e.data as { agent_id?: string }).agent_id);
    assert.deepEqual(await marks(...SEED), ['a-unknown', 'a91f']);
    assert.deepEqual(await marks(), ['a-unknown'], 'inside the turn the stop is still the subagent_end_without_start mark');
  });

  it('so the output is one trajectory, and the dropped hook is counted and named', async () => {
    const count = async (...flags: string[]) => {
      const r = await runCli(['convert', rawFixture(FIX), '-o', '-', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      return { trajectories: r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Trajectory).steps.map((s) => s.source)), stderr: r.stderr };
    };
    const seed = await count(...SEED);
    assert.deepEqual(seed.trajectories, [['user', 'system', 'agent'], ['system']]);
    const fixed = await count();
    assert.deepEqual(fixed.trajectories, [['user', 'system', 'agent']]);
    assert.match(fixed.stderr, /1 hook produced no events, dropped as live: 1 for a Claude Code subagent never started, after its turn ended \(fix late-subagent-stop\); the first: .*late-subagent-stop\.ndjson:6: SubagentStop \(subagent_stop_after_turn\)/);
    const report = await runCli(['convert', rawFixture(FIX), '-o', '-', '--json']);
    assert.equal((JSON.parse(report.stderr) as { replay: { dropped_hooks_by_reason: Record<string, number> } }).replay.dropped_hooks_by_reason.subagent_stop_after_turn, 1);
  });
});

describe(`${FIX}: the session (library)`, () => {
  /** Whether an unknown subagent's end with no turn open opens a turn, for a session of this kind. */
  const opensTurn = (agentKind: AgentKind, lateSubagentStop: boolean): boolean => {
    const h = new Harness({ lateSubagentStop });
    h.apply([agentStarted({ sessionId: 's', agentKind }), promptSubmitted({ sessionId: 's', agentKind })]);
    h.apply([turnEnded({ sessionId: 's', agentKind })]);
    assert.equal(h.session('s').turnScope, undefined);
    h.apply([subagentEnded({ sessionId: 's', agentKind, subagentId: 'late' })]);
    return h.manager.sessions.get('s')?.turnScope !== undefined;
  };

  it('drops only a Claude Code session\'s stop; other agents keep relay-0.3\'s turn and mark', () => {
    assert.equal(opensTurn('claude-code', false), true);
    assert.equal(opensTurn('claude-code', true), false);
    for (const kind of ['codex', 'hermes', 'cursor'] as const) assert.equal(opensTurn(kind, true), true, kind);
  });
});
