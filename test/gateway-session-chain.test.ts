import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headersFromObject } from '../src/ingest/records/headers.js';
import type { Json } from '../src/json/value.js';
import { resolveGatewaySession, type GatewaySessionResolution } from '../src/gateway/session-chain.js';
import type { GatewayRouteKind } from '../src/gateway/routes.js';

function chain(headers: Record<string, string>, body: Json | undefined, route: GatewayRouteKind): GatewaySessionResolution {
  return resolveGatewaySession({ headers: headersFromObject(headers), body }, route);
}

const codexMetadata = { 'x-codex-installation-id': 'install-1' };
const reasons = (r: GatewaySessionResolution) => r.rejected.map((x) => `${x.link}:${x.reason}`);
/** The chain without fix codex-client-metadata-session, every link of which a resolution lists. */
const RELAY_03_LINKS = ['HEADER_RELAY_SESSION_ID', 'HEADER_CLAUDE_CODE_SESSION_ID', 'CODEX_PROMPT_CACHE_KEY', 'OPENAI_BODY_SESSION_ID'];

describe('gateway session chain, link 1: x-nemo-relay-session-id', () => {
  it('wins on any route, over the Claude header, Codex routing and the body', () => {
    const body = { prompt_cache_key: 'thread', client_metadata: codexMetadata, session_id: 'body' };
    for (const route of ['OpenAiResponses', 'OpenAiChatCompletions', 'AnthropicMessages', 'AnthropicCountTokens'] as const) {
      const r = chain({ 'X-Nemo-Relay-Session-Id': 'explicit', 'x-claude-code-session-id': 'claude' }, body, route);
      assert.deepEqual(r, { sessionId: 'explicit', link: 'HEADER_RELAY_SESSION_ID', links: RELAY_03_LINKS, rejected: [] }, route);
    }
  });

  it('is trimmed of spaces and tabs, and falls through when empty after trimming', () => {
    assert.equal(chain({ 'x-nemo-relay-session-id': ' \texplicit\t ' }, null, 'AnthropicMessages').sessionId, 'explicit');
    const r = chain({ 'x-nemo-relay-session-id': ' \t ', 'x-claude-code-session-id': 'claude' }, null, 'AnthropicMessages');
    assert.equal(r.sessionId, 'claude');
    assert.deepEqual(reasons(r), ['HEADER_RELAY_SESSION_ID:HEADER_EMPTY']);
  });

  it('does not trim other whitespace, and refuses values outside visible ASCII', () => {
    assert.equal(chain({ 'x-nemo-relay-session-id': '\u00a0id' }, null, 'AnthropicMessages').sessionId, undefined);
    const r = chain({ 'x-nemo-relay-session-id': 'sessión' }, null, 'AnthropicMessages');
    assert.deepEqual(reasons(r)[0], 'HEADER_RELAY_SESSION_ID:HEADER_NOT_VISIBLE_ASCII');
  });
});

describe('gateway session chain, link 2: x-claude-code-session-id', () => {
  it('applies on any route, also OpenAI ones, over Codex routing and the body', () => {
    const r = chain({ 'x-claude-code-session-id': 'claude' }, { prompt_cache_key: 'thread', client_metadata: codexMetadata, session_id: 'body' }, 'OpenAiResponses');
    assert.deepEqual(r, {
      sessionId: 'claude',
      link: 'HEADER_CLAUDE_CODE_SESSION_ID',
      links: RELAY_03_LINKS,
      rejected: [{ link: 'HEADER_RELAY_SESSION_ID', reason: 'HEADER_ABSENT', detail: 'no x-nemo-relay-session-id header' }],
    });
  });
});

describe('gateway session chain, link 3: Codex prompt_cache_key', () => {
  it('uses prompt_cache_key on Responses when the Codex installation id is present, over the body session_id', () => {
    const r = chain({}, { prompt_cache_key: 'codex-thread', client_metadata: codexMetadata, session_id: 'body' }, 'OpenAiResponses');
    assert.equal(r.sessionId, 'codex-thread');
    assert.equal(r.link, 'CODEX_PROMPT_CACHE_KEY');
    assert.deepEqual(reasons(r), ['HEADER_RELAY_SESSION_ID:HEADER_ABSENT', 'HEADER_CLAUDE_CODE_SESSION_ID:HEADER_ABSENT']);
  });

  it('stringifies a numeric prompt_cache_key the way serde prints it', () => {
    assert.equal(chain({}, { prompt_cache_key: 42, client_metadata: codexMetadata }, 'OpenAiResponses').sessionId, '42');
  });

  it('needs the installation id as a non-empty JSON string (a number or "" does not count)', () => {
    for (const installation of [7, '', null]) {
      const r = chain({}, { prompt_cache_key: 'k', client_metadata: { 'x-codex-installation-id': installation } }, 'OpenAiResponses');
      assert.equal(r.sessionId, undefined);
      assert.equal(reasons(r)[2], 'CODEX_PROMPT_CACHE_KEY:CODEX_INSTALLATION_ID_MISSING');
    }
  });

  it('does not apply on Chat Completions, where the body session_id is used instead', () => {
    const r = chain({}, { prompt_cache_key: 'codex-thread', client_metadata: codexMetadata, session_id: 'body-session' }, 'OpenAiChatCompletions');
    assert.equal(r.sessionId, 'body-session');
    assert.equal(reasons(r)[2], 'CODEX_PROMPT_CACHE_KEY:ROUTE_NOT_OPENAI_RESPONSES');
  });

  it('falls through to the body session_id when prompt_cache_key is missing, empty or not string-like', () => {
    for (const [key, reason] of [
      [undefined, 'PROMPT_CACHE_KEY_ABSENT'],
      ['', 'PROMPT_CACHE_KEY_NOT_STRING_LIKE'],
      [null, 'PROMPT_CACHE_KEY_NOT_STRING_LIKE'],
      [{ id: 'x' }, 'PROMPT_CACHE_KEY_NOT_STRING_LIKE'],
    ] as const) {
      const body: Record<string, Json> = { client_metadata: codexMetadata, session_id: 'body-session' };
      if (key !== undefined) body.prompt_cache_key = key;
      const r = chain({}, body, 'OpenAiResponses');
      assert.equal(r.sessionId, 'body-session');
      assert.equal(r.link, 'OPENAI_BODY_SESSION_ID');
      assert.equal(reasons(r)[2], `CODEX_PROMPT_CACHE_KEY:${reason}`);
    }
  });
});

describe('gateway session chain, link 4: OpenAI body session_id', () => {
  it('reads session_id on Chat Completions and Responses', () => {
    for (const route of ['OpenAiChatCompletions', 'OpenAiResponses'] as const) {
      const r = chain({}, { session_id: 'hermes-1' }, route);
      assert.deepEqual([r.sessionId, r.link], ['hermes-1', 'OPENAI_BODY_SESSION_ID'], route);
    }
  });

  it('trims " body-session " to "body-session", with Unicode whitespace', () => {
    assert.equal(chain({}, { session_id: ' body-session ' }, 'OpenAiResponses').sessionId, 'body-session');
    assert.equal(chain({}, { session_id: '\u3000\u0085body-session\u2029\n' }, 'OpenAiChatCompletions').sessionId, 'body-session');
    // U+FEFF is not Unicode whitespace (JavaScript's trim would strip it).
    assert.equal(chain({}, { session_id: '\ufeffbody-session' }, 'OpenAiChatCompletions').sessionId, '\ufeffbody-session');
  });

  it('rejects an empty or whitespace-only session_id', () => {
    for (const value of ['', '   ', '\t\u00a0']) {
      const r = chain({}, { session_id: value }, 'OpenAiChatCompletions');
      assert.equal(r.sessionId, undefined);
      assert.equal(reasons(r)[3], 'OPENAI_BODY_SESSION_ID:SESSION_ID_BLANK');
    }
  });

  it('rejects a non-string session_id (number, boolean, null, object)', () => {
    for (const value of [42, true, null, { id: 's' }, ['s']]) {
      const r = chain({}, { session_id: value }, 'OpenAiChatCompletions');
      assert.equal(r.sessionId, undefined, JSON.stringify(value));
      assert.equal(reasons(r)[3], 'OPENAI_BODY_SESSION_ID:SESSION_ID_NOT_STRING');
    }
  });

  it('ignores the body session_id on Anthropic routes', () => {
    for (const route of ['AnthropicMessages', 'AnthropicCountTokens'] as const) {
      const r = chain({}, { session_id: 'body-session' }, route);
      assert.equal(r.sessionId, undefined, route);
      assert.deepEqual(reasons(r), [
        'HEADER_RELAY_SESSION_ID:HEADER_ABSENT',
        'HEADER_CLAUDE_CODE_SESSION_ID:HEADER_ABSENT',
        'CODEX_PROMPT_CACHE_KEY:ROUTE_NOT_OPENAI_RESPONSES',
        'OPENAI_BODY_SESSION_ID:ROUTE_NOT_OPENAI_COMPATIBLE',
      ]);
    }
  });

  it('finds nothing in a body that is not an object', () => {
    assert.equal(reasons(chain({}, undefined, 'OpenAiChatCompletions'))[3], 'OPENAI_BODY_SESSION_ID:SESSION_ID_ABSENT');
    assert.equal(reasons(chain({}, ['session_id'], 'OpenAiChatCompletions'))[3], 'OPENAI_BODY_SESSION_ID:SESSION_ID_ABSENT');
  });
});
