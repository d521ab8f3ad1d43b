import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from './support/cli.js';

const ROOT_SAMPLES = join(ROOT, 'samples');

// One test per hostile input of issue 7: the exact message and exit code, and what is written.
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'relay-atif-hostile-'));
});

const U = (n: number) => `01980000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const T = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString().replace('Z', '+00:00');
const scope = (o: Record<string, unknown>) => JSON.stringify({ kind: 'scope', atof_version: '0.1', attributes: [], ...o });
const agent = (phase: 'start' | 'end', n: number, ms: number, parent: number | null = null) =>
  scope({ uuid: U(n), parent_uuid: parent === null ? null : U(parent), timestamp: T(ms), name: `agent-${n}`, scope_category: phase, category: 'agent' });
const llm = (phase: 'start' | 'end', n: number, ms: number, parent: number, data: unknown, extra: Record<string, unknown> = {}) =>
  scope({ uuid: U(n), parent_uuid: U(parent), timestamp: T(ms), name: 'llm', scope_category: phase, category: 'llm', data, ...extra });
/** A valid one-session stream with the given lines inserted before the agent end. */
const session = (...middle: string[]) => [agent('start', 1, 0), llm('start', 2, 1, 1, { prompt: 'hi' }), llm('end', 2, 2, 1, { content: 'hello' }), ...middle, agent('end', 1, 100)];

function write(name: string, lines: Array<string | Buffer>): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(lines.map((l) => Buffer.concat([Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]))));
  return path;
}

async function convert(path: string, ...flags: string[]) {
  const r = await runCli(['convert', path, ...flags], { cwd: dir });
  const trajectories = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { ...r, trajectories };
}

test('a truncated line is a counted not-json skip; --strict stops there with exit 1', async () => {
  const lines = session();
  const path = write('truncated.ndjson', [...lines.slice(0, 2), lines[2].slice(0, 40), ...lines.slice(3)]);
  const lenient = await convert(path);
  assert.equal(lenient.code, 0);
  assert.match(lenient.stderr, /skipped not-json: 1 line\(s\) \(first at .*truncated\.ndjson:3: /);
  const strict = await convert(path, '--strict');
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /--strict: .*truncated\.ndjson:3: skipped \(not-json\): /);
});

test('invalid UTF-8 is a counted skip, never replaced silently', async () => {
  const bad = Buffer.concat([Buffer.from(session()[1].slice(0, 30)), Buffer.from([0xc3, 0x28]), Buffer.from(session()[1].slice(30))]);
  const r = await convert(write('utf8.ndjson', [session()[0], bad, ...session().slice(2)]));
  assert.equal(r.code, 0);
  assert.match(r.stderr, /skipped invalid-utf8: 1 line\(s\) \(first at .*utf8\.ndjson:2: line of \d+ bytes is not valid UTF-8\)/);
});

test('a wrong JSON type in a field is a rejection naming the zod path', async () => {
  const wrong = scope({ uuid: U(3), parent_uuid: U(1), timestamp: T(3), name: 42, scope_category: 'start', category: 'tool' });
  const r = await convert(write('types.ndjson', session(wrong)), '--strict');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--strict: .*types\.ndjson:4: rejected \(invalid-atof\) at name: /);
});

test('duplicated and deleted lines: nothing crashes, every line is accounted', async () => {
  const lines = session();
  const path = write('dup.ndjson', [lines[0], lines[1], lines[1], lines[2], lines[2], lines[3]]);
  const seed = await convert(path, '--json', '--profile', 'relay-0.3');
  assert.equal(seed.code, 0);
  const seedReport = JSON.parse(seed.stderr.trim());
  assert.equal(seedReport.lines.total, 6);
  assert.equal(seedReport.lines.used.total, 6);
  assert.equal(seed.trajectories[0].steps.length, 4, 'relay-0.3 processes each duplicate start/end as the reference does');
  // The default profile (fix skip-duplicate-events): the repeats are skips, converted as if read once.
  const r = await convert(path, '--json');
  assert.equal(r.code, 0);
  const report = JSON.parse(r.stderr.trim());
  assert.deepEqual([report.lines.total, report.lines.used.total, report.lines.skipped.by_reason['duplicate-event'].count], [6, 4, 2]);
  assert.deepEqual(report.lines.skipped.by_reason['duplicate-event'].examples.map((e: { line: number }) => e.line), [3, 5]);
  assert.equal(r.trajectories[0].steps.length, 2);
});

test('deep nesting in a payload (100,000 levels) converts and validates', async () => {
  const deep = '['.repeat(100_000) + '"bottom"' + ']'.repeat(100_000);
  const line = llm('end', 5, 5, 1, null).replace('"data":null', `"data":{"content":${deep}}`);
  const r = await convert(write('deep.ndjson', session(llm('start', 5, 4, 1, { prompt: 'x' }), line)), '--validate');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('bottom'));
});

test('a line over the size limit is a too-long skip (limit set by RELAY_ATIF_MAX_LINE_BYTES)', async () => {
  const path = write('long.ndjson', session(llm('start', 6, 4, 1, { prompt: 'x'.repeat(5000) })));
  const r = await runCli(['convert', path], { cwd: dir, env: { RELAY_ATIF_MAX_LINE_BYTES: '4096' } });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /skipped too-long: 1 line\(s\) \(first at .*long\.ndjson:4: line of 5\d\d\d bytes is longer than the line limit/);
  // A setting that is no size is a usage error, not the default in disguise.
  for (const [name, value] of [['RELAY_ATIF_MAX_LINE_BYTES', 'abc'], ['RELAY_ATIF_MAX_LINE_BYTES', '0'], ['RELAY_ATIF_JOBS_AFTER_BYTES', '-5'], ['RELAY_ATIF_WORKER_BACKLOG_BYTES', '1e6'], ['RELAY_ATIF_PROGRESS_AFTER_BYTES', '64M']]) {
    const bad = await runCli(['convert', path, '--jobs', '2'], { cwd: dir, env: { [name]: value } });
    assert.equal(bad.code, 2, `${name}=${value}`);
    assert.match(bad.stderr, new RegExp(`${name} must be a whole number of bytes.*\\(got '${value}'\\)`));
  }
});

test('enormous token counts stay exact, or are refused as counts, never wrapped', async () => {
  const end = (n: number, usage: string) => llm('end', n, n + 1, 1, null).replace('"data":null', `"data":{"content":"x","usage":{"prompt_tokens":${usage},"completion_tokens":1}}`);
  const path = write('numbers.ndjson', session(llm('start', 7, 6, 1, { prompt: 'a' }), end(7, '9007199254740993'), llm('start', 9, 9, 1, { prompt: 'b' }), end(9, '18446744073709551616')));
  const r = await convert(path);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.includes('"prompt_tokens":9007199254740993'), 'exact past 2^53');
  assert.ok(r.stdout.includes('"total_prompt_tokens":9007199254740993'), 'summed exactly');
  assert.ok(r.stdout.includes('"prompt_tokens":18446744073709551616}'), 'beyond u64: kept verbatim in extra-free usage, not as a count');
});

test('an exact count merged from a suppressed span stays a number (found by the fuzzer)', async () => {
  const hook = { hook_event_name: 'pre_api_request' };
  const gateway = { gateway_path: '/v1/chat/completions' };
  const req = { messages: [{ role: 'user', content: 'q' }] };
  const lines = [
    agent('start', 1, 0),
    llm('start', 2, 1, 1, req, { metadata: hook }),
    llm('start', 3, 2, 1, req, { metadata: gateway }),
    llm('end', 3, 3, 1, null, { metadata: gateway }).replace('"data":null', '"data":{"choices":[{"message":{"content":"a"}}],"usage":{"prompt_tokens":9007199254740993}}'),
    llm('end', 2, 4, 1, { choices: [{ message: { content: 'a' } }] }, { metadata: hook }),
    agent('end', 1, 9),
  ];
  const r = await convert(write('merged-big.ndjson', lines), '--validate');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('"metrics":{"prompt_tokens":9007199254740993}'));
});

test('offsets are normalised to UTC; a timestamp without a zone is rejected saying so (RFC 3339 and the reference require one), in ATOF events and raw records', async () => {
  const lines = [agent('start', 1, 0), llm('start', 2, 1, 1, { prompt: 'hi' }).replace(/"timestamp":"[^"]+"/, '"timestamp":"2026-01-01T00:00:00.001Z"'), llm('end', 2, 2, 1, { content: 'x' }).replace(/"timestamp":"[^"]+"/, '"timestamp":"2026-01-01T05:30:00.002+05:30"'), agent('end', 1, 100)];
  const r = await convert(write('zones.ndjson', lines));
  assert.equal(r.code, 0);
  assert.deepEqual(r.trajectories[0].steps.map((s: { timestamp: string }) => s.timestamp), ['2026-01-01T00:00:00.001+00:00', '2026-01-01T00:00:00.002+00:00']);
  const zoneless = [lines[0], lines[1].replace('00:00:00.001Z', '00:00:00.001'), ...lines.slice(2)];
  const local = await convert(write('zoneless.ndjson', zoneless));
  assert.match(local.stderr, /rejected invalid-atof: 1 line\(s\) \(first at .*zoneless\.ndjson:2 at timestamp: not an RFC 3339 timestamp: it has no UTC offset/);
  const hook = JSON.stringify({ record: 'hook', agent: 'claude-code', received_at: '2026-06-01T12:00:00.5', payload: { hook_event_name: 'SessionStart', session_id: 's' } });
  const raw = await convert(write('zoneless-hook.ndjson', [hook]));
  assert.match(raw.stderr, /rejected invalid-hook: 1 line\(s\) \(first at .*zoneless-hook\.ndjson:1 at received_at: not an RFC 3339 timestamp: it has no UTC offset/);
});

test('timestamps outside the years 0001–9999 (UTC) are rejected by name, both wire forms; the years 0001–0099 are kept as written', async () => {
  // Epoch microseconds as bigint: past 2^53 a number literal would be rounded before it is written.
  const at = (line: string, t: string | bigint) => line.replace(/"timestamp":"[^"]+"/, `"timestamp":${typeof t === 'bigint' ? t : JSON.stringify(t)}`);
  const mark = (n: number, t: string | bigint) => at(JSON.stringify({ kind: 'mark', atof_version: '0.1', uuid: U(n), parent_uuid: U(1), timestamp: T(3), name: `m${n}`, data: { n } }), t);
  const outside = ['9999-12-31T23:59:59-01:00', '0001-01-01T00:30:00+01:00', '0000-02-29T00:00:00+00:00', 253402300800000000n, -62135596800000001n];
  const r = await convert(write('range.ndjson', session(...outside.map((t, i) => mark(10 + i, t)), mark(20, '0050-06-01T12:00:00+00:00'), mark(21, -60576206400000000n))), '--no-observed-events');
  assert.equal(r.code, 0);
  assert.match(r.stderr, /rejected invalid-atof: 5 line\(s\) \(first at .*range\.ndjson:4 at timestamp: outside the years 0001–9999 \(UTC\) that an ATIF timestamp can hold\)/);
  // Written as a string or as epoch microseconds, the year 0050 is the year 0050 (Date.UTC read it as 1950).
  const marks = r.trajectories[0].steps.filter((s: { timestamp: string }) => s.timestamp.startsWith('00'));
  assert.deepEqual(marks.map((s: { timestamp: string }) => s.timestamp), ['0050-06-01T12:00:00+00:00', '0050-06-01T12:00:00+00:00']);
  // A number no timestamp can be (it printed as 0NaN-NaN-NaN…) is the same rejection.
  const huge = await convert(write('huge.ndjson', [agent('start', 1, 0).replace(/"timestamp":"[^"]+"/, '"timestamp":99999999999999999999999')]), '--strict');
  assert.equal(huge.code, 1);
  assert.match(huge.stderr, /timestamp: outside the years 0001–9999/);
});

test('raw records keep a day of room below year 10000 (the replay derives later times), and a HAR entry’s computed end is checked too', async () => {
  const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
  const answer = { choices: [{ index: 0, message: { role: 'assistant', content: 'yo' } }] };
  const gateway = (at: string) => JSON.stringify({ record: 'gateway', id: 'cap-1', started_at: at, ended_at: at, method: 'POST', path: '/v1/chat/completions', headers: {}, body: chat, response: { status: 200, headers: {}, body: answer } });
  const har = (at: string, time: number) => JSON.stringify({ startedDateTime: at, time, request: { method: 'POST', url: 'http://x/v1/chat/completions', headers: [], postData: { mimeType: 'application/json', text: JSON.stringify(chat) } }, response: { status: 200, headers: [], content: { mimeType: 'application/json', text: JSON.stringify(answer) } } });
  const hook = (at: string) => JSON.stringify({ record: 'hook', agent: 'claude-code', received_at: at, payload: { session_id: 's', hook_event_name: 'UserPromptSubmit', prompt: 'hi' } });
  const cases: Array<[string, string, RegExp]> = [
    ['gateway', gateway('9999-12-31T23:59:59.999999Z'), /invalid-gateway.*at started_at: outside 0001-01-01 – 9999-12-30 \(UTC\)/],
    ['hook', hook('9999-12-31T00:00:00Z'), /invalid-hook.*at received_at: outside 0001-01-01 – 9999-12-30/],
    ['har-time', har('2026-01-01T00:00:00Z', 1e20), /invalid-har.*at time: startedDateTime \+ its length ends outside 0001-01-01 – 9999-12-30/],
  ];
  for (const [name, line, message] of cases) {
    const r = await convert(write(`${name}.ndjson`, [line]), '--strict');
    assert.equal(r.code, 1, name);
    assert.match(r.stderr, message, name);
  }
  // The day before is fine, and what it derives validates.
  const ok = await convert(write('day-before.ndjson', [gateway('9999-12-30T23:59:59.999999Z')]), '--strict', '--validate');
  assert.equal(ok.code, 0, ok.stderr);
});

test('equal timestamps keep input order; an end before its start is converted as given', async () => {
  const same = [agent('start', 1, 0), llm('start', 2, 5, 1, { prompt: 'first' }), llm('end', 2, 5, 1, { content: 'a' }), llm('start', 3, 5, 1, { prompt: 'second' }), llm('end', 3, 5, 1, { content: 'b' }), agent('end', 1, 9)];
  const r = await convert(write('ties.ndjson', same));
  assert.deepEqual(r.trajectories[0].steps.map((s: { message: string }) => s.message), ['first', 'a', 'second', 'b']);
  const inverted = await convert(write('inverted.ndjson', [agent('start', 1, 0), llm('end', 2, 1, 1, { content: 'early end' }), llm('start', 2, 5, 1, { prompt: 'late start' }), agent('end', 1, 9)]));
  assert.equal(inverted.code, 0);
  assert.deepEqual(inverted.trajectories[0].steps.map((s: { source: string }) => s.source), ['agent', 'user']);
});

test('unpaired starts and ends convert; nothing is invented', async () => {
  const r = await convert(write('unpaired.ndjson', [agent('start', 1, 0), llm('start', 2, 1, 1, { prompt: 'never answered' }), llm('end', 3, 2, 1, { content: 'never asked' })]));
  assert.equal(r.code, 0);
  assert.deepEqual(r.trajectories[0].steps.map((s: { source: string }) => s.source), ['user', 'agent']);
});

test('a cycle in parent_uuid ends, with every event accounted', async () => {
  const cyc = [scope({ uuid: U(1), parent_uuid: U(2), timestamp: T(0), name: 'a', scope_category: 'start', category: 'agent' }), scope({ uuid: U(2), parent_uuid: U(1), timestamp: T(1), name: 'b', scope_category: 'start', category: 'agent' }), llm('start', 3, 2, 2, { prompt: 'x' }), llm('end', 3, 3, 2, { content: 'y' })];
  const r = await convert(write('cycle.ndjson', cyc), '--json');
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.stderr.trim()).lines.used.total, 4);
});

test('10,000-deep agent nesting converts without a stack overflow (the reference crashes near 3,000)', async () => {
  const N = 10_000;
  const lines: string[] = [];
  for (let i = 1; i <= N; i++) lines.push(agent('start', i, i, i === 1 ? null : i - 1));
  lines.push(llm('start', N + 1, N + 1, N, { prompt: 'deepest' }), llm('end', N + 1, N + 2, N, { content: 'ok' }));
  for (let i = N; i >= 1; i--) lines.push(agent('end', i, 3 * N - i, i === 1 ? null : i - 1));
  const r = await convert(write('nested.ndjson', lines), '--validate', '--no-observed-events');
  assert.equal(r.code, 0, r.stderr.slice(0, 500));
  let t = r.trajectories[0];
  let depth = 0;
  while (t.subagent_trajectories) [t, depth] = [t.subagent_trajectories[0], depth + 1];
  assert.equal(depth, N - 1);
  assert.equal(t.steps[0].message, 'deepest');
});

test('__proto__ and constructor keys in payloads are data, never prototype pollution', async () => {
  const evil = llm('start', 4, 4, 1, null).replace('"data":null', '"data":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prompt":"p"},"metadata":{"__proto__":{"polluted":true}}');
  const r = await convert(write('proto.ndjson', session(evil)));
  assert.equal(r.code, 0);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.ok(r.stdout.includes('"__proto__":{"polluted":true}'), 'kept as an ordinary key');
});

test('hostile session ids and templates never leave the output directory', async () => {
  const path = write('plain.ndjson', session());
  for (const [id, expected] of [
    ['../../escape', 'trajectory-.._.._escape.json'],
    ['/etc/passwd', 'trajectory-_etc_passwd.json'],
    ['nul\u0000byte', 'trajectory-nul_byte.json'],
    ['..', 'trajectory-__.json'],
    ['x'.repeat(10_000), `trajectory-${'x'.repeat(120)}.json`],
  ] as const) {
    const out = mkdtempSync(join(dir, 'out-'));
    const r = await runCli(['convert', path, '--session-id', id, '-o', out + '/', '-q'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out), [expected]);
  }
  const bad = await runCli(['convert', path, '-o', join(dir, 'o') + '/', '--filename-template', '../{session_id}.json'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--filename-template must be a file name, not a path/);
  const missing = await runCli(['convert', path, '-o', join(dir, 'o2') + '/', '--filename-template', 'fixed.json'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--filename-template must contain \{session_id\}/);
  assert.equal(existsSync(join(dir, 'o2')), false);
  // Another placeholder is named, not written as it stands ("{agent}-….json", exit 0, before).
  const unknown = await runCli(['convert', path, '-o', join(dir, 'o3') + '/', '--filename-template', '{agent}-{session_id}.json'], { cwd: dir });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--filename-template has the placeholder \{agent\}, which is not one; the only placeholder is \{session_id\}/);
  assert.equal(existsSync(join(dir, 'o3')), false);
  // Braces that are no placeholder stay part of the name.
  const braces = await runCli(['convert', path, '-o', join(dir, 'o4') + '/', '--filename-template', 'run{1}-{session_id}.json', '-q'], { cwd: dir });
  assert.equal(braces.code, 0, braces.stderr);
  assert.match(readdirSync(join(dir, 'o4')).join(), /^run\{1\}-.+\.json$/);
});

test('a file name as long as the system allows (255 bytes) is written by -o DIR/, -o FILE and --report: the temp file beside it fits too', async () => {
  const path = write('long-names.ndjson', session());
  const out = mkdtempSync(join(dir, 'long-'));
  const id = U(1);
  // The temp name (`.NAME.<12 hex>.tmp`) was 18 bytes longer than the file's: names of 238 to 255 bytes failed (ENAMETOOLONG).
  const names = [238, 255].map((bytes) => `${'x'.repeat(bytes - id.length - 5)}${id}.json`);
  for (const name of names) {
    const r = await runCli(['convert', path, '-o', `${out}/`, '--filename-template', name.replace(id, '{session_id}'), '-q'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(join(out, name), 'utf8')).session_id, id);
  }
  // Cut at a character, not inside one: 'é' is two bytes in UTF-8.
  const single = ['y'.repeat(250) + '.json', 'é'.repeat(125) + '.json'];
  const report = 'r'.repeat(250) + '.json';
  for (const name of single) {
    const r = await runCli(['convert', path, '-o', join(out, name), '--report', join(out, report), '-q'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(join(out, name), 'utf8')).session_id, id);
    assert.equal(JSON.parse(readFileSync(join(out, report), 'utf8')).lines.total, 4);
  }
  assert.deepEqual(readdirSync(out).sort(), [...names, ...single, report].sort(), 'no temp file left');
});

test('-o DIR/: a file that cannot be written (its name taken by a directory) is an output error naming it, whichever file fails while others are written beside it; no temp file is left', async () => {
  const ids = (await runCli(['convert', join(ROOT_SAMPLES), '-o', '-', '-q'])).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { session_id: string }).session_id);
  assert.ok(ids.length >= 3, `${ids.length} trajectories`);
  for (const blocked of [ids[0], ids[ids.length - 1]]) {
    const out = join(dir, `out-${blocked}`);
    mkdirSync(join(out, `trajectory-${blocked}.json`, 'inside'), { recursive: true });
    const r = await runCli(['convert', ROOT_SAMPLES, '-o', out + '/', '--jobs', '1'], { cwd: dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, new RegExp(`trajectory-${blocked}\\.json`));
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), []);
  }
});

test('a failed write leaves no temp file behind', async () => {
  const path = write('ok.ndjson', session());
  const blocker = join(dir, 'blocker');
  writeFileSync(blocker, 'a file where a directory should be');
  const r = await runCli(['convert', path, '-o', join(blocker, 'x.json')], { cwd: dir });
  assert.equal(r.code, 4);
  assert.match(r.stderr, /cannot write .*blocker\/x\.json: .*blocker is not a directory$/m);
  assert.doesNotMatch(r.stderr, /\.tmp/, 'the message names the path given, not the temp file beside it');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  const missing = await runCli(['convert', path, '-o', join(dir, 'no-such-dir', 'x.json')], { cwd: dir });
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /cannot write .*no-such-dir\/x\.json: the directory .*no-such-dir does not exist$/m);
  assert.equal(readFileSync(blocker, 'utf8'), 'a file where a directory should be');
});

test('an output error names its true cause: a directory is said not to exist only when it does not; a dangling link by its target; else the system’s reason', async () => {
  const path = write('cause.ndjson', session());
  const out = mkdtempSync(join(dir, 'cause-'));
  const cannot = async (output: string) => {
    const r = await runCli(['convert', path, '-o', output, '-q'], { cwd: out });
    assert.equal(r.code, 4, r.stderr);
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), []);
    return r.stderr;
  };
  // A link (relative, as `ln -s` makes them) into a directory that is missing: the link's own directory exists.
  symlinkSync(join('missing-dir', 't.json'), join(out, 'dangling.json'));
  assert.equal(await cannot('dangling.json'), `relay-atif: cannot write ${join(out, 'dangling.json')}: it is a symbolic link to ${join(out, 'missing-dir', 't.json')}, and the directory ${join(out, 'missing-dir')} does not exist\n`);
  // Through a chain of links, to the file that would be made.
  symlinkSync('dangling.json', join(out, 'chained.json'));
  assert.equal(await cannot('chained.json'), `relay-atif: cannot write ${join(out, 'chained.json')}: it is a symbolic link to ${join(out, 'missing-dir', 't.json')}, and the directory ${join(out, 'missing-dir')} does not exist\n`);
  // A file where a directory should be, further up than the file's own directory: that file is named.
  writeFileSync(join(out, 'plain-file'), '');
  assert.equal(await cannot('plain-file/sub/x.json'), `relay-atif: cannot write ${join(out, 'plain-file', 'sub', 'x.json')}: ${join(out, 'plain-file')} is not a directory\n`);
  // A directory that exists but makes no new files (the kernel says ENOENT): the system's reason.
  if (existsSync('/proc/self')) assert.equal(await cannot('/proc/x.json'), 'relay-atif: cannot write /proc/x.json: ENOENT: no such file or directory\n');
});

test('an output error is told about the path given: node’s call and temp-file path are left out', async () => {
  const { whyNotWritten } = await import('../src/cli/output.js');
  const err = (code: string, message: string, syscall?: string) => Object.assign(new Error(message), { code, syscall });
  assert.equal(whyNotWritten('/out/x.json', err('ENOSPC', "ENOSPC: no space left on device, write", 'write')), 'ENOSPC: no space left on device');
  assert.equal(whyNotWritten('/out/x.json', err('EACCES', "EACCES: permission denied, open '/out/.x.json.1f2e.tmp'", 'open')), 'EACCES: permission denied');
  assert.equal(whyNotWritten('/out/x.json', err('ENOENT', "ENOENT: no such file or directory, open '/out/.x.json.1f2e.tmp'", 'open')), 'the directory /out does not exist');
  // Not a system call's error: its message as it is.
  assert.equal(whyNotWritten('/out/x.json', new Error('a writer failed, badly')), 'a writer failed, badly');
});
