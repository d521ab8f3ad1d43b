/**
 * Fix `count-tokens-calls`: a call of Anthropic's token-counting endpoint is no inference. Fixture:
 * the replayed events of the bundled Claude Code sample's turn with a `POST /v1/messages/count_tokens`
 * of the first request's body just before it (answered `{"input_tokens": 1510}`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectLlmSpans } from '../src/dedupe/candidates.js';
import type { Trajectory } from '../src/atif/types.js';
import { isTokenCountCall } from '../src/providers/anthropic.js';
import { runCli, runJson } from './support/cli.js';
import { readNdjsonEvents } from './support/events.js';

const FIX = 'count-tokens-calls';
const FIXTURE = 'test/fixtures/fixes/count-tokens-calls.ndjson';

async function convert(...flags: string[]): Promise<Trajectory> {
  const r = await runCli(['convert', FIXTURE, '-o', '-', '-q', '--no-observed-events', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Trajectory;
}

const messages = (t: Trajectory) => t.steps.map((s) => [s.source, typeof s.message === 'string' ? s.message : JSON.stringify(s.message)]);

describe(FIX, () => {
  it('writes no step for the count; everything else is as without the fix', async () => {
    const [d, off, seed] = [await convert(), await convert('--no-fix', FIX), await convert('--profile', 'relay-0.3')];
    assert.deepEqual(messages(off).slice(0, 2), [
      ['user', '[{"text":"List the TypeScript files in src/","type":"text"}]'],
      ['agent', '{"input_tokens":1510}'],
    ]);
    assert.deepEqual(messages(seed)[1], ['agent', '{"input_tokens":1510}'], 'relay-0.3 too');
    assert.deepEqual(messages(d), messages(off).slice(2), 'the count wrote the first user and agent steps; the rest is the same');
    assert.deepEqual(
      d.steps.map((s) => s.metrics?.prompt_tokens),
      off.steps.slice(2).map((s) => s.metrics?.prompt_tokens),
    );
    const r = await runCli(['convert', FIXTURE, '-o', '-', '-q', '--validate']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('explain says why: not a dedupe candidate, and no step', async () => {
    const count = readNdjsonEvents(FIXTURE).find((e) => e.name === 'anthropic.count_tokens')!.uuid;
    const overview = await runCli(['explain', FIXTURE, '-q']);
    assert.match(overview.stdout, /Not candidates \(1\): never compared, passed through as is; a token count writes no step/);
    assert.match(overview.stdout, /anthropic\.count_tokens +NOT_CANDIDATE_TOKEN_COUNT/);
    const span = await runJson<{ eligibility: string }>(['explain', FIXTURE, '--span', count]);
    assert.equal(span.eligibility, 'NOT_CANDIDATE_TOKEN_COUNT');
    const off = await runJson<{ eligibility: string }>(['explain', FIXTURE, '--span', count, '--no-fix', FIX]);
    assert.equal(off.eligibility, 'CANDIDATE');
  });

  it('the dedupe pass never compares a token count (it could stand in for the call it measured)', () => {
    const events = readNdjsonEvents(FIXTURE);
    const eligibility = (tokenCountCalls: boolean) => collectLlmSpans(events, { rules: { tokenCountCalls } }).map((s) => [s.name, s.eligibility]);
    assert.deepEqual(eligibility(true), [
      ['anthropic.count_tokens', 'NOT_CANDIDATE_TOKEN_COUNT'],
      ['anthropic.messages', 'CANDIDATE'],
      ['anthropic.messages', 'CANDIDATE'],
    ]);
    assert.deepEqual(eligibility(false)[0], ['anthropic.count_tokens', 'CANDIDATE']);
    assert.equal(isTokenCountCall('anthropic.count_tokens'), true);
    assert.equal(isTokenCountCall('anthropic.messages'), false);
  });
});
