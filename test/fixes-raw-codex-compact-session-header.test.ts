/**
 * Fix `codex-compact-session-header`: Codex's remote compaction request (route of fix
 * `responses-compact-calls`) has no client metadata in its body, so neither Codex link of the chain
 * reads it, but Codex names its thread in a `session_id` header. Fixture: two Codex sessions open at
 * once, `codex-a` and `codex-b`; codex-a's context is compacted between its two calls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveGatewaySession, type GatewaySessionResolution } from '../src/gateway/session-chain.js';
import { headersFromObject } from '../src/ingest/records/headers.js';
import type { Json } from '../src/json/value.js';
import type { Trajectory } from '../src/atif/types.js';
import { runCli } from './support/cli.js';
import { attribution, rawFixture, registryAndProfileTests } from './support/fixes-raw.js';

const FIX = 'codex-compact-session-header';
const OFF = ['--no-fix', FIX];
const rejected = (r: { rejected: GatewaySessionResolution['rejected'] | Array<{ link: string; reason: string }> }) => r.rejected.map((x) => `${x.link}:${x.reason}`);

/** The trajectories `convert` writes for the fixture, as NDJSON on stdout. */
async function trajectories(...flags: string[]): Promise<Trajectory[]> {
  const r = await runCli(['convert', rawFixture(FIX), '-o', '-', '-q', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((line) => JSON.parse(line) as Trajectory);
}

const shape = (t: Trajectory) => t.steps.map((s) => (s.extra?.context_management ? 'compaction' : s.source));

describe(FIX, () => {
  // The compaction route exists only with responses-compact-calls.
  registryAndProfileTests(FIX, ['responses-compact-calls']);

  it('the compaction call is attributed to the thread its session_id header names', async () => {
    const fixed = await attribution(FIX, 'cap-compact');
    assert.deepEqual([fixed.chain.link, fixed.chain.session_id, fixed.chain.fix], ['CODEX_COMPACT_SESSION_HEADER', 'codex-a', FIX]);
    assert.equal(fixed.selection.created_session, false);
    // Without it, two sessions are open, so the fallback cannot pick one: the shared gateway session.
    const off = await attribution(FIX, 'cap-compact', ...OFF);
    assert.equal(off.chain.link, undefined);
    assert.equal(off.selection.session_id, 'gateway-gateway');
  });

  it('the compaction boundary is written in codex-a between its two answers, not in a trajectory of its own', async () => {
    const fixed = await trajectories();
    assert.deepEqual(fixed.map(shape), [['user', 'agent', 'compaction', 'agent'], ['user', 'agent']]);
    const off = await trajectories(...OFF);
    assert.deepEqual(off.map(shape), [['user', 'agent', 'agent'], ['user', 'agent'], ['compaction']]);
  });

  it('the run summary no longer reports an unattributed call', async () => {
    const r = await runCli(['convert', rawFixture(FIX), '-o', '-']);
    assert.doesNotMatch(r.stderr, /named no session/);
    assert.match((await runCli(['convert', rawFixture(FIX), '-o', '-', ...OFF])).stderr, /1 gateway call named no session/);
  });

  it('explain --request names the link and the fix', async () => {
    const human = (await runCli(['explain', rawFixture(FIX), '--request', 'cap-compact', '-q', '--no-color'])).stdout;
    assert.match(human, /5 CODEX_COMPACT_SESSION_HEADER\s+chose "codex-a"/);
    assert.match(human, /6 OPENAI_BODY_SESSION_ID\s+not reached/);
    assert.match(human, /changed by fix: codex-compact-session-header/);
  });
});

describe(`${FIX}: the chain link (library)`, () => {
  const options = { codexClientMetadataSession: true, codexCompactSessionHeader: true };
  const resolve = (body: Json, headers: Record<string, string>, route: 'OpenAiResponses' | 'OpenAiResponsesCompact' = 'OpenAiResponsesCompact') =>
    resolveGatewaySession({ headers: headersFromObject(headers), body }, route, options);
  const compactBody = { model: 'gpt-5-codex', input: [], instructions: 'You are Codex.' };

  it('reads the header after the Codex body links and before the body session_id', () => {
    const r = resolve(compactBody, { session_id: 'thread-1' });
    assert.deepEqual([r.link, r.sessionId], ['CODEX_COMPACT_SESSION_HEADER', 'thread-1']);
    assert.deepEqual(r.links, ['HEADER_RELAY_SESSION_ID', 'HEADER_CLAUDE_CODE_SESSION_ID', 'CODEX_CLIENT_METADATA_SESSION_ID', 'CODEX_PROMPT_CACHE_KEY', 'CODEX_COMPACT_SESSION_HEADER', 'OPENAI_BODY_SESSION_ID']);
    assert.deepEqual(rejected(r).slice(2), ['CODEX_CLIENT_METADATA_SESSION_ID:CODEX_INSTALLATION_ID_MISSING', 'CODEX_PROMPT_CACHE_KEY:CODEX_INSTALLATION_ID_MISSING']);
    // A compaction body that does carry Codex client metadata is read as Codex's other requests are.
    const withMetadata = resolve({ ...compactBody, prompt_cache_key: 'thread-1', client_metadata: { 'x-codex-installation-id': 'i', session_id: 'root' } }, { session_id: 'thread-1' });
    assert.deepEqual([withMetadata.link, withMetadata.sessionId], ['CODEX_CLIENT_METADATA_SESSION_ID', 'root']);
  });

  it('only on the compaction route: a session_id header elsewhere is no known convention', () => {
    const r = resolve({ session_id: 'body' }, { session_id: 'thread-1' }, 'OpenAiResponses');
    assert.deepEqual([r.link, r.sessionId], ['OPENAI_BODY_SESSION_ID', 'body']);
    assert.equal(rejected(r).at(-1), 'CODEX_COMPACT_SESSION_HEADER:ROUTE_NOT_RESPONSES_COMPACT');
  });

  it('an absent or empty header is rejected with its reason', () => {
    assert.equal(rejected(resolve(compactBody, {})).at(-2), 'CODEX_COMPACT_SESSION_HEADER:HEADER_ABSENT');
    assert.equal(rejected(resolve(compactBody, { session_id: '  ' })).at(-2), 'CODEX_COMPACT_SESSION_HEADER:HEADER_EMPTY');
  });

  it('without the option the link is not in the chain', () => {
    const r = resolveGatewaySession({ headers: headersFromObject({ session_id: 'thread-1' }), body: compactBody }, 'OpenAiResponsesCompact');
    assert.equal(r.link, undefined);
    assert.ok(!r.links.includes('CODEX_COMPACT_SESSION_HEADER'));
  });
});
