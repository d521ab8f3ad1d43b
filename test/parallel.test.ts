import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineAccounting } from '../src/ingest/accounting.js';
import { routeCapture } from '../src/gateway/capture-route.js';
import { streamRecords, type InputRecord } from '../src/ingest/read-records.js';
import { Readable } from 'node:stream';
import { runCli, type CliRun } from './support/cli.js';
import { conformanceCases } from './support/shared.js';

// Workers start at once (no size threshold), so that small test inputs exercise them.
const EAGER = { env: { RELAY_ATIF_JOBS_AFTER_BYTES: '0' } };

async function inThreadAndOnWorkers(args: string[], jobs = 3): Promise<[CliRun, CliRun]> {
  const one = await runCli([...args, '--jobs', '1']);
  const many = await runCli([...args, '--jobs', String(jobs)], EAGER);
  return [one, many];
}

function assertSameRun(one: CliRun, many: CliRun): void {
  assert.equal(many.code, one.code, many.stderr);
  assert.equal(many.stdout, one.stdout);
  assert.equal(many.stderr, one.stderr);
}

/** Runs `fn` in a fresh temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-jobs-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const inputs = conformanceCases().map((c) => join(c.dir, 'input.ndjson'));

test('--jobs 3 writes exactly what --jobs 1 writes, report included, on every conformance input at once', { skip: inputs.length === 0 }, async () => {
  for (const profile of ['default', 'relay-0.3']) {
    const [one, many] = await inThreadAndOnWorkers(['convert', ...inputs, '-o', '-', '--json', '--validate', '--profile', profile]);
    assertSameRun(one, many);
    assert.ok(one.stdout.split('\n').length > 50, 'the inputs make many trajectories');
  }
});

test('--jobs with its workers counted behind from the first line (groups read from the input stay here, built ones go to them): the same run', { skip: inputs.length === 0 }, async () => {
  const behind = { env: { ...EAGER.env, RELAY_ATIF_WORKER_BACKLOG_BYTES: '0' } };
  for (const args of [['convert', ...inputs, '-o', '-', '--json'], ['convert', 'samples/', '-o', '-', '--json']]) {
    const one = await runCli([...args, '--jobs', '1']);
    const many = await runCli([...args, '--jobs', '2'], behind);
    assertSameRun(one, many);
  }
});

test('--jobs on stdin (size unknown): groups opened before the workers start stay here, later ones go to them', { skip: inputs.length === 0 }, async () => {
  const text = inputs.map((f) => readFileSync(f, 'utf8')).join('\n');
  const one = await runCli(['convert', '-', '-o', '-', '--json', '--jobs', '1'], { stdin: text });
  // The workers start once half the input has been routed.
  const many = await runCli(['convert', '-', '-o', '-', '--json', '--jobs', '2'], { stdin: text, env: { RELAY_ATIF_JOBS_AFTER_BYTES: String(Math.floor(text.length / 2)) } });
  assertSameRun(one, many);
});

test('--jobs sends events the raw-record replay built (no input line of their own) as their JSON', async () => {
  const [one, many] = await inThreadAndOnWorkers(['convert', 'samples/', '-o', '-', '--json']);
  assertSameRun(one, many);
  assert.match(one.stderr, /"replay"/);
});

test('--jobs: a built event is written back as the text it crossed to its worker in, exact numbers and all', async () => {
  // The worker writes a built event's observed copy as the JSON it was sent as: that text must be
  // what printing the event gives, numbers a double would change (1.0, 20 digits, 1e2) included.
  const sample = readFileSync('samples/claude-code-session.ndjson', 'utf8');
  const text = sample.replaceAll('"model":"claude-sonnet-4-5"', '"model":"claude-sonnet-4-5","temperature":1.0,"seed":12345678901234567890,"top_p":1e2');
  assert.notEqual(text, sample);
  await inTempDir(async (dir) => {
    const input = join(dir, 'numbers.ndjson');
    await writeFile(input, text);
    const [one, many] = await inThreadAndOnWorkers(['convert', input, '-o', '-']);
    assertSameRun(one, many);
    // Each built LLM start carries them twice: in its observed copy and in its step's llm_request.
    for (const literal of ['"seed":12345678901234567890,', '"temperature":1.0,', '"top_p":1e2}']) {
      assert.equal(many.stdout.split(literal).length - 1, 4, literal);
    }
  });
});

test('--jobs: directory and single-file outputs are the same files', async () => {
  await inTempDir(async (dir) => {
    const [one, many] = await Promise.all([1, 2].map(async (jobs) => {
      const out = join(dir, `j${jobs}`) + '/';
      const r = await runCli(['convert', 'samples/hermes-session.atof.ndjson', 'samples/claude-code-session.ndjson', '-o', out, '-q', '--jobs', String(jobs)], EAGER);
      assert.equal(r.code, 0, r.stderr);
      const names = (await readdir(out)).sort();
      return Promise.all(names.map(async (n) => [n, await readFile(join(out, n), 'utf8')]));
    }));
    assert.ok(one.length > 0);
    assert.deepEqual(many, one);
    const single = join(dir, 'one.json');
    const r = await runCli(['convert', 'samples/hermes-session.atof.ndjson', '-o', single, '-q', '--jobs', '2'], EAGER);
    assert.equal(r.code, 0, r.stderr);
    const r1 = await runCli(['convert', 'samples/hermes-session.atof.ndjson', '-o', '-', '-q', '--jobs', '1']);
    assert.deepEqual(JSON.parse(await readFile(single, 'utf8')), JSON.parse(r1.stdout));
  });
});

test('-o DIR/ writes the same files with --jobs 3 as with --jobs 1, every conformance input at once (files written at once, finished worker results among them), and the report lists them in output order', { skip: inputs.length === 0 }, async () => {
  await inTempDir(async (dir) => {
    const runs = await Promise.all([1, 3].map(async (jobs) => {
      const out = join(dir, `j${jobs}`) + '/';
      const report = join(dir, `report-${jobs}.json`);
      // The workers counted behind from the first line: groups read from the input stay here too.
      const env = jobs === 1 ? {} : EAGER.env;
      const r = await runCli(['convert', ...inputs, '-o', out, '-q', '--report', report, '--jobs', String(jobs)], { env });
      assert.equal(r.code, 0, r.stderr);
      const names = (await readdir(out)).sort();
      const files = await Promise.all(names.map(async (n) => [n, await readFile(join(out, n), 'utf8')]));
      const outputs = (JSON.parse(await readFile(report, 'utf8')) as { outputs: string[] }).outputs.map((p) => p.slice(out.length));
      return { files, outputs };
    }));
    assert.ok(runs[0].files.length >= 20, `${runs[0].files.length} files`);
    assert.ok(runs[0].files.some(([, text]) => text.length > 64 * 1024), 'some files are printed in several pieces');
    assert.deepEqual(runs[1].files, runs[0].files);
    assert.deepEqual(runs[1].outputs, runs[0].outputs);
  });
});

test('--jobs: late, waiting and unscoped events, and problem lines, are handled as in one thread', async () => {
  await inTempDir(async (dir) => {
    const uuid = (n: number) => `0198a000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
    const ev = (o: Record<string, unknown>) => JSON.stringify({ atof_version: '0.1', kind: 'scope', attributes: [], data: null, metadata: null, ...o });
    const lines = [
      ev({ kind: 'mark', uuid: uuid(3), parent_uuid: uuid(2), timestamp: at(1), name: 'waits for its parent', data: { n: 1.0 } }),
      ev({ uuid: uuid(1), timestamp: at(0), name: 'agent', category: 'agent', scope_category: 'start' }),
      ev({ uuid: uuid(2), parent_uuid: uuid(1), timestamp: at(1), name: 'fn', category: 'function', scope_category: 'start' }),
      '{"not": "a record"}',
      'not json',
      ev({ uuid: uuid(2), parent_uuid: uuid(1), timestamp: at(2), name: 'fn', category: 'function', scope_category: 'end' }),
      ev({ uuid: uuid(1), timestamp: at(3), name: 'agent', category: 'agent', scope_category: 'end' }),
      ev({ kind: 'mark', uuid: uuid(4), parent_uuid: uuid(1), timestamp: at(4), name: 'late' }),
      // Waits for uuid(9), which then turns out to be late: both are late-event skips.
      ev({ kind: 'mark', uuid: uuid(8), parent_uuid: uuid(9), timestamp: at(4), name: 'waits, then late' }),
      ev({ kind: 'mark', uuid: uuid(9), parent_uuid: uuid(2), timestamp: at(4), name: 'late, under a closed child scope' }),
      ev({ kind: 'mark', uuid: uuid(5), parent_uuid: uuid(404), timestamp: at(5), name: 'unscoped', data: 12345678901234567890 }),
      ev({ kind: 'mark', uuid: uuid(6), timestamp: 1767225600000000, name: 'numeric timestamp' }),
      ev({ uuid: uuid(7), timestamp: 'yesterday', name: 'bad', category: 'agent', scope_category: 'start' }),
    ];
    const file = join(dir, 'mixed.ndjson');
    await writeFile(file, lines.join('\n') + '\n');
    const [one, many] = await inThreadAndOnWorkers(['convert', file, '-o', '-', '--json']);
    assertSameRun(one, many);
    const report = JSON.parse(one.stderr) as { lines: { skipped: { by_reason: Record<string, { count: number }> } }; trajectories: Array<{ session_id: string; events: number }> };
    assert.equal(report.lines.skipped.by_reason['late-event'].count, 3, one.stderr);
    // Every line is accounted once: the late ones in no trajectory, the rest in one.
    assert.deepEqual(report.trajectories.map((t) => [t.session_id, t.events]), [[uuid(1), 5], ['unscoped', 2]]);
    const [strictOne, strictMany] = await inThreadAndOnWorkers(['convert', file, '-o', '-', '--strict', '-q']);
    assertSameRun(strictOne, strictMany);
    assert.equal(strictOne.code, 1);
  });
});

test('--jobs: a --strict stop still writes every trajectory that closed before the problem line', async () => {
  await inTempDir(async (dir) => {
    const uuid = (n: number) => `0198a000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
    const lines: string[] = [];
    for (let t = 0; t < 20; t++) {
      for (const phase of ['start', 'end']) {
        lines.push(JSON.stringify({ atof_version: '0.1', kind: 'scope', uuid: uuid(t + 1), timestamp: `2026-01-01T00:00:${String(t).padStart(2, '0')}Z`, name: 'agent', category: 'agent', scope_category: phase }));
      }
    }
    lines.push('not json');
    const file = join(dir, 'stops.ndjson');
    await writeFile(file, lines.join('\n') + '\n');
    const [one, many] = await inThreadAndOnWorkers(['convert', file, '-o', '-', '--strict', '-q', '--no-fix', 'no-empty-trajectories']);
    assertSameRun(one, many);
    assert.equal(one.code, 1);
    assert.equal(one.stdout.trim().split('\n').length, 20);
  });
});

test('explain --jobs 3 prints exactly the overview --jobs 1 prints (text and JSON, one trajectory or subagent trajectory asked for, an unknown one), on every conformance input at once and on the samples', { skip: inputs.length === 0 }, async () => {
  const behind = { env: { ...EAGER.env, RELAY_ATIF_WORKER_BACKLOG_BYTES: '0' } };
  const runs: string[][] = [
    ['explain', ...inputs],
    ['explain', ...inputs, '--json', '--profile', 'relay-0.3'],
    ['explain', 'samples/', '--json'],
    ['explain', 'samples/', '--trajectory', '019e788a-7768-72c4-bac5-d249d9134352'],
    // A subagent's trajectory: the part of the conversion that holds it.
    ['explain', ...inputs, '--trajectory', '019b7a80-1002-7000-8000-000010000002'],
    ['explain', 'samples/', '--trajectory', 'no-such-trajectory'],
  ];
  for (const args of runs) {
    const [one, many] = await inThreadAndOnWorkers(args);
    assertSameRun(one, many);
    // Workers counted behind from the first line: groups read from the input stay here, built ones go to them.
    assertSameRun(one, await runCli([...args, '--jobs', '2'], behind));
  }
  // The overview names spans by short ids unique among all of them: parts printed on workers get them too.
  const [one] = await inThreadAndOnWorkers(['explain', ...inputs]);
  assert.doesNotMatch(one.stdout, /<<[0-9a-f]{16}:/, 'no marker is left');
  assert.ok(one.stdout.split('\ntrajectory ').length > 50, 'the inputs make many trajectories');
});

test('explain --span --jobs 3 prints exactly what --jobs 1 prints (LLM and tool spans, prefixes, ambiguous and unknown queries; text, JSON, colours), on every conformance input at once', { skip: inputs.length === 0 }, async () => {
  const behind = { env: { ...EAGER.env, RELAY_ATIF_WORKER_BACKLOG_BYTES: '0' } };
  const queries = [
    '019c93d5-bb15-718b-9c34-612829000005', // an LLM span
    '019c9e8e-bede-7340-8baf-ade4a8000032', // a tool span
    '019c9e8e-bede-7340-8baf-ade4a80000', // a prefix of that one only
    '019c9e8e', // a prefix of several: ambiguous
    'ffffffff', // no span
  ];
  const answered = new Set<number>();
  for (const query of queries) {
    // Text and JSON for every query; colours (a terminal) for the first only: the styles are the same
    // for every report, and each run converts all 125 inputs three times (CI's 10 minutes).
    const variants: Array<[string[], { stdoutIsTTY?: boolean }]> = [[[], {}], [['--json'], {}]];
    if (query === queries[0]) variants.push([[], { stdoutIsTTY: true }]);
    for (const [extra, tty] of variants) {
      const args = ['explain', '--span', query, ...inputs, ...extra];
      const one = await runCli([...args, '--jobs', '1'], tty);
      answered.add(one.code);
      assertSameRun(one, await runCli([...args, '--jobs', '3'], { ...EAGER, ...tty }));
      assertSameRun(one, await runCli([...args, '--jobs', '2'], { ...behind, ...tty }));
    }
  }
  assert.deepEqual([...answered].sort(), [0, 2], 'reports and usage errors both compared');
});

test('explain --step --jobs 3 prints exactly what --jobs 1 prints (a root and a subagent trajectory, a step not in the output, an unknown trajectory, none asked for; text, JSON, colours)', { skip: inputs.length === 0 }, async () => {
  const behind = { env: { ...EAGER.env, RELAY_ATIF_WORKER_BACKLOG_BYTES: '0' } };
  const lookups = [
    ['--step', '2', '--trajectory', '019c9e8d-d831-767d-b2be-ade4a8000001'], // a root trajectory
    ['--step', '2', '--trajectory', '019b7a80-1002-7000-8000-000010000002'], // a subagent's
    ['--step', '99', '--trajectory', '019c9e8d-d831-767d-b2be-ade4a8000001'], // no such step
    ['--step', '1', '--trajectory', 'nope'],
    ['--step', '1'], // none asked for, and many trajectories
  ];
  const answered = new Set<number>();
  for (const lookup of lookups) {
    for (const [extra, tty] of [[[], {}], [['--json'], {}], [[], { stdoutIsTTY: true }]] as Array<[string[], { stdoutIsTTY?: boolean }]>) {
      const args = ['explain', ...lookup, ...inputs, ...extra];
      const one = await runCli([...args, '--jobs', '1'], tty);
      answered.add(one.code);
      assertSameRun(one, await runCli([...args, '--jobs', '3'], { ...EAGER, ...tty }));
      assertSameRun(one, await runCli([...args, '--jobs', '2'], { ...behind, ...tty }));
    }
  }
  assert.deepEqual([...answered].sort(), [0, 2], 'reports and usage errors both compared');
  // One trajectory in the input, none asked for: its step, found on a worker too.
  const single = ['explain', '--step', '2', 'samples/hermes-session.atof.ndjson'];
  const one = await runCli([...single, '--jobs', '1']);
  assert.equal(one.code, 0, one.stderr);
  assertSameRun(one, await runCli([...single, '--jobs', '3'], EAGER));
});

test('diff --jobs 3 prints exactly the dedupe diff --jobs 1 prints (text, JSON, colours), on every conformance input at once and on the samples', { skip: inputs.length === 0 }, async () => {
  const behind = { env: { ...EAGER.env, RELAY_ATIF_WORKER_BACKLOG_BYTES: '0' } };
  const runs: Array<[string[], { stdoutIsTTY?: boolean }]> = [
    [['diff', ...inputs], {}],
    [['diff', ...inputs, '--json', '--profile', 'relay-0.3'], {}],
    [['diff', 'samples/', '--json'], {}],
    [['diff', 'samples/'], { stdoutIsTTY: true }],
  ];
  for (const [args, tty] of runs) {
    const one = await runCli([...args, '--jobs', '1'], tty);
    assertSameRun(one, await runCli([...args, '--jobs', '3'], { ...EAGER, ...tty }));
    // Workers counted behind from the first line: groups read from the input stay here, built ones go to them.
    assertSameRun(one, await runCli([...args, '--jobs', '2'], { ...behind, ...tty }));
  }
  // The runs compare something: the pass removes steps, in many trajectories, and colours survive the workers.
  const [text] = await inThreadAndOnWorkers(['diff', ...inputs]);
  assert.equal(text.code, 1, 'the dedupe pass changed the trajectories');
  assert.ok(text.stdout.split('\ntrajectory ').length > 50, 'the inputs make many trajectories');
  assert.match(text.stdout, /[1-9]\d* step\(s\) removed/);
  const coloured = await runCli(['diff', 'samples/', '--jobs', '3'], { ...EAGER, stdoutIsTTY: true });
  assert.match(coloured.stdout, /\u001b\[1mtrajectory /);
});

test('--jobs must be a whole number from 1, in decimal digits', async () => {
  // Number() reads these as numbers too (0x2 as 2, 1e1 as 10): none is a whole number as the message says it.
  for (const bad of ['0', '-2', 'two', '1.5', '0x2', '1e1', '0b10', '0o7', '2.0', '+2', 'Infinity', '', '257']) {
    const r = await runCli(['convert', 'samples/', '-o', '-', '--jobs', bad]);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /--jobs must be a whole number/);
  }
});

async function readBoth(texts: string[]) {
  const read = async (envelopeOnly: boolean) => {
    const acct = new LineAccounting();
    const records: InputRecord[] = [];
    const source = { name: 'in.ndjson', open: () => Readable.from([Buffer.from(texts.join('\n'))]) };
    for await (const r of streamRecords([source], acct, { envelopeOnly: () => envelopeOnly, routeCapture })) records.push(r);
    const summary = records.map((r) =>
      r.kind === 'atof'
        ? [r.event.uuid, r.event.parentUuid, r.event.kind, r.event.scopeCategory, r.event.category, r.event.name, r.event.seq, String(r.event.ts), r.event.rawText, r.event.origin]
        : [r.kind, r.order],
    );
    return { summary, accounting: acct.toJSON() };
  };
  return [await read(true), await read(false)];
}

test("envelope-only reading accounts every line as the full reader does, and keeps each event's envelope and line", async () => {
  const texts = [
    '{"atof_version":"0.1","kind":"mark","uuid":"0198a000-0000-7000-8000-000000000001","timestamp":"2026-01-01T00:00:00Z","name":"m","data":{"x":1.0}}',
    '{"atof_version":"0.1","kind":"mark","uuid":"0198a000-0000-7000-8000-000000000002","timestamp":1.5e3,"name":"m"}',
    '{"atof_version":"0.1","kind":"mark","uuid":"0198a000-0000-7000-8000-000000000003","timestamp":17672256000000000000000,"name":"m"}',
    '{"atof_version":"0.1","kind":"scope","uuid":"0198a000-0000-7000-8000-000000000004","timestamp":"2026-01-01T00:00:00Z","name":"s"}',
    '{"atof_version":"0.1","kind":"mark","uuid":"not-a-uuid","timestamp":"2026-01-01T00:00:00Z","name":"m"}',
    '{"atof_version":"0.1","kind":"mark","uuid":"0198a000-0000-7000-8000-000000000005","timestamp":"2026-01-01T00:00:00Z","name":"m","data":{"x":01}}',
    '{"atof_version":"0.1","kind":"mark",',
    '',
    '{"record":"hook","agent":"claude-code","received_at":"2026-01-01T00:00:00Z","payload":{"hook_event_name":"SessionStart","session_id":"s"}}',
  ];
  const [envelope, full] = await readBoth(texts);
  assert.deepEqual(envelope, full);
});

test('envelope-only reading agrees with the full reader on random and damaged ATOF lines', async () => {
  const uuidArb = fc.oneof(fc.uuid(), fc.constantFrom('not-a-uuid', '0198A000-0000-7000-8000-00000000000A', '{0198a000-0000-7000-8000-000000000001}'));
  const event = fc.record(
    {
      atof_version: fc.constantFrom('0.1', 0.1),
      kind: fc.constantFrom('scope', 'mark', 'other'),
      uuid: uuidArb,
      parent_uuid: fc.option(uuidArb),
      timestamp: fc.oneof(fc.constantFrom('2026-01-01T00:00:00.123+00:00', '2026-01-01T00:00:00Z', '2026-13-01T00:00:00Z', 'later'), fc.integer({ min: 0, max: 2 ** 53 })),
      name: fc.oneof(fc.string(), fc.constant(7)),
      scope_category: fc.constantFrom('start', 'end', 'middle'),
      category: fc.option(fc.constantFrom('agent', 'llm', 'tool')),
      attributes: fc.oneof(fc.constant(null), fc.array(fc.string()), fc.constant([1])),
      category_profile: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), fc.jsonValue()), fc.constant('p')),
      data: fc.jsonValue(),
      metadata: fc.jsonValue(),
    },
    { requiredKeys: ['kind', 'uuid', 'timestamp'] },
  );
  const line = fc.tuple(event, fc.nat(), fc.nat({ max: 2 }), fc.constantFrom('', '"', ',', '}', '0', '\\', ' '), fc.boolean()).map(([e, at, cut, put, damage]) => {
    const text = JSON.stringify(e);
    if (!damage) return text;
    const i = at % text.length;
    return text.slice(0, i) + put + text.slice(i + cut);
  });
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), async (texts) => {
      const [envelope, full] = await readBoth(texts);
      assert.deepEqual(envelope, full);
    }),
    { numRuns: 300 },
  );
});
