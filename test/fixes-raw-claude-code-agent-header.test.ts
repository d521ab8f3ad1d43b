/**
 * Fix `claude-code-agent-header`: a Claude Code subagent's request names its subagent by
 * `x-claude-code-agent-id` (the id its hooks carry as `agent_id`), while keeping the parent's
 * `x-claude-code-session-id`. Fixture: a prompt, the main call that launches two Explore subagents
 * with the Agent tool, both SubagentStarts, then one call from each (a first, b second), their
 * SubagentStops and the Agent results.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { gatewaySubagent } from '../src/gateway/identifiers.js';
import { headersFromObject } from '../src/ingest/records/headers.js';
import { runCli, runJson } from './support/cli.js';
import { attribution, rawFixture, registryAndProfileTests, SEED, type AttributionJson } from './support/fixes-raw.js';

const FIX = 'claude-code-agent-header';

type AttributionJsonWithFix = AttributionJson & { owner: AttributionJson['owner'] & { subagent_id?: string; fix?: string } };

/** Each subagent trajectory's steps as "source: message". */
async function subagentSteps(...flags: string[]): Promise<string[][]> {
  const r = await runCli(['convert', rawFixture(FIX), '-o', '-', '-q', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  const text = (m: unknown) => (typeof m === 'string' ? m : (m as Array<{ text: string }>).map((p) => p.text).join(''));
  return ((JSON.parse(r.stdout) as Trajectory).subagent_trajectories ?? []).map((t) => t.steps.map((s) => `${s.source}: ${text(s.message)}`));
}

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 gives both subagents\' calls to the one that started last (the sticky owner); the fix each to its own', async () => {
    for (const [capture, id] of [['cap-a', 'a7f3c1e'], ['cap-b', 'b92d4a0']]) {
      const seed = (await attribution(FIX, capture, ...SEED)) as AttributionJsonWithFix;
      assert.deepEqual([seed.owner.rule, seed.owner.status, seed.owner.subagent_id], ['STICKY_OWNER', 'subagent_start', 'b92d4a0'], capture);
      const fixed = (await attribution(FIX, capture)) as AttributionJsonWithFix;
      assert.deepEqual([fixed.owner.rule, fixed.owner.status, fixed.owner.subagent_id, fixed.owner.fix], ['EXPLICIT_SUBAGENT', 'explicit', id, FIX], capture);
    }
    const human = (await runCli(['explain', rawFixture(FIX), '--request', 'cap-a', '-q', '--no-color'])).stdout;
    assert.match(human, /the Claude Code agent the request names \(x-claude-code-agent-id\); changed by fix: claude-code-agent-header/);
  });

  it("so subagent a's task and answer are in a's trajectory, not in b's", async () => {
    const seed = await subagentSteps(...SEED);
    assert.deepEqual(seed, [['user: Check a.ts for TODOs.', 'user: Check b.ts for TODOs.', 'agent: One TODO in a.ts, line 3.', 'agent: No TODOs in b.ts.']]);
    assert.deepEqual(await subagentSteps('--profile', 'relay-0.3', '--fix', FIX), [
      ['user: Check a.ts for TODOs.', 'agent: One TODO in a.ts, line 3.'],
      ['user: Check b.ts for TODOs.', 'agent: No TODOs in b.ts.'],
    ]);
  });

  it('the header is read on the Anthropic routes only, after x-nemo-relay-subagent-id, and only with the fix', () => {
    const read = (headers: Record<string, string>, route: 'AnthropicMessages' | 'AnthropicCountTokens' | 'OpenAiChatCompletions' = 'AnthropicMessages', fix = true) =>
      gatewaySubagent({ headers: headersFromObject(headers), body: {} }, route, false, fix);
    const agent = { 'x-claude-code-agent-id': 'a7f3c1e', 'x-claude-code-parent-agent-id': 'main' };
    assert.deepEqual(read(agent), { id: 'a7f3c1e', source: 'claude-code-agent' });
    assert.deepEqual(read(agent, 'AnthropicCountTokens'), { id: 'a7f3c1e', source: 'claude-code-agent' });
    assert.equal(read(agent, 'OpenAiChatCompletions'), undefined);
    assert.equal(read(agent, 'AnthropicMessages', false), undefined);
    assert.deepEqual(read({ ...agent, 'x-nemo-relay-subagent-id': 'w1' }), { id: 'w1', source: 'header' });
    assert.equal(read({ 'x-claude-code-parent-agent-id': 'main' }), undefined, 'the main agent sends no agent id');
  });

  it('a header naming no active subagent (no hooks for it) leaves the call to the other rules, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-header-'));
    const file = join(dir, 'lone-call.ndjson');
    writeFileSync(file, JSON.stringify({
      record: 'gateway', id: 'cap-x', started_at: '2026-06-01T09:00:00.000Z', ended_at: '2026-06-01T09:00:01.000Z', method: 'POST', path: '/v1/messages',
      headers: { 'content-type': 'application/json', 'x-claude-code-session-id': 's', 'x-claude-code-agent-id': 'gone' },
      body: { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hello' }] } },
    }) + '\n');
    type Skips = { owner: { skipped: Array<{ rule: string; reason: string }> } };
    const report = await runJson<{ requests: Array<AttributionJsonWithFix & Skips> }>(['explain', file, '--request', 'cap-x']).finally(() => rmSync(dir, { recursive: true }));
    const [r] = report.requests;
    assert.notEqual(r.owner.rule, 'EXPLICIT_SUBAGENT');
    assert.equal(r.owner.subagent_id, undefined);
    assert.match(r.owner.skipped.find((s) => s.rule === 'EXPLICIT_SUBAGENT')!.reason, /subagent gone \(from the x-claude-code-agent-id header\) is not active/);
  });
});
