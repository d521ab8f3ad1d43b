import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, runJson } from './support/cli.js';

/**
 * `explain --step` names the replay-side fixes that changed how a streamed answer was read (the SSE
 * assembly's and stream-error-body): the replay records them on the gateway call when their branch
 * changed the answer, and the step of that call's LLM end shows them beside the exporter's own.
 */
describe('explain --step: the fixes that changed how the answer was read', () => {
  const fixesOf = async (fix: string, step: number, ...flags: string[]) =>
    (await runJson<{ fixes?: string[] }>(['explain', `test/fixtures/fixes-raw/${fix}.ndjson`, '--step', String(step), '-q', ...flags])).fixes ?? [];

  const FIXES = [
    ...['chat-stream-parallel-tool-calls', 'chat-stream-tool-identity', 'chat-stream-refusal', 'chat-stream-reasoning'],
    ...['anthropic-stream-usage', 'anthropic-stream-thinking', 'anthropic-stream-empty-tool-input', 'anthropic-stream-stop-details'],
    ...['responses-stream-deltas', 'stream-error-answer', 'stream-error-body'],
  ];
  for (const fix of FIXES) {
    it(`${fix}: named on the agent step of the call it changed, not on its user step, and not when switched off`, async () => {
      assert.ok((await fixesOf(fix, 2)).includes(fix));
      assert.ok(!(await fixesOf(fix, 1)).includes(fix));
      assert.ok(!(await fixesOf(fix, 2, '--no-fix', fix)).includes(fix));
    });
  }

  it('a fix that was on but changed nothing is not named (a chat stream with one call per index)', async () => {
    // The refusal fixture's stream has no tool calls and no reasoning: those fixes are on and did nothing.
    const named = await fixesOf('chat-stream-refusal', 2);
    for (const idle of ['chat-stream-parallel-tool-calls', 'chat-stream-tool-identity', 'chat-stream-reasoning']) assert.ok(!named.includes(idle), idle);
    // The second call of the empty-tool-input fixture streams its tool's input: that fix did nothing there.
    assert.ok(!(await fixesOf('anthropic-stream-empty-tool-input', 3)).includes('anthropic-stream-empty-tool-input'));
    // A thinking-free Anthropic stream: the thinking fix is on and idle.
    assert.ok(!(await fixesOf('anthropic-stream-usage', 2)).includes('anthropic-stream-thinking'));
  });
});

/**
 * The replay's fixes that decided where a gateway call's steps are (a link of the session chain, an
 * owner rule) are named on both steps of the call: `--no-fix` puts them elsewhere.
 */
describe('explain --step: the fixes that placed a gateway call', () => {
  // The trajectory ids, as `--step` without `--trajectory` lists them when there are several.
  const trajectories = async (fix: string): Promise<string[]> => {
    const listed = (await runCli(['explain', `test/fixtures/fixes-raw/${fix}.ndjson`, '--step', '1', '-q'])).stderr.split('\n').slice(1).map((l) => l.trim()).filter((l) => l !== '');
    if (listed.length > 0) return listed;
    const converted = await runCli(['convert', `test/fixtures/fixes-raw/${fix}.ndjson`, '-o', '-', '-q']);
    return [(JSON.parse(converted.stdout) as { session_id: string }).session_id];
  };
  const report = async (fix: string, trajectory: string, step: number) =>
    runJson<{ source: string; fixes?: string[] }>(['explain', `test/fixtures/fixes-raw/${fix}.ndjson`, '--step', String(step), '--trajectory', trajectory, '-q']);

  it('a session chain link of a fix (codex-client-metadata-session): on the user and the agent step of the call', async () => {
    const fix = 'codex-client-metadata-session';
    const [first] = await trajectories(fix);
    for (const step of [1, 2]) assert.ok((await report(fix, first, step)).fixes?.includes(fix), `step ${step}`);
    // The call's second request names no client-metadata session: the prompt-cache key placed it.
    assert.ok(!(await report(fix, first, 3)).fixes?.includes(fix));
  });

  it("an owner rule of a fix (claude-code-agent-header): on the subagent's steps, not on the parent's", async () => {
    const fix = 'claude-code-agent-header';
    const [parent, ...subagents] = await trajectories(fix);
    assert.ok(!(await report(fix, parent, 1)).fixes?.includes(fix));
    for (const t of subagents) for (const step of [1, 2]) assert.ok((await report(fix, t, step)).fixes?.includes(fix), `${t} step ${step}`);
  });

  it("a Codex compaction placed by its session_id header (codex-compact-session-header): on its boundary step", async () => {
    const fix = 'codex-compact-session-header';
    const [first] = await trajectories(fix);
    const boundary = await report(fix, first, 3);
    assert.equal(boundary.source, 'system');
    assert.ok(boundary.fixes?.includes(fix));
  });
});
