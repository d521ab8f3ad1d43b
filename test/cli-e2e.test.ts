import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { zstdFrame } from './support/zstd.js';

// End to end: spawn the real bin (built by `npm test` before the tests run) the way a shell would.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'relay-atif.js');
const SAMPLE = join(ROOT, 'samples', 'hermes-session.atof.ndjson');
let work: string;

function run(args: string[], opts: { input?: string | Buffer; cwd?: string; timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? work, input: opts.input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: opts.timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'relay-atif-e2e-'));
});

test('stdin: NDJSON trajectories on stdout, the summary on stderr', () => {
  const r = run(['convert', '-'], { input: readFileSync(SAMPLE) });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const t = JSON.parse(lines[0]);
  assert.equal(t.schema_version, 'ATIF-v1.7');
  assert.equal(t.extra.observed_events.length, 14, 'the reference plugin keeps the raw events');
  assert.match(r.stderr, /14 lines, 14 events → 1 trajectory/);
});

test('a directory input and -o DIR/ write one file per top-level agent', () => {
  const dir = join(work, 'in-dir');
  mkdirSync(join(dir, 'nested'), { recursive: true });
  copyFileSync(SAMPLE, join(dir, 'nested', 'a.ndjson'));
  writeFileSync(join(dir, 'ignored.txt'), 'not an input');
  const r = run(['convert', dir, '-o', 'out-dir/']);
  assert.equal(r.code, 0, r.stderr);
  const files = readdirSync(join(work, 'out-dir'));
  assert.deepEqual(files, ['trajectory-01972d4e-8a00-7000-8000-000000000001.json']);
});

test('files a directory walk passes over are said, in the summary of every command and in --report; --strict does not fail on them', () => {
  const dir = join(work, 'passed-dir');
  mkdirSync(dir, { recursive: true });
  copyFileSync(SAMPLE, join(dir, 'a.ndjson'));
  writeFileSync(join(dir, 'events.json'), readFileSync(SAMPLE)); // NDJSON under a name a walk does not read
  writeFileSync(join(dir, '.DS_Store'), ''); // hidden: not said
  const r = run(['convert', dir, '--strict', '--report', 'passed-report.json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\n {2}passed over 1 file in the directories given, not named as inputs \(\*\.ndjson, \*\.jsonl, \*\.har, optionally \.gz or \.zst, rotated copies such as \*\.ndjson\.1, or \*\.zhar\): .*passed-dir\/events\.json; name a file to read it whatever its name\n/);
  const report = JSON.parse(readFileSync(join(work, 'passed-report.json'), 'utf8'));
  assert.deepEqual(report.lines.passed_over_files, { count: 1, files: [join(dir, 'events.json')] });
  assert.equal(report.lines.total, 14, 'no line of a file passed over is counted');
  for (const command of [['events', dir], ['explain', dir]]) assert.match(run(command).stderr, /passed over 1 file .*events\.json/, command[0]);
  const quiet = run(['convert', dir, '--quiet']);
  assert.equal(quiet.stderr, '');
  const only = join(work, 'only-json');
  mkdirSync(only, { recursive: true });
  writeFileSync(join(only, 'events.json'), readFileSync(SAMPLE));
  const none = run(['convert', only]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no input files .* under .*only-json; it holds .*only-json\/events\.json, read only when named as inputs\n$/);
});

test('a rotated log directory whose older part logrotate compressed with zstd (events.1.ndjson.zst) converts as the whole log; it was passed over', () => {
  const dir = join(work, 'rotated-zst');
  mkdirSync(dir);
  const lines = readFileSync(SAMPLE, 'utf8').split('\n');
  writeFileSync(join(dir, 'events.1.ndjson.zst'), zstdFrame(lines.slice(0, 7).join('\n') + '\n'));
  writeFileSync(join(dir, 'events.ndjson'), lines.slice(7).join('\n'));
  const rotated = run(['convert', dir]);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.equal(rotated.stdout, run(['convert', SAMPLE]).stdout);
  assert.match(rotated.stderr, /14 lines, 14 events → 1 trajectory \(stdout\); 0 skipped, 0 rejected\n$/);
  // Named, or through stdin (`zstdcat` not needed), it reads the same.
  assert.equal(run(['convert', '-'], { input: zstdFrame(readFileSync(SAMPLE)) }).stdout, rotated.stdout);
});

test("a directory logrotate rotated (events.ndjson.2.gz, events.ndjson.1, events.ndjson) converts as the whole log: read oldest first, none passed over", () => {
  const dir = join(work, 'logrotate');
  mkdirSync(dir);
  const lines = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
  const part = (from: number, to: number) => lines.slice(from, to).join('\n') + '\n';
  writeFileSync(join(dir, 'events.ndjson.2.gz'), gzipSync(part(0, 5)));
  writeFileSync(join(dir, 'events.ndjson.1'), part(5, 10));
  writeFileSync(join(dir, 'events.ndjson'), part(10, 14));
  const r = run(['convert', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, run(['convert', SAMPLE]).stdout);
  assert.equal(r.stderr, 'relay-atif: 14 lines, 14 events → 1 trajectory (stdout); 0 skipped, 0 rejected\n', 'nothing passed over, nothing out of order');
});

test('a session whose start is in a file read after its turn (rotated files, newest first) is said: its turn is a trajectory of its own', () => {
  const dir = join(work, 'rotated-newest-first');
  mkdirSync(dir);
  const lines = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
  // events.1.ndjson is read first: the turn and the session's end; events.2.ndjson holds the session's start.
  writeFileSync(join(dir, 'events.1.ndjson'), lines.slice(1).join('\n') + '\n');
  writeFileSync(join(dir, 'events.2.ndjson'), lines[0] + '\n');
  const r = run(['convert', dir, '--report', join(work, 'rotated-report.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1, 'the turn alone: its session has no step of its own');
  assert.match(r.stderr, /\n {2}1 top-level agent scope was read before its parent scope \(input out of order: rotated files given newest first\?\): it was written as a trajectory of its own, not in its parent's; the first: .*events\.1\.ndjson:1: hermes-turn 01972d4e-8a00-7000-8000-000000000002, whose parent hermes 01972d4e-8a00-7000-8000-000000000001 comes at .*events\.1\.ndjson:13; give the files oldest first\n/);
  const report = JSON.parse(readFileSync(join(work, 'rotated-report.json'), 'utf8'));
  assert.equal(report.scopes_before_parent.count, 1);
  assert.deepEqual(report.scopes_before_parent.first.parent, { uuid: '01972d4e-8a00-7000-8000-000000000001', name: 'hermes', file: join(dir, 'events.1.ndjson'), line: 13 });
  // In order, nothing is said.
  const ordered = run(['convert', join(dir, 'events.2.ndjson'), join(dir, 'events.1.ndjson'), '--json', '-o', '/dev/null']);
  assert.equal(JSON.parse(ordered.stderr).scopes_before_parent, undefined);
  assert.doesNotMatch(run(['explain', join(dir, 'events.2.ndjson'), join(dir, 'events.1.ndjson')]).stderr, /before its parent/);
  assert.match(run(['explain', dir]).stderr, /1 top-level agent scope was read before its parent scope/);
});

test('a quoted glob, a .gz file detected by magic bytes, and -o FILE.json', () => {
  writeFileSync(join(work, 'g1.jsonl.gz'), gzipSync(readFileSync(SAMPLE)));
  writeFileSync(join(work, 'g2.log'), gzipSync(readFileSync(SAMPLE)));
  const r = run(['convert', 'g1.*', '-o', 'one.json']);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(readFileSync(join(work, 'one.json'), 'utf8'));
  assert.equal(t.steps.length, 3, 'user, agent (tool call), agent: the tool-result continuation writes no user step (no-repeated-user-step)');
  const renamed = run(['convert', 'g2.log', '--no-observed-events']);
  assert.equal(renamed.code, 0, renamed.stderr);
  // Without the observed events, the root extra keeps only the agent's session (fix agent-session-extra).
  assert.deepEqual(JSON.parse(renamed.stdout).extra, { nemo_relay: { agent_kind: 'hermes', session_id: 'hermes-1' } });
});


test('the built CLI is the bundle, and its export workers (dist/bundle/worker.js) write what one thread writes', () => {
  const bundle = join(ROOT, 'dist', 'bundle');
  assert.ok(existsSync(join(bundle, 'relay-atif.js')) && existsSync(join(bundle, 'worker.js')), 'npm run build writes both bundles');
  const samples = join(ROOT, 'samples');
  const outputs = ['1', '2'].map((jobs) => {
    // Workers from the first byte: every trajectory after the first is converted by a worker.
    const r = spawnSync(process.execPath, [BIN, 'convert', samples, '-o', '-', '--jobs', jobs], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', RELAY_ATIF_JOBS_AFTER_BYTES: '0' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  });
  assert.ok(outputs[0].trim().split('\n').length >= 4, 'several trajectories, so that workers convert some');
  assert.equal(outputs[1], outputs[0]);
});

test('-o FILE refuses a second trajectory as soon as it comes, in one thread or with workers, and writes nothing', () => {
  const dir = join(work, 'two-sessions');
  mkdirSync(dir);
  copyFileSync(join(ROOT, 'samples', 'hermes-session.atof.ndjson'), join(dir, 'a.ndjson'));
  copyFileSync(join(ROOT, 'samples', 'claude-code-session.ndjson'), join(dir, 'b.ndjson'));
  for (const jobs of ['1', '2']) {
    const r = spawnSync(process.execPath, [BIN, 'convert', dir, '-o', 'two.json', '--jobs', jobs], {
      cwd: work,
      encoding: 'utf8',
      // Workers from the first byte, so that the second trajectory is refused while a worker holds it.
      env: { ...process.env, NO_COLOR: '1', RELAY_ATIF_JOBS_AFTER_BYTES: '0' },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /-o \S*\/two\.json names one file but the input holds more than one trajectory \(01972d4e-8a00-7000-8000-000000000001, then [0-9a-f-]{36}\); give a directory/, jobs);
    assert.ok(!existsSync(join(work, 'two.json')), 'nothing is written');
    assert.deepEqual(readdirSync(work).filter((f) => f.includes('two.json')), [], 'no temp file is left');
  }
});
test('-o FILE is put in place only when the run completes: a --strict stop after its trajectory leaves neither it nor a temp file', () => {
  // The trajectory closes (and is written into its temp file) before the bad line stops the run.
  const input = readFileSync(SAMPLE, 'utf8') + '{not json\n';
  for (const extra of [[], ['--report', 'stopped-report.json']]) {
    const r = run(['convert', '-', '-o', 'stopped.json', '--strict', ...extra], { input });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--strict: -:\d+: skipped \(not-json\)/);
    assert.deepEqual(readdirSync(work).filter((f) => f.includes('stopped.json')), [], 'no output, no temp file');
  }
  assert.match(JSON.parse(readFileSync(join(work, 'stopped-report.json'), 'utf8')).stopped, /not-json/);
  // Without the bad line the same run writes the file.
  const ok = run(['convert', '-', '-o', 'stopped.json', '--strict'], { input: readFileSync(SAMPLE, 'utf8') });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(readFileSync(join(work, 'stopped.json'), 'utf8')).schema_version, 'ATIF-v1.7');
});

test('-o through a symbolic link or to a device or FIFO writes to what it names, never replacing it', async () => {
  // A link to a file: the file gets the trajectory, the link stays a link.
  writeFileSync(join(work, 'real.json'), 'old');
  symlinkSync(join(work, 'real.json'), join(work, 'link.json'));
  const viaLink = run(['convert', SAMPLE, '-o', 'link.json', '-q']);
  assert.equal(viaLink.code, 0, viaLink.stderr);
  assert.ok(lstatSync(join(work, 'link.json')).isSymbolicLink());
  assert.equal(JSON.parse(readFileSync(join(work, 'real.json'), 'utf8')).schema_version, 'ATIF-v1.7');
  // A link to /dev/null (a character device): written to, both left as they were (renaming would replace the link).
  symlinkSync('/dev/null', join(work, 'null.json'));
  const toDevice = run(['convert', SAMPLE, '-o', 'null.json', '-q']);
  assert.equal(toDevice.code, 0, toDevice.stderr);
  assert.ok(lstatSync(join(work, 'null.json')).isSymbolicLink());
  assert.ok(statSync('/dev/null').isCharacterDevice());
  // A FIFO: a reader on the other end receives the trajectory; the FIFO stays a FIFO.
  if (process.platform !== 'win32' && spawnSync('mkfifo', [join(work, 'pipe.json')]).status === 0) {
    const reader = spawn('cat', [join(work, 'pipe.json')]);
    const received: Buffer[] = [];
    reader.stdout.on('data', (b: Buffer) => received.push(b));
    const closed = new Promise((done) => reader.on('close', done));
    const writer = spawn(process.execPath, [BIN, 'convert', SAMPLE, '-o', 'pipe.json', '-q'], { cwd: work });
    const code = await new Promise((done) => writer.on('close', done));
    await closed;
    assert.equal(code, 0);
    assert.ok(lstatSync(join(work, 'pipe.json')).isFIFO());
    assert.equal(JSON.parse(Buffer.concat(received).toString('utf8')).schema_version, 'ATIF-v1.7');
  }
});

test('observed events: in a pretty file printed like the rest (indented, keys sorted); on stdout each is its input line', () => {
  const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n');
  // The first event re-written with spaces and its keys in reverse order.
  const first = JSON.parse(lines[0]);
  const loose = '{ ' + Object.keys(first).reverse().map((k) => `${JSON.stringify(k)}: ${JSON.stringify(first[k])}`).join(', ') + ' }';
  writeFileSync(join(work, 'loose.ndjson'), [loose, ...lines.slice(1)].join('\n') + '\n');
  const file = run(['convert', 'loose.ndjson', '-o', 'loose.json', '-q']);
  assert.equal(file.code, 0, file.stderr);
  const text = readFileSync(join(work, 'loose.json'), 'utf8');
  assert.match(text, /"observed_events": \[\n      \{\n        "atof_version": "0\.1",\n        "attributes": \[\],/);
  assert.ok(!text.includes(loose), 'no input line copied into a pretty file');
  const stdout = run(['convert', 'loose.ndjson', '-q']);
  assert.ok(stdout.stdout.includes(loose), 'NDJSON output keeps each observed event as its input line');
  assert.deepEqual(JSON.parse(stdout.stdout).extra, JSON.parse(text).extra);
});

test('a truncated .gz input: every trajectory complete before the damage is written, to stdout and to files alike (exit 3)', () => {
  // The sample 50 times over, each copy with its own uuids, gzipped and cut halfway.
  const sample = readFileSync(SAMPLE, 'utf8');
  const copies = Array.from({ length: 50 }, (_, i) => sample.replaceAll('-8000-', `-8${String(i).padStart(3, '0')}-`)).join('');
  const gz = gzipSync(copies);
  writeFileSync(join(work, 'cut.ndjson.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  const toStdout = run(['convert', 'cut.ndjson.gz', '-q']);
  assert.equal(toStdout.code, 3, toStdout.stderr);
  const lines = toStdout.stdout.trim().split('\n').length;
  assert.ok(lines > 5, `${lines} trajectories before the damage`);
  const toFiles = run(['convert', 'cut.ndjson.gz', '-o', 'cut-out/', '-q']);
  assert.equal(toFiles.code, 3, toFiles.stderr);
  assert.equal(readdirSync(join(work, 'cut-out')).filter((f) => f.endsWith('.json')).length, lines);
  // --report and --json still say what was read and written, and why the run stopped (exit 3 all the same).
  const reported = run(['convert', 'cut.ndjson.gz', '--report', 'cut-report.json', '--json']);
  assert.equal(reported.code, 3, reported.stderr);
  const report = JSON.parse(readFileSync(join(work, 'cut-report.json'), 'utf8'));
  assert.match(report.stopped, /cut\.ndjson\.gz: corrupt or truncated gzip data/);
  assert.equal(report.trajectories.length, lines);
  assert.deepEqual(JSON.parse(reported.stderr), report);
  const plain = run(['convert', 'cut.ndjson.gz', '--report', 'cut-report-2.json']);
  assert.equal(plain.code, 3);
  assert.match(plain.stderr, /^relay-atif: cut\.ndjson\.gz: corrupt or truncated gzip data/m);
  assert.ok(existsSync(join(work, 'cut-report-2.json')));
});

test('a .har document: LLM entries become gateway calls, other routes are counted skips', () => {
  const r = run(['convert', join(ROOT, 'test', 'fixtures', 'gateway', 'session.har'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout.trim());
  assert.equal(t.schema_version, 'ATIF-v1.7');
  assert.ok(t.steps.some((s: { source: string }) => s.source === 'agent'));
  const report = JSON.parse(r.stderr.trim().split('\n').find((l) => l.startsWith('{'))!);
  assert.equal(report.lines.skipped.by_reason['unsupported-route'].count, 1);
  assert.equal(report.lines.used.by_kind.har, 2);
});

test('a pretty-printed .har that does not parse is one explained problem: every line a not-json skip naming the document and the failing line', () => {
  const lines = readFileSync(join(ROOT, 'test', 'fixtures', 'gateway', 'session.har'), 'utf8').split('\n');
  lines[40] += ' garbage';
  const file = join(work, 'damaged.har');
  writeFileSync(file, lines.join('\n'));
  const r = run(['convert', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stderr.trim());
  const nonBlank = lines.filter((l) => l.trim() !== '').length;
  assert.equal(report.lines.skipped.by_reason['not-json'].count, nonBlank);
  assert.equal(report.lines.total, lines.length - 1, 'every line of the file (it ends with a newline) is accounted');
  assert.match(report.lines.skipped.by_reason['not-json'].examples[0].message, /^line 1 opens a multi-line JSON document .* does not parse: .*\(line 41\)$/);
  // The same damage in the first record of an NDJSON file is that line's problem alone.
  const ndjson = join(work, 'broken-first.ndjson');
  writeFileSync(ndjson, '{"atof_version":"0.1","kind":\n' + readFileSync(SAMPLE, 'utf8'));
  const n = run(['convert', ndjson, '--json']);
  assert.equal(n.code, 0, n.stderr);
  const nReport = JSON.parse(n.stderr.trim());
  assert.equal(nReport.lines.skipped.by_reason['not-json'].count, 1);
  assert.ok(nReport.lines.used.by_kind.atof > 0);
});

test('-o FILE with several trajectories is a usage error naming the first two', () => {
  const two = readFileSync(SAMPLE, 'utf8') + readFileSync(SAMPLE, 'utf8').replaceAll('01972d4e-8a00-7000-8000-0000000000', '01972d4e-8a00-7000-8000-0000000001');
  const r = run(['convert', '-', '-o', 'many.json'], { input: two });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /holds more than one trajectory \(01972d4e-8a00-7000-8000-000000000001, then 01972d4e-8a00-7000-8000-000000000101\)/);
  assert.equal(existsSync(join(work, 'many.json')), false);
  // None at all is no usage error: nothing is written, as on stdout or in a directory.
  const none = run(['convert', '-', '-o', 'none.json'], { input: '\n' });
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stderr, /→ 0 trajectories/);
  assert.equal(existsSync(join(work, 'none.json')), false);
});

test('exit codes: missing input 2, unreadable input 3, unwritable output 4, --strict with a bad line 1', () => {
  const missing = run(['convert', 'nope.ndjson']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.ndjson/);
  writeFileSync(join(work, 'broken.ndjson.gz'), gzipSync(readFileSync(SAMPLE)).subarray(0, 60));
  const broken = run(['convert', 'broken.ndjson.gz']);
  assert.equal(broken.code, 3, broken.stderr);
  assert.match(broken.stderr, /broken\.ndjson\.gz/);
  mkdirSync(join(work, 'ro'));
  chmodSync(join(work, 'ro'), 0o500);
  const unwritable = run(['convert', SAMPLE, '-o', join(work, 'ro', 'sub', 'x') + '/']);
  if (process.getuid?.() !== 0) assert.equal(unwritable.code, 4, unwritable.stderr);
  const blocked = run(['convert', SAMPLE, '-o', join(work, 'in-dir', 'ignored.txt', 'x.json')]);
  assert.equal(blocked.code, 4, blocked.stderr);
  // Where the kernel answers ENOENT for a child of a directory that exists (/proc), Node's recursive
  // mkdir spins forever: the run must end, with the output exit code. A dangling link on the way too.
  symlinkSync(join(work, 'no-such-target'), join(work, 'dangling'));
  // A file on the way of an output directory is named (node's message named its call and path).
  writeFileSync(join(work, 'a-file'), '');
  const fileOnTheWay = run(['convert', SAMPLE, '-o', join(work, 'a-file', 'out') + '/']);
  assert.equal(fileOnTheWay.code, 4, fileOnTheWay.stderr);
  assert.match(fileOnTheWay.stderr, /cannot create output directory .*a-file\/out: .*a-file is not a directory\n/);
  const dangling = run(['convert', SAMPLE, '-o', join(work, 'dangling', 'out') + '/'], { timeout: 20_000 });
  assert.equal(dangling.code, 4, dangling.stderr);
  assert.match(dangling.stderr, /cannot create output directory .*dangling\/out: .*dangling is a symbolic link to .*no-such-target, which does not exist/);
  // The same link in the directory of an output file, or of the report, is named too (it was "the
  // directory …/dangling does not exist", which a user who sees the link there cannot make sense of).
  for (const args of [['-o', join(work, 'dangling', 'x.json')], ['-o', '/dev/null', '--report', join(work, 'dangling', 'sub', 'r.json')]]) {
    const r = run(['convert', SAMPLE, ...args]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /cannot write .*dangling\/.*: .*dangling is a symbolic link to .*no-such-target, which does not exist\n/, args.join(' '));
  }
  if (existsSync('/proc/self')) {
    const proc = run(['convert', SAMPLE, '-o', '/proc/relay-atif-nope/'], { timeout: 20_000 });
    assert.equal(proc.code, 4, proc.stderr);
    assert.match(proc.stderr, /cannot create output directory \/proc\/relay-atif-nope: ENOENT: no such file or directory\n/);
  }
  const bad = readFileSync(SAMPLE, 'utf8') + '{"kind":"scope","atof_version":"0.1","uuid":"not-a-uuid"}\n';
  writeFileSync(join(work, 'bad.ndjson'), bad);
  const lenient = run(['convert', 'bad.ndjson']);
  assert.equal(lenient.code, 0);
  assert.match(lenient.stderr, /rejected invalid-atof: 1 line\(s\) \(first at bad\.ndjson:15/);
  const strict = run(['convert', 'bad.ndjson', '--strict']);
  assert.equal(strict.code, 1);
});

test('stdin that is a directory (`convert < logs/`) cannot be read: exit 3 saying so, in every command that reads stdin', () => {
  // Node reads a directory on fd 0 as an empty stream: the run said "0 lines" and exited 0.
  const dir = join(work, 'stdin-dir');
  mkdirSync(dir, { recursive: true });
  copyFileSync(SAMPLE, join(dir, 'a.ndjson'));
  for (const args of [['convert'], ['convert', '-'], ['events'], ['explain'], ['diff'], ['validate']]) {
    const fd = openSync(dir, 'r');
    try {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(r.status, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /cannot read.*EISDIR: standard input is a directory/, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    } finally {
      closeSync(fd);
    }
  }
});

test('events --strict stops at the first problem line and names it, as convert does; lenient, it prints every event', () => {
  writeFileSync(join(work, 'events-garbage.ndjson'), readFileSync(SAMPLE, 'utf8') + 'garbage\n');
  const strict = run(['events', 'events-garbage.ndjson', '--strict']);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /^relay-atif: --strict: events-garbage\.ndjson:15: skipped \(not-json\): /);
  const lenient = run(['events', 'events-garbage.ndjson']);
  assert.equal(lenient.code, 0);
  assert.equal(lenient.stdout.trim().split('\n').length, 14);
});

test('a --report whose directory does not exist is refused before anything is read or written (exit 4)', () => {
  const r = run(['convert', SAMPLE, '-o', 'report-missing-out/', '--report', 'no-such-dir/r.json']);
  assert.equal(r.code, 4);
  assert.match(r.stderr, /cannot write .*no-such-dir\/r\.json: the directory .*no-such-dir does not exist/);
  assert.equal(existsSync(join(work, 'report-missing-out')), false);
  // The directory of -o DIR/ is made by the run: a report in it is fine.
  const inOut = run(['convert', SAMPLE, '-o', 'report-made-out/', '--report', 'report-made-out/r.json', '-q']);
  assert.equal(inOut.code, 0, inOut.stderr);
  assert.equal(JSON.parse(readFileSync(join(work, 'report-made-out', 'r.json'), 'utf8')).lines.total, 14);
});

/** Runs the bin with stdin left open (nothing ever read): what it says and its status, or null when it had to be killed. */
async function runOnOpenStdin(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  child.stdin.destroy();
  return { code, stderr };
}

test('-o FILE whose directory does not exist is refused before anything is read (exit 4), as --report is', async () => {
  // It was found when the first trajectory was printed: at the end of a log of one session, after the
  // whole input was read (here: never, stdin stays open), or not at all for input with no trajectory.
  const { code, stderr } = await runOnOpenStdin(['convert', '-', '-o', 'no-such-out-dir/run.json']);
  assert.equal(code, 4, stderr);
  assert.match(stderr, /^relay-atif: cannot write .*no-such-out-dir\/run\.json: the directory .*no-such-out-dir does not exist\n$/);
  // With no trajectory to write, the same (it was exit 0).
  const empty = run(['convert', '-', '-o', 'no-such-out-dir/run.json'], { input: '' });
  assert.equal(empty.code, 4, empty.stderr);
  assert.equal(existsSync(join(work, 'no-such-out-dir')), false);
});

test('a --report that names a directory is refused before anything is read (exit 4)', async () => {
  // `--report out/` (meant: a report in out/) was EISDIR after the whole run.
  mkdirSync(join(work, 'report-is-dir'), { recursive: true });
  for (const report of ['report-is-dir', 'report-is-dir/']) {
    const { code, stderr } = await runOnOpenStdin(['convert', '-', '--report', report]);
    assert.equal(code, 4, stderr);
    assert.match(stderr, /^relay-atif: cannot write .*report-is-dir: it is a directory\n$/);
  }
});

test('--report writes the line accounting as JSON', () => {
  const r = run(['convert', SAMPLE, '--report', 'report.json', '-q']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const report = JSON.parse(readFileSync(join(work, 'report.json'), 'utf8'));
  assert.equal(report.lines.total, 14);
  assert.equal(report.lines.used.by_kind.atof, 14);
  assert.equal(report.trajectories[0].suppressed_llm_spans, 2);
});

test('--strict --report: the run stops at the problem line (exit 1) and still writes its report, replacing an older one', () => {
  writeFileSync(join(work, 'strict-report.json'), '{"from":"an earlier run"}');
  writeFileSync(join(work, 'one-bad.ndjson'), readFileSync(SAMPLE, 'utf8') + 'not json\n');
  const r = run(['convert', 'one-bad.ndjson', '--strict', '--report', 'strict-report.json', '-q']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--strict: one-bad\.ndjson:15: skipped \(not-json\)/);
  const report = JSON.parse(readFileSync(join(work, 'strict-report.json'), 'utf8'));
  assert.equal(report.lines.total, 15);
  assert.equal(report.lines.skipped.by_reason['not-json'].examples[0].line, 15);
  assert.match(report.stopped, /one-bad\.ndjson:15/);
  assert.deepEqual(readdirSync(work).filter((f) => f.includes('strict-report') && f.endsWith('.tmp')), [], 'written through a temp file, none left');
});

test('--strict --report: a stop found after reading (a late event, a repeated one) counts no line past it, whatever was read ahead', () => {
  const sample = readFileSync(SAMPLE, 'utf8');
  writeFileSync(join(work, 'twice-a.ndjson'), sample);
  writeFileSync(join(work, 'twice-b.ndjson'), sample);
  for (const jobs of ['1', '2']) {
    const r = run(['convert', 'twice-a.ndjson', 'twice-b.ndjson', '--strict', '--json', '-o', '/dev/null', '--jobs', jobs]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stderr);
    assert.match(report.stopped, /twice-b\.ndjson:1: skipped \(event-copy\)/);
    // The 14 lines of the first file, and the stop line: the 13 lines after it were read, never converted.
    assert.deepEqual([report.lines.total, report.lines.used.total, report.lines.skipped.total], [15, 14, 1], `--jobs ${jobs}`);
  }
});

test('--strict --json: a stopped run still prints its JSON report alone on stderr (exit 1)', () => {
  writeFileSync(join(work, 'one-bad-json.ndjson'), readFileSync(SAMPLE, 'utf8') + 'not json\n');
  const r = run(['convert', 'one-bad-json.ndjson', '--strict', '--json', '-o', '/dev/null']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stderr);
  assert.match(report.stopped, /--strict: one-bad-json\.ndjson:15: skipped \(not-json\)/);
  assert.equal(report.lines.total, 15);
});

test('--report and -o never overwrite an output or an input (real paths compared), and --report - is refused', () => {
  const same = run(['convert', SAMPLE, '-o', 'same.json', '--report', 'same.json']);
  assert.equal(same.code, 2, same.stderr);
  assert.match(same.stderr, /--report same\.json is the output file of -o/);
  assert.equal(existsSync(join(work, 'same.json')), false, 'nothing written');
  // Through a symbolic link, onto a trajectory file of -o DIR/, onto an input: refused, nothing written.
  symlinkSync('linked-out.json', join(work, 'linked-report.json'));
  const linked = run(['convert', SAMPLE, '-o', 'linked-out.json', '--report', 'linked-report.json']);
  assert.equal(linked.code, 2, linked.stderr);
  assert.equal(existsSync(join(work, 'linked-out.json')), false);
  const inDir = run(['convert', SAMPLE, '-o', 'guard-dir/', '--report', 'guard-dir/trajectory-x.json']);
  assert.equal(inDir.code, 2, inDir.stderr);
  assert.match(inDir.stderr, /has the name of a trajectory file of -o guard-dir\//);
  copyFileSync(SAMPLE, join(work, 'guard-in.ndjson'));
  for (const args of [['--report', 'guard-in.ndjson'], ['-o', 'guard-in.ndjson']]) {
    const onInput = run(['convert', 'guard-in.ndjson', ...args]);
    assert.equal(onInput.code, 2, onInput.stderr);
    assert.match(onInput.stderr, /is one of the inputs/);
    assert.equal(readFileSync(join(work, 'guard-in.ndjson'), 'utf8'), readFileSync(SAMPLE, 'utf8'));
  }
  const beside = run(['convert', SAMPLE, '-o', 'guard-ok/', '--report', 'guard-ok/report.json', '-q']);
  assert.equal(beside.code, 0, beside.stderr);
  const dash = run(['convert', SAMPLE, '-o', 'dash.json', '--report', '-']);
  assert.equal(dash.code, 2, dash.stderr);
  assert.equal(existsSync(join(work, '-')), false);
  assert.equal(existsSync(join(work, 'dash.json')), false);
});

test("an empty path or session id (an unset shell variable) is a usage error naming its option or argument, before anything is read or written: never the current directory", () => {
  const cwd = join(work, 'empty-paths');
  mkdirSync(cwd);
  copyFileSync(SAMPLE, join(cwd, 'in.ndjson'));
  const output = /^error: option '-o, --output <path>' argument '' is invalid\. A path cannot be empty \(an unset shell variable\?\)\./;
  const report = /^error: option '--report <file>' argument '' is invalid\. A path cannot be empty \(an unset shell variable\?\)\./;
  const sessionId = /^error: option '--session-id <id>' argument '' is invalid\. An id cannot be empty \(an unset shell variable\?\)\./;
  const input = /^relay-atif: an input argument is empty \(an unset shell variable\?\); name a file, a directory or '-' for stdin\n$/;
  for (const [args, message] of [
    [['convert', 'in.ndjson', '-o', ''], output],
    [['convert', 'in.ndjson', '--output='], output],
    // Refused before the inputs are looked at: a missing one is not what is reported.
    [['convert', 'missing.ndjson', '-o', ''], output],
    [['convert', 'in.ndjson', '--report', '', '-o', 'out/'], report],
    [['convert', ''], input],
    [['convert', 'in.ndjson', ''], input],
    [['explain', ''], input],
    [['events', ''], input],
    [['diff', ''], input],
    [['validate', ''], input],
    // Not a path, but empty for the same reason: a trajectory with session_id '' (written to
    // trajectory-_.json, over the one an earlier such run wrote) was no session anyone asked for.
    [['convert', 'in.ndjson', '--session-id', '', '-o', 'out/'], sessionId],
    [['explain', 'in.ndjson', '--session-id='], sessionId],
    [['diff', 'in.ndjson', '--session-id', ''], sessionId],
  ] as const) {
    const r = run([...args], { cwd });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
  assert.deepEqual(readdirSync(cwd), ['in.ndjson'], 'nothing written');
});

test('--validate --json: stderr is the JSON report alone, the findings in it (exit 1 for an invalid trajectory)', { skip: !existsSync(join(ROOT, '..', 'shared', 'conformance')) }, () => {
  // The reference's own output for this case breaks an ATIF rule (relay-0.3 reproduces it).
  const input = join(ROOT, '..', 'shared', 'conformance', 'cases', 'exporter_attaches_subagent_ref_to_delegating_tool_observation', 'input.ndjson');
  const r = run(['convert', input, '--profile', 'relay-0.3', '--validate', '--json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stderr);
  assert.ok(report.validation_errors.length > 0);
  assert.ok(report.validation_errors.every((f: { session_id: string; rule: string }) => f.session_id === report.trajectories[0].session_id && f.rule));
  const plain = run(['convert', input, '--profile', 'relay-0.3', '--validate']);
  assert.match(plain.stderr, /relay-atif: invalid trajectory /);
});

test('same input, byte-identical output', () => {
  const a = run(['convert', SAMPLE]);
  const b = run(['convert', SAMPLE]);
  assert.equal(a.stdout, b.stdout);
});

test('an unknown fix name is a usage error (2) naming the valid ones, in every command that takes --fix', () => {
  for (const args of [['convert', SAMPLE, '--fix', 'bogus'], ['convert', SAMPLE, '--no-fix', 'bogus'], ['events', SAMPLE, '--fix', 'bogus']]) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /'bogus' is not one of: structured-tool-results/);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
  }
});

test('--version and --help exit 0; an unknown option exits 2', () => {
  assert.equal(run(['--version']).code, 0);
  assert.match(run(['convert', '--help']).stdout, /--filename-template/);
  assert.equal(run(['convert', '--bogus']).code, 2);
});

test('a reader that stops early ends the run quietly with 141 (as SIGPIPE would), not a stack trace', async () => {
  const { generate } = await import('../bench/generate.js');
  const input = join(work, 'big.ndjson');
  await generate(input, { seed: 5, targetBytes: 2 * 1024 * 1024 });
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" convert "${input}" -o - -q --jobs 1 | head -c 10 > /dev/null; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
  assert.match(r.stdout, /status=141/);
  assert.equal(r.stderr, '');
  // The same when the pipe is named as the output file (one trajectory, larger than a pipe holds).
  const named = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" convert "${input}" --session-id one -o /dev/stdout -q --jobs 1 | head -c 10 > /dev/null; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
  assert.match(named.stdout, /status=141/);
  assert.equal(named.stderr, '');
  // The same when the closed pipe is stderr's: its reader (`true`) is gone before the summary is written.
  const onStderr = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" convert "${SAMPLE}" -o /dev/null 2>&1 >/dev/null | true; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
  assert.match(onStderr.stdout, /status=141/);
});

test('stdout that cannot be written (a full disk) is exit 4 with one line saying so, for every command; diagnostics that cannot be written leave the status alone', () => {
  for (const args of [['convert', SAMPLE, '-q'], ['events', SAMPLE, '-q'], ['explain', SAMPLE, '-q'], ['profiles'], ['--version']]) {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${args.map((a) => `"${a}"`).join(' ')} > /dev/full`], { encoding: 'utf8' });
    assert.equal(r.status, 4, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, 'relay-atif: cannot write to stdout: ENOSPC: no space left on device, write\n');
  }
  // An unknown span is a usage error (2) whether or not its message can be written.
  const quiet = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" explain --span nope "${SAMPLE}" 2> /dev/full`], { encoding: 'utf8' });
  assert.equal(quiet.status, 2);
});

test('a file the system lets grow only so far (a nearly full disk: short writes) is exit 4 and not put in place, never a cut-off file', () => {
  // `ulimit -f` caps file size (in KiB): a write that crosses it writes what fits, the next one fails.
  const dir = join(work, 'short-writes');
  const capped = (args: string) => spawnSync('bash', ['-c', `ulimit -f 12; "${process.execPath}" "${BIN}" convert "${join(ROOT, 'samples')}" ${args}`], { encoding: 'utf8', cwd: work });
  const many = capped(`-o "${dir}/"`);
  assert.equal(many.status, 4, many.stderr);
  assert.match(many.stderr, /cannot write .*trajectory-.*\.json: EFBIG: file too large/);
  // Whatever was put in place before the failure is whole (each file under the cap): nothing cut off.
  for (const f of existsSync(dir) ? readdirSync(dir) : []) JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const one = capped(`--session-id one -o "${join(work, 'short.json')}"`);
  assert.equal(one.status, 4, one.stderr);
  assert.equal(existsSync(join(work, 'short.json')), false);
  // stdout redirected to a file: one trajectory of about 12.4 kB, printed in one write that the cap cuts short.
  const redirected = spawnSync('bash', ['-c', `ulimit -f 12; "${process.execPath}" "${BIN}" convert "${SAMPLE}" -q > short.ndjson`], { encoding: 'utf8', cwd: work });
  assert.equal(redirected.status, 4, redirected.stderr);
  assert.equal(redirected.stderr, 'relay-atif: cannot write to stdout: EFBIG: file too large, write\n');
});

test('-o DIR/ never writes a trajectory over an input file, even one found in a directory (exit 2, the input untouched)', () => {
  const dir = join(work, 'in-and-out');
  mkdirSync(dir);
  const input = join(dir, '01972d4e-8a00-7000-8000-000000000001.ndjson');
  copyFileSync(SAMPLE, input);
  const r = run(['convert', dir, '-o', `${dir}/`, '--filename-template', '{session_id}.ndjson']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /the trajectory 01972d4e-8a00-7000-8000-000000000001 would be written over the input file .*01972d4e-8a00-7000-8000-000000000001\.ndjson/);
  assert.deepEqual(readFileSync(input), readFileSync(SAMPLE));
  // Other names in the same directory are fine.
  assert.equal(run(['convert', dir, '-o', `${dir}/`]).code, 0);
  assert.deepEqual(readdirSync(dir), ['01972d4e-8a00-7000-8000-000000000001.ndjson', 'trajectory-01972d4e-8a00-7000-8000-000000000001.json']);
});

test('events and explain name each problem kind with its first line, as convert does', () => {
  const input = join(ROOT, 'test', 'fixtures', 'ingest', 'mixed.ndjson');
  for (const args of [['events', input], ['explain', input], ['convert', input, '-o', '/dev/null']]) {
    const r = run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^ {2}skipped not-json: 1 line\(s\) \(first at .*mixed\.ndjson:3: /m, args[0]);
    assert.match(r.stderr, /^ {2}rejected invalid-atof: 1 line\(s\) \(first at .*mixed\.ndjson:5 at scope_category: /m, args[0]);
  }
});

test('events output converts as its input does when raw records are mixed in: ATOF events keep their input order', () => {
  // The mark "late" is read after its scope's end (its time inside it): convert finds it late. A raw
  // hook beside it must not move it before that end in events' output, where it would become a step.
  const dir = mkdtempSync(join(tmpdir(), 'relay-events-'));
  const input = join(dir, 'late-plus-hook.ndjson');
  const id = (n: number) => `0197c4e2-aaaa-7000-8000-${String(n).padStart(12, '0')}`;
  const event = (o: object) => JSON.stringify({ atof_version: '0.1', attributes: [], data: null, metadata: null, ...o });
  const agent = (phase: string, time: string) => event({ kind: 'scope', category: 'agent', name: 'agent', parent_uuid: null, scope_category: phase, timestamp: time, uuid: id(1) });
  const mark = (n: number, name: string, time: string) => event({ kind: 'mark', name, parent_uuid: id(1), timestamp: time, uuid: id(n), data: { n } });
  const hook = JSON.stringify({ record: 'hook', agent: 'claude-code', received_at: '2026-05-30T10:00:00.000Z', payload: { session_id: 's1', hook_event_name: 'SessionStart', source: 'startup' } });
  writeFileSync(input, [agent('start', '2026-03-04T17:21:00+00:00'), mark(2, 'early', '2026-03-04T17:21:00.100+00:00'), agent('end', '2026-03-04T17:21:01+00:00'), mark(3, 'late', '2026-03-04T17:21:00.500+00:00'), hook].join('\n') + '\n');
  const direct = run(['convert', input, '--no-observed-events']);
  const events = run(['events', input]);
  assert.equal(events.code, 0, events.stderr);
  const roundTrip = run(['convert', '-', '--no-observed-events'], { input: events.stdout });
  assert.equal(roundTrip.stdout, direct.stdout);
  assert.deepEqual(JSON.parse(direct.stdout.split('\n')[0]).steps.map((s: { message: string }) => s.message), ['early']);
  for (const r of [direct, roundTrip]) assert.match(r.stderr, /skipped late-event: 1 line/);
});

test('events says what the replay did, untimed bare payloads included, as convert does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-events-'));
  const input = join(dir, 'bare.ndjson');
  writeFileSync(input, '{"hook_event_name":"UserPromptSubmit","session_id":"s1","prompt":"hi"}\n');
  for (const command of ['events', 'convert']) {
    const r = run([command, input, '--agent', 'claude-code', ...(command === 'convert' ? ['-o', '/dev/null'] : [])]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^ {2}replayed 1 hook and 0 gateway calls/m, command);
    assert.match(r.stderr, /^ {2}1 bare hook payload had no timestamp/m, command);
  }
});

test('control characters quoted from the input are shown escaped on stderr, never written to the terminal as they are', () => {
  const input = join(work, 'esc\u0007name.ndjson');
  writeFileSync(input, '\u001b[31mRED\u0000\n{"x":"\u001b]0;title\u0007"}\n{"fake\\nrelay-atif: 0 lines":1}\n');
  for (const args of [['convert', input, '-o', '/dev/null', '--verbose'], ['convert', input, '-o', '/dev/null', '--strict'], ['events', input, '--strict']]) {
    const r = run(args);
    assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f]/, args.join(' '));
    assert.match(r.stderr, /\\u001b\[31mRED/, args.join(' '));
    assert.doesNotMatch(r.stderr, /^relay-atif: 0 lines/m, 'a line break from the input forges no line');
  }
  // The --strict stop at that line (which only a decoded key can carry) escapes it too.
  writeFileSync(input, '{"fake\\nrelay-atif: 0 lines":1}\n');
  for (const command of ['convert', 'events']) {
    const r = run([command, input, '--strict']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fake\\u000arelay-atif: 0 lines/, command);
    assert.doesNotMatch(r.stderr, /^relay-atif: 0 lines/m, command);
  }
  // What commander says of the arguments (an unknown option, an unknown command), and a bad heap
  // setting, quote them too.
  for (const [args, env] of [[['convert', '--a\u001b[31mb'], {}], [['fo\u001bo'], {}], [['convert', input], { RELAY_ATIF_HEAP_MB: 'x\u001b[31m' }]] as const) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /\\u001b/, args.join(' '));
    assert.doesNotMatch(r.stderr, /\u001b/, args.join(' '));
  }
});

test('SIGHUP (a closed terminal, a dropped ssh session) removes the temp file of -o FILE, as SIGINT and SIGTERM do: exit 129', async () => {
  // Node's default action for SIGHUP ended the run at once, leaving `.run.json.<hex>.tmp` (the
  // trajectory printed so far) beside the output. Both ways a run goes: in the process the bin started
  // with a heap limit (the signal passed on), and in the bin's own process (RELAY_ATIF_HEAP_MB=0).
  for (const heap of ['512', '0']) {
    const dir = join(work, `hup-${heap}`);
    mkdirSync(dir);
    const child = spawn(process.execPath, [BIN, 'convert', '-', '-o', join(dir, 'run.json'), '-q'], { env: { ...process.env, RELAY_ATIF_HEAP_MB: heap }, stdio: ['pipe', 'pipe', 'pipe'] });
    // The whole session: its trajectory is printed into the temp file; stdin stays open.
    child.stdin.write(readFileSync(SAMPLE));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    for (let i = 0; i < 100 && readdirSync(dir).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(readdirSync(dir).join(), /^\.run\.json\.[0-9a-f]+\.tmp$/, 'the temp file is there before the signal');
    child.kill('SIGHUP');
    assert.equal(await exited, 129, heap);
    assert.deepEqual(readdirSync(dir), [], heap);
  }
});
