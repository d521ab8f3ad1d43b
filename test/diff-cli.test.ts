import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CASES, ROOT, runCli } from './support/cli.js';

const T1 = join(CASES, 'exporter_dedupes_overlapping_hook_and_gateway_llm_spans', 'input.ndjson');
const T3 = join(CASES, 'exporter_keeps_overlapping_non_exact_hook_and_gateway_spans_without_shared_request_key', 'input.ndjson');
const SEED = ['--profile', 'relay-0.3', '--session-id', 'session-1'];
const A = 'test/fixtures/explain/atif-a.json';
const B = 'test/fixtures/explain/atif-b.json';

describe('diff [inputs...]: with vs without the dedupe pass', () => {
  it('T1: the gateway steps are removed by MERGED_SAME_PAYLOAD, its usage moves to the hook step (exit 1)', async () => {
    const r = await runCli(['diff', T1, ...SEED, '--json', '-q']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.changed, true);
    const [t] = report.trajectories;
    assert.deepEqual(
      t.removed_steps.map((s: any) => [s.step_id, s.source, s.span_name, s.decisions.map((d: any) => [d.rule, d.kept_name])]),
      [
        [2, 'user', 'openai.chat_completions', [['MERGED_SAME_PAYLOAD', 'openrouter']]],
        [3, 'agent', 'openai.chat_completions', [['MERGED_SAME_PAYLOAD', 'openrouter']]],
      ],
    );
    assert.deepEqual(
      t.moved_metrics.map((m: any) => [m.step_id, m.path, m.without, m.with]),
      [
        [2, 'metrics.completion_tokens', null, 3],
        [2, 'metrics.extra', null, { total_tokens: 10 }],
        [2, 'metrics.prompt_tokens', null, 7],
      ],
    );
    assert.deepEqual(t.final_metrics, [{ path: '$.final_metrics.total_steps', kind: 'changed', a: 4, b: 2 }]);
    assert.deepEqual(t.other_differences, []);
  });

  it('a chain: a span kept by a pair but removed in its turn is named with the span that stands for it in the output', async () => {
    // d3 is merged into d2, which is merged into d1: only d1 survives.
    const chain = 'test/fixtures/fixes/dedupe-chain-metrics.ndjson';
    const r = await runCli(['diff', chain, '--json', '-q']);
    assert.equal(r.code, 1, r.stderr);
    const decisions = JSON.parse(r.stdout).trajectories[0].removed_steps.map((s: any) => [s.span.slice(-2), s.decisions.map((d: any) => [d.kept.slice(-2), d.survivors.map((x: any) => `${x.span.slice(-2)} ${x.name}`)])]);
    assert.deepEqual(decisions, [
      ['d2', [['d1', ['d1 hook.exact']]]],
      ['d3', [['d2', ['d1 hook.exact']]]],
      ['d3', [['d2', ['d1 hook.exact']]]],
      ['d2', [['d1', ['d1 hook.exact']]]],
    ]);
    const text = (await runCli(['diff', chain, '-q'])).stdout;
    assert.match(text, /kept \S+d2 openai\.chat_completions \(itself removed; in the output: \S+d1 hook\.exact\)/);
    assert.doesNotMatch(text, /kept \S+d1 hook\.exact \(itself removed/);
  });

  it('a moved metric names the spans it came from, not every span the survivor absorbed', async () => {
    // d1 takes d2's usage (12 / 2) and, through d2 (fix dedupe-chain-metrics), d3's (12 / 2 and
    // cached 8): the cached tokens are d3's alone, the other two values are in both spans' usage.
    const chain = 'test/fixtures/fixes/dedupe-chain-metrics.ndjson';
    const moved = async (...flags: string[]) =>
      JSON.parse((await runCli(['diff', chain, '--json', '-q', ...flags])).stdout).trajectories[0].moved_metrics.map((m: any) => [m.path, m.with, m.from.map((u: string) => u.slice(-2))]);
    assert.deepEqual(await moved(), [
      ['metrics.cached_tokens', 8, ['d3']],
      ['metrics.completion_tokens', 2, ['d2', 'd3']],
      ['metrics.prompt_tokens', 12, ['d2', 'd3']],
    ]);
    // relay-0.3: d3's metrics stop at d2 (W_METRICS_LOST), nothing of d3 reaches d1.
    assert.deepEqual(await moved('--profile', 'relay-0.3'), [
      ['metrics.completion_tokens', 2, ['d2']],
      ['metrics.prompt_tokens', 12, ['d2']],
    ]);
    assert.match((await runCli(['diff', chain, '-q', '--no-color'])).stdout, /metrics\.cached_tokens {6}none → 8 {3}from \S+d3\n/);
  });

  it('names the fix behind a decision, as explain does: [fix NAME] in the text, "fix" in the JSON', async () => {
    const tie = ['test/fixtures/fixes/dedupe-tie-break.ndjson', '--session-id', 's', '-q'];
    const rules = (r: { stdout: string }) => JSON.parse(r.stdout).trajectories[0].removed_steps.flatMap((s: any) => s.decisions.map((d: any) => [d.rule, d.fix]));
    assert.deepEqual(rules(await runCli(['diff', ...tie, '--json'])), [['MERGED_SAME_PAYLOAD', 'dedupe-tie-break'], ['MERGED_SAME_PAYLOAD', 'dedupe-tie-break']]);
    assert.match((await runCli(['diff', ...tie])).stdout, /MERGED_SAME_PAYLOAD \[fix dedupe-tie-break\]  kept/);
    // T1's merge is relay-0.3's own: no fix named.
    const t1 = JSON.parse((await runCli(['diff', T1, '--session-id', 'session-1', '--json', '-q'])).stdout).trajectories[0].removed_steps;
    assert.ok(t1.length > 0 && t1.every((s: any) => s.decisions.every((d: any) => !('fix' in d))));
  });

  it('T3: both spans are kept, so dedupe changes nothing (exit 0)', async () => {
    const r = await runCli(['diff', T3, ...SEED, '--json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).changed, false);
  });

  it('explains the other differences from the runs’ records: a cleanup removal, a dropped extra', async () => {
    // Without dedupe the hook summary's step is current when the tool runs; fix earlier-step-tool-events
    // gives the tool to the step that called it, so no projected copy is left to clean up: off here.
    const loop = await runCli(['diff', 'test/fixtures/explain/hook-summary-tool-loop.ndjson', '--json', '-q', '--no-fix', 'earlier-step-tool-events']);
    assert.equal(loop.code, 1, loop.stderr);
    assert.deepEqual(
      JSON.parse(loop.stdout).trajectories[0].other_differences.map((d: any) => [d.kind, d.path, d.note]),
      [['added', '$.steps[1]', 'without dedupe this step was removed: TOOLSTEP_REMOVED_PROJECTED_DUPLICATE']],
    );
    const placed = await runCli(['diff', 'test/fixtures/explain/hook-summary-tool-loop.ndjson', '--json', '-q']);
    assert.deepEqual(JSON.parse(placed.stdout).trajectories[0].other_differences, [], 'with the fix the tool stays on its caller: nothing to clean up');
    const t2 = join(CASES, 'exporter_prefers_gateway_span_over_non_exact_hook_summary', 'input.ndjson');
    const interleaved = await runCli(['diff', t2, ...SEED, '--json', '-q']);
    assert.deepEqual(
      JSON.parse(interleaved.stdout).trajectories[0].other_differences.map((d: any) => [d.kind, d.path, d.b_path, d.note]),
      [['added', '$.steps[2].extra', '$.steps[1].extra', 'W_EXTRA_DROPPED_INTERLEAVED without dedupe']],
    );
  });
});

describe('diff A.json B.json in process', () => {
  it('reports JSON paths with both values', async () => {
    const r = await runCli(['diff', A, B, '--json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.equal, false);
    assert.deepEqual(report.differences.find((d: any) => d.kind === 'changed' && d.a === 'ok'), {
      path: '$.steps[1].message',
      b_path: '$.steps[3].message',
      kind: 'changed',
      a: 'ok',
      b: 'okay',
    });
  });
});

describe('diff with one .json trajectory and one event log', () => {
  it('is a usage error naming both, not a dedupe diff that reads the trajectory as events', async () => {
    for (const args of [[A, 'samples/hermes-session.atof.ndjson'], ['samples/hermes-session.atof.ndjson', A], [A, A, 'samples/hermes-session.atof.ndjson']]) {
      const r = await runCli(['diff', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /got the trajectory .*atif-a\.json with samples\/hermes-session\.atof\.ndjson/);
      assert.equal(r.stdout, '');
    }
    const one = await runCli(['diff', A]);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /got 1 trajectory file$/m);
  });

  it('names an input that does not exist as such, not as an event log beside a trajectory', async () => {
    const r = await runCli(['diff', 'samples/no-such-log.ndjson', A]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /input not found: samples\/no-such-log\.ndjson/);
  });
});

/** The built CLI, spawned the way CI would run it. */
function runBin(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin', 'relay-atif.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 70) : 0, stdout, stderr });
    });
  });
}

describe('diff A.json B.json end to end (the built bin): exit 0 equal, 1 different, 2 bad input (3 unreadable: below)', () => {
  let dir = '';
  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'bundle', 'relay-atif.js')), 'dist/ has no CLI bundle: run `npm run build` first');
    dir = await mkdtemp(join(tmpdir(), 'relay-atif-diff-'));
    await writeFile(join(dir, 'broken.json'), '{"schema_version": ');
    await writeFile(join(dir, 'not-atif.json'), '{"steps": []}');
    // A's trajectory with every object's keys reversed and no indentation: the same document.
    const reverse = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverse) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    await writeFile(join(dir, 'reordered.json'), JSON.stringify(reverse(JSON.parse(await readFile(join(ROOT, A), 'utf8')))));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('0 when equal (key order and formatting do not count)', async () => {
    const r = await runBin(['diff', join(ROOT, A), 'reordered.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /equal/);
  });

  it('1 when they differ', async () => {
    const r = await runBin(['diff', A, B], ROOT);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /~ \$\.steps\[1\]\.message ↔ \$\.steps\[3\]\.message: "ok" → "okay"/);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
  });

  for (const [name, file, message] of [
    ['a missing file', 'missing.json', /cannot read missing\.json/],
    ['a file that is not JSON', 'broken.json', /broken\.json is not a JSON document/],
    ['JSON that is not a trajectory', 'not-atif.json', /not-atif\.json is not an ATIF trajectory/],
  ] as const) {
    it(`2 for ${name}`, async () => {
      const r = await runBin(['diff', join(ROOT, A), file], dir);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    });
  }
});

describe('diff A B: the mode follows what the files hold, not their names', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-diff-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const compact = async (name: string, from: string, extra = '') => {
    const text = JSON.stringify(JSON.parse(await readFile(join(ROOT, from), 'utf8'))) + '\n' + extra;
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };

  it('NDJSON trajectories as convert -o - writes them, gzipped too: the structural diff, exit 1 when they differ', async () => {
    const [a, b] = [await compact('a.ndjson', A), await compact('b.ndjson', B)];
    const differ = await runCli(['diff', a, b, '--json']);
    assert.equal(differ.code, 1, differ.stderr);
    const pretty = await runCli(['diff', A, B, '--json']);
    assert.deepEqual(JSON.parse(differ.stdout).differences, JSON.parse(pretty.stdout).differences);
    assert.equal((await runCli(['diff', a, a])).code, 0);
    const { gzipSync } = await import('node:zlib');
    await writeFile(join(dir, 'a.json.gz'), gzipSync(await readFile(a)));
    await writeFile(join(dir, 'b.gz'), gzipSync(await readFile(b)));
    assert.equal((await runCli(['diff', join(dir, 'a.json.gz'), join(dir, 'b.gz')])).code, 1);
  });

  it('a file of several trajectories, or a trajectory beside an event log, is a usage error (exit 2)', async () => {
    const two = await compact('two.ndjson', A, JSON.stringify(JSON.parse(await readFile(join(ROOT, B), 'utf8'))) + '\n');
    const several = await runCli(['diff', two, await compact('one.ndjson', A)]);
    assert.equal(several.code, 2);
    assert.match(several.stderr, /two\.ndjson holds 2 trajectories/);
    const mixed = await runCli(['diff', await compact('t.ndjson', A), T1]);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /the trajectory .*t\.ndjson with .*input\.ndjson/);
  });

  it('a bare hook log takes --agent, as in convert and explain', async () => {
    await writeFile(join(dir, 'bare.ndjson'), '{"hook_event_name":"UserPromptSubmit","session_id":"s1","prompt":"hi"}\n');
    const without = await runCli(['diff', join(dir, 'bare.ndjson')]);
    assert.match(without.stderr, /pass --agent/);
    const r = await runCli(['diff', join(dir, 'bare.ndjson'), '--agent', 'claude-code']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 lines, 2 events; 0 skipped, 0 rejected/);
  });

  it("'-' given twice is a usage error saying stdin reads once (it said: got the trajectory - with -)", async () => {
    const r = await runCli(['diff', '-', '-'], { stdin: readFileSync(A, 'utf8') });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "relay-atif: standard input ('-') can be read only once: give at most one '-'\n");
  });

  it('convert names a trajectory given as input, and validate fails on stdin that holds no trajectory, as on an empty file', async () => {
    const r = await runCli(['convert', await compact('in.ndjson', A), '-o', '-']);
    assert.match(r.stderr, /an ATIF trajectory \(ATIF-v1\.\d\), not an input record: validate and diff read trajectories/);
    // `convert logs/ | relay-atif validate` after an upstream that printed nothing is no pass.
    for (const stdin of ['', '\n\n', ' \r\n']) {
      const empty = await runCli(['validate'], { stdin });
      assert.equal(empty.code, 1, empty.stderr);
      assert.equal(empty.stderr, 'relay-atif: no trajectory to validate: - held none\n');
      const json = await runCli(['validate', '--json'], { stdin });
      assert.equal(json.code, 1);
      assert.deepEqual(JSON.parse(json.stdout), { valid: false, documents: [] });
    }
    await writeFile(join(dir, 'empty.json'), '');
    assert.equal((await runCli(['validate', join(dir, 'empty.json')])).code, 1);
  });
});

describe('diff through pipes (`<(…)`, stdin): looked into once, then read on', () => {
  const bash = (script: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['-c', script], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 70) : 0, stdout, stderr });
      });
    });
  const bin = `"${process.execPath}" "${join(ROOT, 'bin', 'relay-atif.js')}"`;

  it('two trajectories from process substitution are compared as trajectories (they were read as events: "no trajectories", exit 0)', async () => {
    const different = await bash(`${bin} diff <(cat ${A}) <(cat ${B})`);
    assert.equal(different.code, 1, different.stderr);
    assert.match(different.stdout, /~ \$\.steps\[1\]\.message ↔ \$\.steps\[3\]\.message: "ok" → "okay"/);
    const same = await bash(`${bin} diff <(cat ${A}) - < ${A}`);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /equal/);
  });

  it('event logs from pipes (gzipped or not) give the dedupe diff of the same files read by name', async () => {
    const [x, y] = ['samples/hermes-gateway-session.ndjson', 'samples/claude-code-session.ndjson'];
    const byName = await bash(`${bin} diff ${x} ${y}`);
    assert.equal(byName.code, 1, byName.stderr);
    assert.match(byName.stdout, /removed steps/);
    for (const piped of [`${bin} diff <(cat ${x}) <(cat ${y})`, `cat ${x} | ${bin} diff - <(gzip -c ${y})`]) {
      const r = await bash(piped);
      assert.deepEqual([r.code, r.stdout, r.stderr], [byName.code, byName.stdout, byName.stderr], piped);
    }
  });
});

describe('diff A B: a trajectory file that is not UTF-8 is refused, never read with its bytes replaced', () => {
  let dir: string;
  // Two trajectories that differ only in one byte, neither of which is UTF-8: read with replacement
  // characters, both were the same document ("equal", exit 0).
  const trajectory = (byte: number) =>
    Buffer.concat([Buffer.from('{"schema_version":"ATIF-v1.7","session_id":"a'), Buffer.from([byte]), Buffer.from('","steps":[]}')]);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-diff-utf8-'));
    const { gzipSync } = await import('node:zlib');
    await writeFile(join(dir, 'u1.json'), trajectory(0xff));
    await writeFile(join(dir, 'u2.json'), trajectory(0xfe));
    await writeFile(join(dir, 'u1.ndjson'), Buffer.concat([trajectory(0xff), Buffer.from('\n')]));
    await writeFile(join(dir, 'u2.ndjson.gz'), gzipSync(Buffer.concat([trajectory(0xfe), Buffer.from('\n')])));
    const valid = Buffer.from('{"schema_version":"ATIF-v1.7","session_id":"a","steps":[]}\n');
    await writeFile(join(dir, 'second-line.ndjson'), Buffer.concat([valid, trajectory(0xff), Buffer.from('\n')]));
    await writeFile(join(dir, 'valid.ndjson'), valid);
    await writeFile(join(dir, 'pretty.json'), Buffer.from(`{\n  "schema_version": "ATIF-v1.7",\n  "session_id": "a\xff",\n  "steps": []\n}\n`, 'latin1'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [a, b, named] of [
    ['u1.json', 'u2.json', /u1\.json is not UTF-8/],
    ['valid.ndjson', 'u1.ndjson', /u1\.ndjson is not UTF-8/],
    ['valid.ndjson', 'u2.ndjson.gz', /u2\.ndjson\.gz is not UTF-8/],
    ['valid.ndjson', 'pretty.json', /pretty\.json is not UTF-8/],
    ['valid.ndjson', 'second-line.ndjson', /second-line\.ndjson:2 is not UTF-8/],
  ] as const) {
    it(`${a} with ${b}: exit 2, naming the file`, async () => {
      const r = await runCli(['diff', a, b], { cwd: dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, named);
      assert.equal(r.stdout, '');
    });
  }

  it('on stdin too; an event log whose first line is not UTF-8 is still an event log (that line an invalid-utf8 skip)', async () => {
    const r = await runCli(['diff', 'valid.ndjson', '-'], { cwd: dir, stdin: trajectory(0xff) });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^relay-atif: - is not UTF-8/m);
    const log = Buffer.concat([Buffer.from('{"kind":"mark","x":"\xff"}\n', 'latin1'), await readFile(join(ROOT, 'samples/hermes-session.atof.ndjson'))]);
    await writeFile(join(dir, 'log.ndjson'), log);
    const events = await runCli(['diff', 'log.ndjson', 'log.ndjson'], { cwd: dir });
    assert.equal(events.code, 1, events.stderr);
    assert.match(events.stdout, /4 step\(s\) removed/);
    assert.match(events.stderr, /skipped invalid-utf8: 1 line\(s\) \(first at log\.ndjson:1/);
  });
});

describe('diff of one trajectory file alone: a usage error whatever its form', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-diff-alone-'));
    const line = JSON.stringify(JSON.parse(await readFile(join(ROOT, A), 'utf8'))) + '\n';
    const { gzipSync } = await import('node:zlib');
    await writeFile(join(dir, 'one.ndjson'), line);
    await writeFile(join(dir, 'one.ndjson.gz'), gzipSync(line));
    await writeFile(join(dir, 'two.ndjson'), line + line);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // A one-line NDJSON trajectory was read as an event log ("no trajectories", exit 0), a pretty one was
  // a usage error.
  it('one-line NDJSON, gzipped, several lines, pretty .json: the same exit 2, diff of trajectories needs two', async () => {
    for (const file of ['one.ndjson', 'one.ndjson.gz', 'two.ndjson', join(ROOT, A)]) {
      const r = await runCli(['diff', file], { cwd: dir });
      assert.equal(r.code, 2, `${file}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /diff compares two trajectories \(diff A\.json B\.json\) or the dedupe pass on event logs; got 1 trajectory file$/m);
      assert.equal(r.stdout, '');
    }
  });

  it('on stdin too, while an event log alone (on stdin or not) is still dedupe-diffed', async () => {
    const r = await runCli(['diff', '-'], { cwd: dir, stdin: await readFile(join(dir, 'one.ndjson')) });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /got 1 trajectory file$/m);
    const log = 'samples/hermes-session.atof.ndjson';
    const byName = await runCli(['diff', log]);
    assert.equal(byName.code, 1, byName.stderr);
    assert.match(byName.stdout, /4 step\(s\) removed/);
    const piped = await runCli(['diff', '-'], { stdin: await readFile(join(ROOT, log)) });
    assert.deepEqual([piped.code, piped.stdout], [byName.code, byName.stdout]);
  });
});

describe('diff A B: a damaged trajectory is named as not JSON, whatever its name or form', () => {
  let dir: string;
  let line = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-diff-damaged-'));
    // A trajectory as convert -o - writes it (sorted keys: it opens with {"agent":{), cut short.
    line = (await runCli(['convert', 'samples/hermes-session.atof.ndjson', '-q'])).stdout;
    assert.match(line, /^\{"agent":\{/);
    await writeFile(join(dir, 'h.ndjson'), line);
    await writeFile(join(dir, 'trunc.ndjson'), line.slice(0, 1000));
    await writeFile(join(dir, 'trunc.json'), line.slice(0, 1000));
    await writeFile(join(dir, 'first-line-cut.ndjson'), line.slice(0, 1000) + '\n' + line);
    await writeFile(join(dir, 'event-cut.ndjson'), '{"kind":"scope","atof_version":"0.');
    const log = await readFile(join(ROOT, 'samples/hermes-session.atof.ndjson'), 'utf8');
    await writeFile(join(dir, 'log-first-line-cut.ndjson'), log.slice(0, 40) + '\n' + log);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a truncated NDJSON line (.ndjson, .json, on stdin, alone, as line 1 of several) beside a trajectory: exit 2, not JSON, naming file and line', async () => {
    // The .ndjson one was "diff compares two trajectories … got the trajectory h.ndjson with trunc.ndjson".
    for (const [args, stdin, message] of [
      [['h.ndjson', 'trunc.ndjson'], undefined, /^relay-atif: trunc\.ndjson is not a JSON document: Unterminated string in JSON at position 1000 \(line 1, column 1001\)$/m],
      [['trunc.ndjson', 'h.ndjson'], undefined, /^relay-atif: trunc\.ndjson is not a JSON document/m],
      [['h.ndjson', 'trunc.json'], undefined, /^relay-atif: trunc\.json is not a JSON document: Unterminated string/m],
      [['h.ndjson', '-'], line.slice(0, 1000), /^relay-atif: - is not a JSON document: Unterminated string/m],
      [['trunc.ndjson'], undefined, /^relay-atif: trunc\.ndjson is not a JSON document/m],
      [['first-line-cut.ndjson', 'h.ndjson'], undefined, /^relay-atif: first-line-cut\.ndjson:1 is not a JSON document/m],
      // Nothing in it is JSON, beside a trajectory: said first, though it may have been an event.
      [['h.ndjson', 'event-cut.ndjson'], undefined, /^relay-atif: event-cut\.ndjson is not a JSON document/m],
    ] as const) {
      const r = await runCli(['diff', ...args], { cwd: dir, stdin });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '');
    }
    // An event log whose first line is broken is still an event log: beside a trajectory it is named
    // as one, and alone its line is a skip.
    const mixed = await runCli(['diff', 'h.ndjson', 'log-first-line-cut.ndjson'], { cwd: dir });
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /got the trajectory h\.ndjson with log-first-line-cut\.ndjson/);
    for (const args of [['log-first-line-cut.ndjson'], ['log-first-line-cut.ndjson', 'log-first-line-cut.ndjson']]) {
      const events = await runCli(['diff', ...args], { cwd: dir });
      assert.equal(events.code, 1, events.stderr);
      assert.match(events.stdout, /4 step\(s\) removed/);
      assert.match(events.stderr, /skipped not-json: 1 line\(s\) \(first at log-first-line-cut\.ndjson:1/);
    }
  });

  it('a damaged pretty file is named with the line and column of the damage; a byte-order mark by name', async () => {
    // V8 names a character position only ("at position 3000"), which a person cannot find in a pretty
    // file, and quoted a byte-order mark as an invisible "Unexpected token"; validate says both so.
    const pretty = JSON.stringify(JSON.parse(line), null, 2);
    await writeFile(join(dir, 'pretty.json'), pretty);
    await writeFile(join(dir, 'pretty-cut.json'), pretty.slice(0, 3000));
    await writeFile(join(dir, 'bom.json'), '\ufeff' + pretty);
    await writeFile(join(dir, 'bom.ndjson'), '\ufeff' + line);
    const at = pretty.slice(0, 3000).split('\n');
    for (const [args, message] of [
      [['pretty-cut.json', 'pretty.json'], new RegExp(`^relay-atif: pretty-cut\\.json is not a JSON document: .* at position 3000 \\(line ${at.length}, column \\d+\\)$`, 'm')],
      [['pretty.json', 'bom.json'], /^relay-atif: bom\.json is not a JSON document: it starts with a UTF-8 byte-order mark$/m],
      [['h.ndjson', 'bom.ndjson'], /^relay-atif: bom\.ndjson is not a JSON document: it starts with a UTF-8 byte-order mark$/m],
    ] as const) {
      const r = await runCli(['diff', ...args], { cwd: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    // validate names the same damage at the same place.
    assert.match((await runCli(['validate', 'pretty-cut.json'], { cwd: dir })).stdout, new RegExp(`at position 3000 \\(line ${at.length}, column \\d+\\)`));
  });
});

describe('diff --help tells the exit codes diff has', () => {
  it('3 for an input that cannot be read (a corrupt gzip trajectory), as the README table says', async () => {
    const help = (await runCli(['diff', '--help'])).stdout.replace(/\s+/g, ' ');
    // It said "(exit 0 equal, 1 different, 2 bad input)" only.
    assert.match(help, /\(exit 0 equal, 1 different, 2 bad input, 3 an input that cannot be read\)/);
    const dir = await mkdtemp(join(tmpdir(), 'relay-diff-help-'));
    try {
      const { gzipSync } = await import('node:zlib');
      await writeFile(join(dir, 'cut.json.gz'), gzipSync(await readFile(join(ROOT, A))).subarray(0, 40));
      const r = await runCli(['diff', join(ROOT, A), join(dir, 'cut.json.gz')]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /cannot read .*cut\.json\.gz/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
