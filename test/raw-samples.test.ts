/**
 * The raw samples end to end, through the built bin the way a shell runs it (`npm test` builds
 * first): each converts to one valid ATIF trajectory per top-level scope with no duplicated LLM
 * step; `explain` shows how each gateway call found its session and which hook/gateway pairs were
 * merged; output is byte-identical from run to run; `events | convert` equals `convert`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gatewayRecord } from './fixtures/sessions/records.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'relay-atif.js');
const VALIDATOR = join(ROOT, '..', 'shared', 'tools', 'atif_validate.py');
const hasValidator = existsSync(VALIDATOR) && spawnSync('python3', ['--version']).status === 0;

const CLAUDE = 'samples/claude-code-session.ndjson';
const CODEX = 'samples/codex-session.ndjson';
const HERMES = 'samples/hermes-gateway-session.ndjson';

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, `relay-atif ${args.join(' ')}: ${r.stderr}`);
  return r;
}

const json = <T>(args: string[]): T => JSON.parse(run([...args, '--json', '-q']).stdout) as T;

interface Step {
  source: string;
  llm_call_count?: number;
}
interface Trajectory {
  steps: Step[];
}
interface Attribution {
  capture_id: string;
  chain: { link?: string; session_id?: string; rejected: Array<{ link: string; reason: string }> };
  selection: { rule: string };
  owner: { rule: string; status: string };
}

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'relay-atif-raw-'));
});

function convertToDir(sample: string): Trajectory[] {
  const dir = join(work, sample.replace(/\W/g, '_'));
  run(['convert', sample, '-o', `${dir}/`, '-q']);
  return readdirSync(dir).map((f) => {
    const path = join(dir, f);
    if (hasValidator) {
      const v = spawnSync('python3', [VALIDATOR, path], { encoding: 'utf8' });
      assert.equal(v.status, 0, `${f} is valid ATIF: ${v.stdout}${v.stderr}`);
    }
    return JSON.parse(readFileSync(path, 'utf8')) as Trajectory;
  });
}

describe('raw samples convert to valid trajectories without duplicated LLM steps', () => {
  for (const [sample, calls] of [[CLAUDE, 2], [CODEX, 2], [HERMES, 2]] as const) {
    it(`${sample}: one trajectory, one agent step per model call`, () => {
      const trajectories = convertToDir(sample);
      assert.equal(trajectories.length, 1, 'one top-level scope');
      const agentSteps = trajectories[0].steps.filter((s) => s.source === 'agent');
      assert.equal(agentSteps.length, calls);
    });
  }
});

describe('explain on the raw samples', () => {
  it('the Hermes sample: its gateway calls found their session through the OpenAI body session_id', () => {
    for (const capture of ['cap-h1', 'cap-h2']) {
      const report = json<{ requests: Attribution[] }>(['explain', HERMES, '--request', capture]);
      assert.equal(report.requests.length, 1);
      const a = report.requests[0];
      const keys = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(keys) : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : []);
      assert.deepEqual(keys(report).filter((k) => /[A-Z]/.test(k)), [], 'snake_case keys, as every JSON document of the CLI');
      assert.deepEqual([a.chain.link, a.chain.session_id, a.selection.rule], ['OPENAI_BODY_SESSION_ID', 'hermes-7f3a', 'SESSION_ID']);
      // Every link before the winner, each under its own name: the Codex links read Responses requests only.
      assert.deepEqual(
        a.chain.rejected.map((r) => `${r.link}:${r.reason}`),
        ['HEADER_RELAY_SESSION_ID:HEADER_ABSENT', 'HEADER_CLAUDE_CODE_SESSION_ID:HEADER_ABSENT', 'CODEX_CLIENT_METADATA_SESSION_ID:ROUTE_NOT_OPENAI_RESPONSES', 'CODEX_PROMPT_CACHE_KEY:ROUTE_NOT_OPENAI_RESPONSES', 'CODEX_COMPACT_SESSION_HEADER:ROUTE_NOT_RESPONSES_COMPACT'],
      );
    }
    const human = run(['explain', HERMES, '--request', 'cap-h1', '-q']).stdout;
    assert.match(human, /3 CODEX_CLIENT_METADATA_SESSION_ID\s+no: Codex client-metadata session routing applies to OpenAI Responses only, not OpenAiChatCompletions \[ROUTE_NOT_OPENAI_RESPONSES\]/);
    assert.match(human, /6 OPENAI_BODY_SESSION_ID\s+chose "hermes-7f3a"/);
    assert.match(human, /owner\s+SINGLE_HINT → llm_correlation_status single_hint, source pre_llm_call/);
  });

  it('the Hermes sample: both hook/gateway pairs are merged, one span of each pair suppressed', () => {
    const overview = json<{ trajectories: Array<{ rule_counts: Record<string, number>; spans: Array<{ state: string }> }> }>(['explain', HERMES]);
    const t = overview.trajectories[0];
    assert.equal(t.rule_counts.MERGED_SAME_PAYLOAD, 1);
    assert.equal(t.rule_counts.MERGED_COMPLEMENTARY_CORRELATION_KEY, 1);
    assert.equal(t.spans.filter((s) => s.state === 'SPAN_SUPPRESSED').length, 2);
  });

  it('an LLM span uuid finds its request too; the Claude and Codex samples use the Claude header and Codex routing', () => {
    const claude = json<{ requests: Attribution[] }>(['explain', CLAUDE, '--request', 'cap-c1']).requests[0];
    assert.deepEqual([claude.chain.link, claude.owner.status], ['HEADER_CLAUDE_CODE_SESSION_ID', 'single_hint']);
    const codex = json<{ requests: Array<Attribution & { llm_span: string }> }>(['explain', CODEX, '--request', 'cap-x2']).requests[0];
    assert.deepEqual([codex.chain.link, codex.chain.session_id], ['CODEX_PROMPT_CACHE_KEY', '019a5c1e-7d2b-7c3e-9f10-codexthread1']);
    const bySpan = json<{ requests: Attribution[] }>(['explain', CODEX, '--request', codex.llm_span.slice(0, 23)]).requests[0];
    assert.equal(bySpan.capture_id, 'cap-x2');
  });

  it('a capture id prefix finds its capture when unique, and lists the captures when not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-atif-request-'));
    const log = join(dir, 'calls.ndjson');
    writeFileSync(log, [gatewayRecord('alpha-1', 0, {}), gatewayRecord('beta-1', 5, {})].map((r) => JSON.stringify(r)).join('\n') + '\n');
    assert.equal(json<{ requests: Attribution[] }>(['explain', log, '--request', 'alp']).requests[0].capture_id, 'alpha-1');
    const two = spawnSync(process.execPath, [BIN, 'explain', CLAUDE, '--request', 'cap-c', '-q'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(two.status, 2);
    assert.match(two.stderr, /request 'cap-c' is ambiguous; it matches these captures and LLM spans:\n {2}cap-c1\n {2}cap-c2\n/);
    const empty = spawnSync(process.execPath, [BIN, 'explain', CLAUDE, '--request', '', '-q'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(empty.status, 2, 'an empty request is a usage error, not a prefix of everything');
  });

  it('an LLM span only a hook saw is no gateway call: --request says so and points to --span, with and without captures in the input', () => {
    const hooksOnly = join(mkdtempSync(join(tmpdir(), 'relay-atif-request-')), 'hooks.ndjson');
    writeFileSync(hooksOnly, readFileSync(HERMES, 'utf8').split('\n').filter((l) => !l.includes('"record":"gateway"')).join('\n'));
    for (const input of [hooksOnly, HERMES]) {
      const r = spawnSync(process.execPath, [BIN, 'explain', input, '--request', 'ffff', '-q'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /an LLM span seen only by a hook has no gateway call to attribute; 'explain --span' tells what the dedupe pass did with it/);
    }
  });
});

describe('determinism and equivalence', () => {
  it('convert and events are byte-identical from run to run', () => {
    assert.equal(run(['convert', 'samples/', '-q']).stdout, run(['convert', 'samples/', '-q']).stdout);
    assert.equal(run(['events', 'samples/', '-q']).stdout, run(['events', 'samples/', '-q']).stdout);
  });

  it('events | convert gives the trajectories convert gives', () => {
    for (const sample of [CLAUDE, HERMES]) {
      const events = run(['events', sample, '-q']).stdout;
      assert.equal(run(['convert', '-', '-q'], events).stdout, run(['convert', sample, '-q']).stdout, sample);
    }
  });
});

describe('convert with raw records', () => {
  it('reports the replay, and counts a reconstructed event that comes after its written scope apart from the lines', () => {
    const lines = [
      { record: 'hook', agent: 'claude-code', received_at: '2026-05-30T09:00:00Z', payload: { hook_event_name: 'UserPromptSubmit', session_id: 'c9', prompt: 'hi' } },
      {
        record: 'gateway', id: 'slow', started_at: '2026-05-30T09:00:01Z', ended_at: '2026-05-30T09:00:06Z', path: '/v1/messages',
        headers: { 'x-claude-code-session-id': 'c9' }, body: { model: 'claude', messages: [] }, response: { status: 200, body: { content: [] } },
      },
      // The turn ends (and its trajectory is written) before the slow response completes, as it can live.
      { record: 'hook', agent: 'claude-code', received_at: '2026-05-30T09:00:02Z', payload: { hook_event_name: 'Stop', session_id: 'c9' } },
    ];
    const input = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    const r = spawnSync(process.execPath, [BIN, 'convert', '-', '--json'], { cwd: work, input, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stderr) as { lines: { total: number; used: { by_kind: Record<string, number> }; skipped: { total: number } }; replay: Record<string, number> };
    assert.deepEqual([report.lines.total, report.lines.used.by_kind, report.lines.skipped.total], [3, { gateway: 1, hook: 2 }, 0]);
    assert.equal(report.replay.hooks, 2);
    assert.equal(report.replay.gateway_calls, 1);
    assert.equal(report.replay.late_reconstructed_events, 1);
    assert.ok(Object.keys(report.replay).every((k: string) => /^[a-z_]+$/.test(k)), 'snake_case, as the rest of the report');
  });

  it('says which gateway calls had a request body that is not JSON (replayed with a null request, as live)', () => {
    const call = (id: string, body: object) => ({
      record: 'gateway', id, started_at: '2026-05-30T09:00:01Z', ended_at: '2026-05-30T09:00:02Z', path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' }, ...body, response: { status: 200, body: { choices: [{ message: { role: 'assistant', content: 'ok' } }] } },
    });
    const lines = [call('fine', { body: { model: 'm', messages: [] } }), call('cut', { body_text: '{"model": "m", "mess' }), call('empty', { body_text: '' })];
    const input = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    const r = spawnSync(process.execPath, [BIN, 'convert', '-', '-o', join(work, 'not-json.ndjson')], { cwd: work, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\n {2}2 gateway calls had a request body that is missing or not JSON, replayed as live with a null request \(no messages, model or body session id\); the first: -:2: body is not JSON: /);
    const report = spawnSync(process.execPath, [BIN, 'convert', '-', '-o', join(work, 'not-json.ndjson'), '--json'], { cwd: work, input, encoding: 'utf8' });
    assert.equal((JSON.parse(report.stderr) as { replay: Record<string, number> }).replay.request_bodies_not_json, 2);
  });

  it('says which gateway calls had a response that could not be read in full, in the notes, --report and explain --request', () => {
    // A gzip body cut short: replayed as live as {"body_bytes": 31}, which alone does not say what is missing.
    const call = {
      record: 'gateway', id: 'rb', started_at: '2026-05-29T21:18:00Z', ended_at: '2026-05-29T21:18:01Z', method: 'POST', path: '/v1/chat/completions', headers: {},
      body: { model: 'm', messages: [{ role: 'user', content: 'x' }] }, response: { status: 200, headers: { 'content-encoding': 'gzip' }, body_base64: 'H4sIAAAAAAAAA6tWKs7MS1eyUlAqSSxKSSxJVagFAA==' },
    };
    const file = join(work, 'gzip-cut-short.ndjson');
    writeFileSync(file, JSON.stringify(call) + '\n');
    const r = spawnSync(process.execPath, [BIN, 'convert', file, '-o', join(work, 'gzip-cut-short.out.ndjson'), '--report', join(work, 'gzip-cut-short.report.json')], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\n {2}1 gateway call had a response that could not be read in full .*; the first: .*gzip-cut-short\.ndjson:1: content-encoding "gzip" body failed to decode: /);
    assert.equal((JSON.parse(readFileSync(join(work, 'gzip-cut-short.report.json'), 'utf8')) as { replay: Record<string, number> }).replay.responses_not_read, 1);
    const explain = run(['explain', file, '--request', 'rb', '-q']);
    assert.match(explain.stdout, /; outcome buffered, response not read in full: content-encoding "gzip" body failed to decode: /);
  });

  it('says which gateway calls had a response of the other kind than the request asked for (the QA repro: a JSON answer to "stream": true)', () => {
    const hook = (at: string, payload: object) => ({ record: 'hook', agent: 'claude-code', received_at: `2026-06-01T10:00:${at}Z`, payload: { session_id: 'sess-29', cwd: '/w', ...payload } });
    const answer = { id: 'msg_c1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'json answer' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 3 } };
    const lines = [
      hook('00.000', { hook_event_name: 'SessionStart' }),
      hook('01.000', { hook_event_name: 'UserPromptSubmit', prompt: 'stream flag mismatch' }),
      {
        record: 'gateway', id: 'c1', started_at: '2026-06-01T10:00:01.100Z', ended_at: '2026-06-01T10:00:02.000Z', method: 'POST', path: '/v1/messages',
        headers: { 'content-type': 'application/json', 'x-claude-code-session-id': 'sess-29' },
        body: { model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'stream true json body' }] }], stream: true },
        response: { status: 200, headers: { 'content-type': 'application/json' }, body: answer },
      },
      hook('05.000', { hook_event_name: 'Stop' }),
    ];
    const file = join(work, 'stream-json-body.ndjson');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const reportFile = join(work, 'stream-json-body.report.json');
    const r = spawnSync(process.execPath, [BIN, 'convert', file, '-o', join(work, 'stream-json-body.out.ndjson'), '--report', reportFile], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const reason = 'the request asked for a stream \\("stream": true\\) but the response \\(HTTP 200\\) was captured as a JSON body, not an event stream: its answer is not read, as live';
    assert.match(r.stderr, new RegExp(`\\n {2}1 gateway call had a response that could not be read in full .*; the first: .*stream-json-body\\.ndjson:3: ${reason}\\n`));
    assert.equal((JSON.parse(readFileSync(reportFile, 'utf8')) as { replay: Record<string, number> }).replay.responses_not_read, 1);
    assert.match(run(['explain', file, '--request', 'c1', '-q']).stdout, new RegExp(`; outcome streamed, response not read in full: ${reason}\\n`));
    // Converted as live: the agent step has the stream's empty answer.
    const agent = (JSON.parse(readFileSync(join(work, 'stream-json-body.out.ndjson'), 'utf8')) as { steps: Array<{ source: string; message: unknown }> }).steps.find((s) => s.source === 'agent');
    assert.deepEqual(agent?.message, []);
  });

  it('says which bare hook payloads are in a file with no timestamp at all, placed at 1970 (the QA repro: such a file beside a gateway capture)', () => {
    // Two trajectories: the gateway call's turn, and the 1970 turn of the prompt (hook-turn-steps writes it).
    const bare = (payload: object) => JSON.stringify({ session_id: 'sess-44', cwd: '/w', ...payload });
    const hooks = join(work, 'bare-hooks.ndjson');
    writeFileSync(hooks, [bare({ hook_event_name: 'SessionStart' }), bare({ hook_event_name: 'UserPromptSubmit', prompt: 'p' }), bare({ hook_event_name: 'Stop' })].join('\n') + '\n');
    const gateway = join(work, 'bare-hooks-gateway.ndjson');
    writeFileSync(gateway, JSON.stringify(gatewayRecord('c1', 1, { path: '/v1/messages', headers: { 'x-claude-code-session-id': 'sess-44' }, response: { content: [] } })) + '\n');
    const note =
      /\n {2}3 bare hook payloads had no timestamp: ordered by position; 3 in a file with no timestamp at all \(the first: .*bare-hooks\.ndjson:1\): placed at 1970-01-01T00:00:00Z, before every timed record of the input; give them times /;
    const reportFile = join(work, 'bare-hooks.report.json');
    const r = spawnSync(process.execPath, [BIN, 'convert', '--agent', 'claude-code', hooks, gateway, '-o', `${join(work, 'bare-hooks.out')}/`, '--report', reportFile], { cwd: work, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, note);
    const replay = (JSON.parse(readFileSync(reportFile, 'utf8')) as { replay: Record<string, number> }).replay;
    assert.deepEqual([replay.untimed_hooks, replay.untimed_hooks_in_file_without_timestamp], [3, 3]);
    // Placed where they were: the prompt's turn is at 1970, and `events` says so as convert does.
    const events = spawnSync(process.execPath, [BIN, 'events', '--agent', 'claude-code', hooks, gateway], { cwd: work, encoding: 'utf8' });
    assert.match(events.stderr, note);
    const prompt = events.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { timestamp: string; metadata?: { turn_source?: string } }).find((e) => e.metadata?.turn_source === 'user_prompt');
    assert.equal(prompt?.timestamp, '1970-01-01T00:00:00+00:00');
  });

  it('says which hooks produced no events because the session layer dropped them, as live (the QA repro: ends for a session never opened)', () => {
    const hook = (second: number, payload: object) => ({ record: 'hook', agent: 'claude-code', received_at: `2026-05-30T10:00:0${second}.000Z`, payload: { session_id: 'z', ...payload } });
    const input = [hook(0, { hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_use_id: 't1', tool_response: 'r' }), hook(1, { hook_event_name: 'SessionEnd' })].map((l) => JSON.stringify(l)).join('\n') + '\n';
    const reportFile = join(work, 'dropped-hooks.report.json');
    const r = spawnSync(process.execPath, [BIN, 'convert', '-', '--report', reportFile], { cwd: work, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\n {2}2 hooks produced no events, dropped as live: 2 for a session not open \(never opened, or already ended\); the first: -:1: PostToolUse \(session_not_open\)\n/);
    const replay = (JSON.parse(readFileSync(reportFile, 'utf8')) as { replay: { dropped_hooks: number; dropped_hooks_by_reason: Record<string, number> } }).replay;
    assert.equal(replay.dropped_hooks, 2);
    assert.deepEqual(replay.dropped_hooks_by_reason, { session_not_open: 2, turn_not_open: 0, subagent_not_open: 0, subagent_closed_by_child: 0, subagent_stop_after_turn: 0, alias_refused: 0, uncorrelatable: 0 });
  });
});
