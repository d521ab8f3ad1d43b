/**
 * Fix `provider-api-paths` (relay-cli.md §2.1): the live router serves its own paths, exactly; a
 * capture taken between the agent and the provider (a HAR file, a proxy log) has the provider's path,
 * with a prefix before the route's. Fixture: a Codex call signed in with ChatGPT
 * (`/backend-api/codex/responses`), an OpenRouter chat call (`/api/v1/chat/completions`) and
 * OpenRouter's model list (`GET /api/v1/models`, no LLM call either way).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeForPath, routeRequest } from '../src/gateway/routes.js';
import { runCli } from './support/cli.js';
import { attribution, events, eventsText, rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'provider-api-paths';

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 skips both calls as unsupported routes; the fix replays them as the routes their paths end with', async () => {
    assert.equal(await eventsText(FIX, ...SEED), '', 'no event at all');
    const llmStarts = (await events(FIX)).filter((e) => e.category === 'llm' && e.scope_category === 'start').map((e) => [e.name, e.metadata?.gateway_path]);
    assert.deepEqual(llmStarts, [
      ['openai.responses', '/backend-api/codex/responses'],
      ['openai.chat_completions', '/api/v1/chat/completions'],
    ]);
    const r = await runCli(['convert', rawFixture(FIX), '-o', '-']);
    assert.match(r.stderr, /skipped unsupported-route: 1 line\(s\) \(first at .*provider-api-paths\.ndjson:3: unsupported gateway path \/api\/v1\/models/);
  });

  it("the Codex call is attributed by Codex's own session chain (its body's prompt_cache_key)", async () => {
    const a = await attribution(FIX, 'codex-1');
    assert.equal(a.chain.session_id, '019b0000-0000-7000-8000-00000000c0de');
  });

  it('routes a path by the route path it ends with, most specific first; other paths stay unrouted', () => {
    const routed = (path: string) => routeForPath(path, { providerApiPaths: true })?.provider;
    assert.equal(routed('/openai/deployments/gpt-4o/chat/completions'), 'openai.chat_completions', 'Azure');
    assert.equal(routed('/v1beta/openai/chat/completions'), 'openai.chat_completions', 'Gemini');
    assert.equal(routed('/openai/v1/chat/completions'), 'openai.chat_completions', 'Groq');
    assert.equal(routed('/openai/v1/responses'), 'openai.responses', 'Azure v1');
    assert.equal(routed('/anthropic/v1/messages'), 'anthropic.messages', 'DeepSeek');
    assert.equal(routed('/api/v1/messages/count_tokens'), 'anthropic.count_tokens');
    for (const other of ['/v1/responses/resp_1/input_items', '/v1/chat/completions/chatcmpl-1/messages', '/api/v1/models', '/v1/completions', '/xresponses']) {
      assert.equal(routed(other), undefined, other);
    }
    assert.equal(routeForPath('/api/v1/chat/completions'), undefined, 'relay-0.3: exact paths only');
    assert.deepEqual(routeRequest('GET', '/api/v1/chat/completions', { providerApiPaths: true }).kind, 'method-not-allowed');
  });
});
