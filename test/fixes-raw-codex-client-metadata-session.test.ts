/**
 * Fix `codex-client-metadata-session` (NeMo-Relay #395, relay-cli.md §5.3): on a Codex Responses
 * request, `client_metadata.session_id` (the session its hooks carry) is read before
 * `prompt_cache_key` (its rollout/thread id). Fixture: a Codex session `codex-root` whose first
 * request names it in client metadata and a rollout id as prompt-cache key; a second request of an
 * older client carries only the prompt-cache key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveGatewaySession, type GatewaySessionResolution } from '../src/gateway/session-chain.js';
import { headersFromObject } from '../src/ingest/records/headers.js';
import type { Json } from '../src/json/value.js';
import { runCli, runJson } from './support/cli.js';
import { attribution, events, rawFixture, registryAndProfileTests, SEED, starts, type AttributionJson } from './support/fixes-raw.js';
import { gatewaySubagent } from '../src/gateway/identifiers.js';

const FIX = 'codex-client-metadata-session';
const rejected = (r: { rejected: GatewaySessionResolution['rejected'] | Array<{ link: string; reason: string }> }) => r.rejected.map((x) => `${x.link}:${x.reason}`);
const HEADERS_ABSENT = ['HEADER_RELAY_SESSION_ID:HEADER_ABSENT', 'HEADER_CLAUDE_CODE_SESSION_ID:HEADER_ABSENT'];

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 attributes the call to its prompt-cache key, a session of its own; the fix to the hook session', async () => {
    const seed = await attribution(FIX, 'cap-meta', ...SEED);
    assert.deepEqual([seed.chain.link, seed.chain.session_id, seed.selection.created_session], ['CODEX_PROMPT_CACHE_KEY', 'rollout-thread-7', true]);
    assert.equal(seed.chain.fix, undefined);
    const fixed = await attribution(FIX, 'cap-meta');
    assert.deepEqual([fixed.chain.link, fixed.chain.session_id, fixed.selection.created_session], ['CODEX_CLIENT_METADATA_SESSION_ID', 'codex-root', false]);
    assert.equal(fixed.chain.fix, FIX);
    // The links before the new one were rejected for the same reasons in both profiles.
    assert.deepEqual(rejected(seed.chain), HEADERS_ABSENT);
    assert.deepEqual(rejected(fixed.chain), HEADERS_ABSENT);
  });

  it('a request without client_metadata.session_id records the rejection and still uses the prompt-cache key', async () => {
    const fixed = await attribution(FIX, 'cap-old');
    assert.deepEqual([fixed.chain.link, fixed.chain.session_id, fixed.chain.fix], ['CODEX_PROMPT_CACHE_KEY', 'codex-root', undefined]);
    assert.deepEqual(rejected(fixed.chain), [...HEADERS_ABSENT, 'CODEX_CLIENT_METADATA_SESSION_ID:CLIENT_METADATA_SESSION_ID_ABSENT']);
    assert.deepEqual(rejected((await attribution(FIX, 'cap-old', ...SEED)).chain), HEADERS_ABSENT);
  });

  it('in the replay, the first call sits in the turn of codex-root instead of a turn of rollout-thread-7', async () => {
    for (const [flags, session] of [[SEED, 'rollout-thread-7'], [[], 'codex-root']] as const) {
      const list = await events(FIX, ...flags);
      const turns = new Map(starts(list, 'agent').map((e) => [e.uuid, e.metadata?.session_id]));
      const firstLlm = starts(list, 'llm')[0];
      assert.equal(turns.get(firstLlm.parent_uuid as string), session, flags.join(' ') || 'default');
    }
  });

  it('explain --request names the new link and the fix; relay-0.3 shows its four links', async () => {
    const human = (await runCli(['explain', rawFixture(FIX), '--request', 'cap-meta', '-q', '--no-color'])).stdout;
    assert.match(human, /3 CODEX_CLIENT_METADATA_SESSION_ID\s+chose "codex-root"/);
    assert.match(human, /4 CODEX_PROMPT_CACHE_KEY\s+not reached/);
    assert.match(human, /changed by fix: codex-client-metadata-session/);
    const seed = (await runCli(['explain', rawFixture(FIX), '--request', 'cap-meta', '-q', '--no-color', ...SEED])).stdout;
    assert.match(seed, /3 CODEX_PROMPT_CACHE_KEY\s+chose "rollout-thread-7"/);
    assert.doesNotMatch(seed, /CODEX_CLIENT_METADATA_SESSION_ID|changed by fix/);
  });
});

describe(`${FIX}: the chain link (library)`, () => {
  const codex = (clientMetadata: Record<string, Json>, extra: Record<string, Json> = {}) => ({
    prompt_cache_key: 'thread',
    client_metadata: { 'x-codex-installation-id': 'install-1', ...clientMetadata },
    ...extra,
  });
  const resolve = (body: Json, headers: Record<string, string> = {}, route: 'OpenAiResponses' | 'OpenAiChatCompletions' = 'OpenAiResponses') =>
    resolveGatewaySession({ headers: headersFromObject(headers), body }, route, { codexClientMetadataSession: true });

  it('reads client_metadata.session_id string-like, as HEAD json_string_at does', () => {
    assert.equal(resolve(codex({ session_id: 'root' })).sessionId, 'root');
    assert.equal(resolve(codex({ session_id: 42 })).sessionId, '42');
  });

  it('a null, empty or object session id is rejected with its reason, and the prompt-cache key decides', () => {
    for (const value of [null, '', { id: 'x' }]) {
      const r = resolve(codex({ session_id: value }));
      assert.deepEqual([r.link, r.sessionId], ['CODEX_PROMPT_CACHE_KEY', 'thread']);
      assert.deepEqual(rejected(r).at(-1), 'CODEX_CLIENT_METADATA_SESSION_ID:CLIENT_METADATA_SESSION_ID_NOT_STRING_LIKE');
    }
  });

  it('only on Codex requests: without the installation id or off Responses both Codex links are rejected, each under its own name', () => {
    // HEAD's responses_session_id checks the route and the installation id before reading either field.
    const body = { prompt_cache_key: 'thread', client_metadata: { session_id: 'root' }, session_id: 'body' };
    const noInstallation = resolve(body);
    assert.deepEqual([noInstallation.link, noInstallation.sessionId], ['OPENAI_BODY_SESSION_ID', 'body']);
    assert.deepEqual(rejected(noInstallation), [...HEADERS_ABSENT, 'CODEX_CLIENT_METADATA_SESSION_ID:CODEX_INSTALLATION_ID_MISSING', 'CODEX_PROMPT_CACHE_KEY:CODEX_INSTALLATION_ID_MISSING']);
    const [metadata, cacheKey] = noInstallation.rejected.slice(2).map((r) => r.detail);
    assert.match(metadata, /so client_metadata\.session_id is not a Codex session id$/);
    assert.match(cacheKey, /so prompt_cache_key is not a Codex thread id$/);
    const chat = resolve(codex({ session_id: 'root' }, { session_id: 'body' }), {}, 'OpenAiChatCompletions');
    assert.deepEqual(rejected(chat), [...HEADERS_ABSENT, 'CODEX_CLIENT_METADATA_SESSION_ID:ROUTE_NOT_OPENAI_RESPONSES', 'CODEX_PROMPT_CACHE_KEY:ROUTE_NOT_OPENAI_RESPONSES']);
    // The session ids are relay-0.3's: the link only adds its rejection.
    const seed = resolveGatewaySession({ headers: headersFromObject({}), body }, 'OpenAiResponses');
    assert.deepEqual([seed.link, seed.sessionId], [noInstallation.link, noInstallation.sessionId]);
  });

  it('every resolution lists the links of its chain in order, the fix\'s link among them', () => {
    const links = ['HEADER_RELAY_SESSION_ID', 'HEADER_CLAUDE_CODE_SESSION_ID', 'CODEX_CLIENT_METADATA_SESSION_ID', 'CODEX_PROMPT_CACHE_KEY', 'OPENAI_BODY_SESSION_ID'];
    assert.deepEqual(resolve(codex({ session_id: 'root' }), { 'x-nemo-relay-session-id': 'explicit' }).links, links);
    assert.deepEqual(resolve({ session_id: 'body' }, {}, 'OpenAiChatCompletions').links, links);
    assert.deepEqual(resolveGatewaySession({ headers: headersFromObject({}), body: null }, 'OpenAiResponses').links, links.filter((l) => l !== 'CODEX_CLIENT_METADATA_SESSION_ID'));
  });

  it('the session headers still come first', () => {
    const r = resolve(codex({ session_id: 'root' }), { 'x-nemo-relay-session-id': 'explicit' });
    assert.deepEqual([r.link, r.sessionId, r.fix], ['HEADER_RELAY_SESSION_ID', 'explicit', undefined]);
  });

  it('without the option the chain is relay-0.3\'s', () => {
    const r = resolveGatewaySession({ headers: headersFromObject({}), body: codex({ session_id: 'root' }) }, 'OpenAiResponses');
    assert.deepEqual([r.link, r.sessionId, rejected(r)], ['CODEX_PROMPT_CACHE_KEY', 'thread', HEADERS_ABSENT]);
  });
});

/**
 * HEAD's #395 has two halves: the root session id from `client_metadata.session_id`, and, for a
 * thread-spawned subagent's request (`client_metadata["x-openai-subagent"]: "collab_spawn"`), the
 * subagent from `client_metadata.thread_id`. With the first half alone, a child thread's request
 * joined the root session with no subagent named and went to whichever subagent the sticky owner
 * held: in the fixture, two helper threads run at once and the first helper's call (its prompt,
 * its answer) landed in the second helper's trajectory.
 */
describe(`${FIX}: Codex child threads`, () => {
  const THREADS = 'test/fixtures/fixes-raw/codex-client-metadata-session-threads.ndjson';
  const trajectory = async (...flags: string[]) => {
    const r = await runCli(['convert', THREADS, '-q', '--no-observed-events', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { subagent_trajectories?: Array<{ steps: Array<{ source: string; message: unknown }> }> };
  };
  const stepsByChild = (t: Awaited<ReturnType<typeof trajectory>>) => (t.subagent_trajectories ?? []).map((c) => c.steps.map((s) => `${s.source}:${String(s.message)}`));
  const EACH_HELPER_ITS_OWN = [
    ['user:helper one: audit the parser module now', 'agent:parser ok'],
    ['user:helper two: audit the lexer module now', 'agent:lexer ok'],
  ];

  it('each helper thread\'s call is owned by its own subagent, as under relay-0.3 (its prompt-cache key is the child session)', async () => {
    assert.deepEqual(stepsByChild(await trajectory()), EACH_HELPER_ITS_OWN);
    assert.deepEqual(stepsByChild(await trajectory(...SEED)), EACH_HELPER_ITS_OWN);
  });

  it('explain --request: the root session by client metadata, the subagent by thread_id, both changed by the fix', async () => {
    const report = await runJson<{ requests: Array<AttributionJsonWithFix> }>(['explain', THREADS, '--request', 'cap-child-1']);
    const [a] = report.requests;
    assert.deepEqual([a.chain.session_id, a.owner.rule, a.owner.status, a.owner.subagent_id, a.owner.fix], ['thread-root', 'EXPLICIT_SUBAGENT', 'explicit', 'thread-child-1', FIX]);
    const human = (await runCli(['explain', THREADS, '--request', 'cap-child-1', '-q', '--no-color'])).stdout;
    assert.match(human, /client_metadata\.thread_id\); changed by fix: codex-client-metadata-session/);
    // relay-0.3 reaches the same subagent through the alias of the child session, and names no fix.
    const [seed] = (await runJson<{ requests: Array<AttributionJsonWithFix> }>(['explain', THREADS, '--request', 'cap-child-1', ...SEED])).requests;
    assert.deepEqual([seed.chain.session_id, seed.owner.subagent_id, seed.owner.fix], ['thread-child-1', 'thread-child-1', undefined]);
  });

  it('the thread id is read only from a Codex collab_spawn request on the Responses route, and the header comes first', () => {
    const body = (clientMetadata: Record<string, Json>) => ({ client_metadata: { 'x-codex-installation-id': 'install-1', session_id: 'root', thread_id: 'child', ...clientMetadata } });
    const read = (b: Json, route: 'OpenAiResponses' | 'OpenAiChatCompletions' = 'OpenAiResponses', headers: Record<string, string> = {}, fix = true) =>
      gatewaySubagent({ headers: headersFromObject(headers), body: b }, route, fix);
    assert.deepEqual(read(body({ 'x-openai-subagent': 'collab_spawn' })), { id: 'child', source: 'codex-thread' });
    assert.equal(read(body({ 'x-openai-subagent': 'review' })), undefined);
    assert.equal(read(body({})), undefined);
    assert.equal(read(body({ 'x-openai-subagent': 'collab_spawn', 'x-codex-installation-id': '' })), undefined);
    assert.equal(read(body({ 'x-openai-subagent': 'collab_spawn' }), 'OpenAiChatCompletions'), undefined);
    assert.equal(read(body({ 'x-openai-subagent': 'collab_spawn' }), 'OpenAiResponses', {}, false), undefined);
    assert.deepEqual(read(body({ 'x-openai-subagent': 'collab_spawn' }), 'OpenAiResponses', { 'x-nemo-relay-subagent-id': 'w1' }), { id: 'w1', source: 'header' });
  });
});

type AttributionJsonWithFix = AttributionJson & { owner: AttributionJson['owner'] & { subagent_id?: string; fix?: string } };
