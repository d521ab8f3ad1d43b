/**
 * Fix `responses-compact-calls`: a capture of OpenAI's compaction endpoint (`POST /v1/responses/compact`,
 * which Codex calls when its context fills up or on `/compact`) is read as an LLM call, not skipped as
 * an unsupported route, and written as compaction-steps writes Claude Code's compaction: a system step
 * with the ATIF v1.7 §VII marker where the call was made, referring to the call as a child trajectory
 * that holds its model and tokens. Fixture: a Codex turn compacted mid-task (its next request sends the
 * kept user message and the compaction item, no new prompt), a second turn whose input starts from the
 * compacted window, and the user's /compact between turns recorded as a HAR entry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { compactCallRuns } from '../src/atif/side-runs.js';
import { extractResponseMessage } from '../src/providers/response.js';
import { routeForPath } from '../src/gateway/routes.js';
import { runCli } from './support/cli.js';
import { at, ev, uuid } from './support/events.js';
import { convertAll } from './support/fixes.js';
import { attribution, events, rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'responses-compact-calls';
const BOUNDARY = { boundary: 'replace', type: 'compaction' };

/** The trajectory that holds a step with this message (turns are trajectories of their own). */
const holding = (list: Trajectory[], message: string) => list.find((t) => t.steps.some((s) => s.message === message))!;

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 skips both compaction calls as unsupported routes; the fix reads them as LLM calls of the Codex session', async () => {
    const seed = await runCli(['convert', rawFixture(FIX), '-o', '-', ...SEED]);
    assert.match(seed.stderr, /skipped unsupported-route: 2 line\(s\).*\/v1\/responses\/compact/);
    assert.equal((await events(FIX, ...SEED)).filter((e) => e.name === 'openai.responses.compact').length, 0);
    const starts = (await events(FIX)).filter((e) => e.name === 'openai.responses.compact' && e.scope_category === 'start');
    assert.equal(starts.length, 2, 'the compact record and the HAR entry');
    // Codex's compact body has no client_metadata: the chain names no session, the session fallback does.
    const auto = await attribution(FIX, 'cap-compact-auto');
    assert.deepEqual([auto.selection.rule, auto.selection.session_id], ['SINGLE_ACTIVE_SESSION', 'codex-compact']);
  });

  it('the mid-task compaction is a §VII boundary step in the turn, in order, referring to the run with its model and tokens', async () => {
    const list = await convertAll(rawFixture(FIX));
    const turn = holding(list, 'Fix the failing date test');
    assert.deepEqual(
      turn.steps.map((s) => [s.source, s.message]),
      [
        ['user', 'Fix the failing date test'],
        ['agent', ''],
        ['system', 'Context compacted (POST /v1/responses/compact)'],
        // The request after it re-sends the kept user message and the compaction item: no user step again.
        ['agent', 'Fixed: the test now builds its dates in UTC.'],
      ],
    );
    const boundary = turn.steps[2];
    assert.deepEqual(boundary.extra?.context_management, BOUNDARY);
    const runId = `${turn.trajectory_id}-compaction-1`;
    assert.deepEqual(boundary.observation?.results, [{ subagent_trajectory_ref: [{ trajectory_id: runId }] }]);
    const run = turn.subagent_trajectories?.find((t) => t.trajectory_id === runId);
    assert.deepEqual(run?.extra, { compaction_run: true });
    assert.equal(run.steps.length, 1, 'no user step of the history the compact request sends');
    const [step] = run.steps;
    // The summary is encrypted: no message, not the response.compaction object as JSON.
    assert.deepEqual([step.source, step.message, step.model_name], ['agent', '', 'gpt-5-codex']);
    assert.deepEqual([step.metrics?.prompt_tokens, step.metrics?.completion_tokens, step.metrics?.cached_tokens], [90100, 1200, 89600]);
    assert.equal((step.extra?.llm_request as { prompt_cache_key: string }).prompt_cache_key, 'codex-compact');
    assert.equal((step.extra?.llm_response as { object: string }).object, 'response.compaction');
  });

  it("the next turn's request, whose input starts from the compacted window, writes only the new prompt", async () => {
    const turn = holding(await convertAll(rawFixture(FIX)), 'Now add a leap-year test');
    assert.deepEqual(
      turn.steps.map((s) => s.source),
      ['user', 'agent'],
    );
  });

  it("the user's /compact between turns (a HAR entry) is a boundary step of its own turn", async () => {
    const list = await convertAll(rawFixture(FIX));
    const manual = list.find((t) => t.steps.length === 1 && t.steps[0].source === 'system')!;
    assert.deepEqual(manual.steps[0].extra?.context_management, BOUNDARY);
    const run = manual.subagent_trajectories![0];
    assert.deepEqual([run.steps[0].metrics?.prompt_tokens, run.steps[0].metrics?.completion_tokens], [2300, 400]);
  });

  it('relay-0.3 writes the repeated prompt again and no compaction', async () => {
    const turn = holding(await convertAll(rawFixture(FIX), ...SEED), 'Fix the failing date test');
    assert.equal(turn.steps.filter((s) => s.message === 'Fix the failing date test').length, 2);
    assert.ok(!turn.steps.some((s) => s.source === 'system'));
  });

  it('every trajectory is valid ATIF', async () => {
    const r = await runCli(['convert', rawFixture(FIX), '-o', '-', '-q', '--validate']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('routes the endpoint only with the fix, and a ChatGPT-signed-in Codex path only with provider-api-paths too', () => {
    assert.equal(routeForPath('/v1/responses/compact'), undefined);
    assert.equal(routeForPath('/v1/responses/compact', { responsesCompact: true })?.kind, 'OpenAiResponsesCompact');
    assert.equal(routeForPath('/responses/compact', { responsesCompact: true })?.kind, 'OpenAiResponsesCompact');
    assert.equal(routeForPath('/backend-api/codex/responses/compact', { responsesCompact: true }), undefined);
    assert.equal(routeForPath('/backend-api/codex/responses/compact', { responsesCompact: true, providerApiPaths: true })?.kind, 'OpenAiResponsesCompact');
    assert.equal(routeForPath('/backend-api/codex/responses', { responsesCompact: true, providerApiPaths: true })?.kind, 'OpenAiResponses');
  });

  it('a compaction call is a run only when it was answered with the compacted window', () => {
    const call = (n: number, t: number, name: string, answer: unknown) => [
      ev({ uuid: uuid(n), parent_uuid: uuid(1), timestamp: at(t), name, scope_category: 'start', category: 'llm', data: { input: [] } }),
      ev({ uuid: uuid(n), parent_uuid: uuid(1), timestamp: at(t + 1), name, scope_category: 'end', category: 'llm', data: answer }),
    ];
    const compacted = { object: 'response.compaction', output: [{ type: 'compaction', encrypted_content: 'x' }] };
    const items = [
      ...call(2, 0, 'openai.responses.compact', compacted),
      // A 400 (input too large) replaced nothing: it stays an ordinary call of the agent.
      ...call(3, 2, 'openai.responses.compact', { error: { type: 'invalid_request_error', message: 'too large' } }),
      ...call(4, 4, 'openai.responses', compacted),
    ];
    assert.deepEqual(compactCallRuns(items).map((r) => [r.mark.uuid, r.events.length, r.call]), [[uuid(2), 2, true]]);
  });

  it('reads a response.compaction object as no message only under the rule', () => {
    const compaction = { id: 'resp_c', object: 'response.compaction', output: [{ type: 'compaction', id: 'cmp', encrypted_content: 'x' }] };
    assert.deepEqual(extractResponseMessage(compaction, { responsesCompaction: true }), { value: '', branch: 'RESP_RESPONSES_COMPACTION' });
    assert.equal(extractResponseMessage(compaction).branch, 'RESP_WHOLE_BODY');
    // A plain Responses answer is read as before.
    const answer = { object: 'response', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] }] };
    assert.deepEqual(extractResponseMessage(answer, { responsesCompaction: true }).value, 'hi');
  });
});
