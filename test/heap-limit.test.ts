/** The heap limit a run gets (src/cli/heap-limit.ts): the decision, and the bin running itself again with it. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS_READING_INPUT, fileProbe, INPUT_MEMORY_FACTOR, inputArguments, OPTIONS_WITH_VALUE, plainInputBytes, wantedHeapMb, type HeapFacts, type InputProbe } from '../src/cli/heap-limit.js';
import { OPTION_TABLE } from '../src/cli/options.js';
import type { CliIO } from '../src/cli/io.js';
import { createProgram } from '../src/cli/program.js';

const GB = 2 ** 30;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'relay-atif.js');
const SAMPLE = join(ROOT, 'samples', 'hermes-session.atof.ndjson');

/** A 64-bit machine of 24 GB where V8 keeps its own 4 GB limit. */
const facts = (over: Partial<HeapFacts> = {}): HeapFacts => ({ args: ['convert', 'logs/'], execArgv: [], env: {}, totalMemory: 24 * GB, currentLimit: 4 * GB, ...over });

test('without a limit given, a run gets three quarters of the memory it may use, when that is well above V8\'s own', () => {
  assert.equal(wantedHeapMb(facts()), 18 * 1024);
  // A cgroup limit below the machine's memory is what the run may use; none (0, or the 2^64 of "unlimited") is the machine's.
  assert.equal(wantedHeapMb(facts({ constrainedMemory: 12 * GB })), 9 * 1024);
  assert.equal(wantedHeapMb(facts({ constrainedMemory: 0 })), 18 * 1024);
  assert.equal(wantedHeapMb(facts({ constrainedMemory: 2 ** 64 })), 18 * 1024);
  // A small machine: V8 already takes about a quarter; three quarters is worth a second process.
  assert.equal(wantedHeapMb(facts({ totalMemory: 8 * GB, currentLimit: 2 * GB })), 6 * 1024);
  // Not worth it: three quarters of 4 GB is below V8's 4 GB; 5 GB is not a quarter above it.
  assert.equal(wantedHeapMb(facts({ constrainedMemory: 4 * GB })), undefined);
  assert.equal(wantedHeapMb(facts({ constrainedMemory: (20 / 3) * GB })), undefined);
});

test('a limit given to node wins (a flag, in either spelling, or NODE_OPTIONS); RELAY_ATIF_HEAP_MB sets one, 0 keeps V8\'s', () => {
  assert.equal(wantedHeapMb(facts({ execArgv: ['--max-old-space-size=2048'] })), undefined);
  assert.equal(wantedHeapMb(facts({ execArgv: ['--max_old_space_size=2048'] })), undefined);
  assert.equal(wantedHeapMb(facts({ env: { NODE_OPTIONS: '--enable-source-maps --max-old-space-size=900' } })), undefined);
  assert.equal(wantedHeapMb(facts({ env: { NODE_OPTIONS: '--max-heap-size=900' } })), undefined);
  // A debugging session stays in the process the debugger attaches to.
  assert.equal(wantedHeapMb(facts({ execArgv: ['--inspect-brk'] })), undefined);
  assert.equal(wantedHeapMb(facts({ env: { NODE_OPTIONS: '--inspect=9230' } })), undefined);
  // The process run again has the flag: it never runs itself a third time.
  assert.equal(wantedHeapMb(facts({ execArgv: ['--require', 'x.cjs', '--max-old-space-size=18432'] })), undefined);
  assert.equal(wantedHeapMb(facts({ env: { RELAY_ATIF_HEAP_MB: '6000' } })), 6000);
  assert.equal(wantedHeapMb(facts({ env: { RELAY_ATIF_HEAP_MB: '0' } })), undefined);
  assert.equal(wantedHeapMb(facts({ env: { RELAY_ATIF_HEAP_MB: '' } })), 18 * 1024);
  assert.equal(wantedHeapMb(facts({ env: { RELAY_ATIF_HEAP_MB: '6000', NODE_OPTIONS: '--max-old-space-size=900' } })), undefined);
  assert.equal(wantedHeapMb(facts({ env: { RELAY_ATIF_HEAP_MB: '0400' } })), 400);
  // Decimal digits only, as the RELAY_ATIF_*_BYTES settings take them: Number() read 0x10 as 16 and 1e3 as 1000.
  for (const bad of ['x', '-1', '1.5', '4G', '0x10', '1e3', '0b1', '+5', '2.0', 'Infinity']) assert.throws(() => wantedHeapMb(facts({ env: { RELAY_ATIF_HEAP_MB: bad } })), /RELAY_ATIF_HEAP_MB must be a whole number of megabytes/);
});

test('only the commands that read input get a limit: the others run in the first process, a second one would only cost time', () => {
  for (const command of ['convert', 'explain', 'validate', 'diff', 'events']) assert.equal(wantedHeapMb(facts({ args: [command, '-'] })), 18 * 1024, command);
  for (const args of [[], ['--version'], ['-V'], ['--help'], ['help', 'convert'], ['schema'], ['profiles'], ['no-such-command'], ['-q', 'convert']]) {
    assert.equal(wantedHeapMb(facts({ args })), undefined, args.join(' '));
  }
  // The names agree with the command table: the commands that take inputs (or files) are the ones listed.
  const { program } = createProgram({} as CliIO);
  const reading = program.commands.filter((c) => c.registeredArguments.length > 0).map((c) => c.name());
  assert.deepEqual([...COMMANDS_READING_INPUT].sort(), reading.sort());
});

test('plain input files small enough for V8\'s own limit run in the first process; larger, unknown or compressed inputs get the limit', () => {
  const limit = 4 * GB;
  const fits = limit / INPUT_MEMORY_FACTOR;
  assert.equal(wantedHeapMb(facts({ inputBytes: fits })), undefined);
  assert.equal(wantedHeapMb(facts({ inputBytes: fits + 1 })), 18 * 1024);
  assert.equal(wantedHeapMb(facts({ inputBytes: undefined })), 18 * 1024);
  // An explicit RELAY_ATIF_HEAP_MB is still obeyed for a small input.
  assert.equal(wantedHeapMb(facts({ inputBytes: 10, env: { RELAY_ATIF_HEAP_MB: '300' } })), 300);
  // What the decision is told: the inputs' summed size, only when every one is a plain regular file.
  const files: Record<string, number> = { 'a.ndjson': 100, 'b.ndjson': 20, 'c.ndjson.gz': 5 };
  const probe: InputProbe = { fileSize: (p) => files[p], isCompressed: (p) => p.endsWith('.gz') };
  assert.equal(plainInputBytes(['convert', 'a.ndjson', 'b.ndjson', '-o', 'out/', '--jobs', '2'], probe), 120);
  assert.equal(plainInputBytes(['convert', 'a.ndjson', '-o', '-'], probe), 100, "'-' as the output is not stdin as an input");
  for (const args of [['convert'], ['convert', '-'], ['convert', 'a.ndjson', '-'], ['convert', 'logs/'], ['convert', 'logs/*.ndjson'], ['convert', 'c.ndjson.gz'], ['explain', 'missing.ndjson']]) {
    assert.equal(plainInputBytes(args, probe), undefined, args.join(' '));
  }
});

test('input arguments are told from option values as commander tells them, with every value-taking option of the table', () => {
  assert.deepEqual(inputArguments(['a', '-o', 'out.json', '--session-id', 's', 'b', '--strict', 'c']), ['a', 'b', 'c']);
  assert.deepEqual(inputArguments(['--output=out/', 'a', '-qo', '-', 'b', '-ofile', 'c', '-q', 'd']), ['a', 'b', 'c', 'd']);
  assert.deepEqual(inputArguments(['a', '--', '-b', '--jobs']), ['a', '-b', '--jobs']);
  assert.deepEqual(inputArguments(['-', '--fix', 'x', '--no-fix', 'y', '--no-dedupe', 'a']), ['-', 'a']);
  // Every option of the table that takes a value, in each spelling, and none that does not.
  const spellings = OPTION_TABLE.filter((o) => o.flags.includes('<')).flatMap((o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith('-')));
  assert.deepEqual([...OPTIONS_WITH_VALUE].sort(), [...new Set(spellings)].sort());
});

test('a small plain file runs in one process; a compressed one gets the limit (a second process) where the machine has room for one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-heap-'));
  const plain = join(dir, 'small.ndjson');
  const gz = join(dir, 'small.ndjson.gz');
  writeFileSync(plain, readFileSync(SAMPLE));
  writeFileSync(gz, gzipSync(readFileSync(SAMPLE)));
  // NODE_DEBUG of child_process names every process spawned: the second process is one.
  const spawned = (input: string) => runBin(['convert', input, '-q'], { NODE_DEBUG: 'child_process' }).stderr.includes('CHILD_PROCESS');
  assert.equal(spawned(plain), false);
  const machine = { execArgv: [], env: {}, totalMemory: totalmem(), constrainedMemory: process.constrainedMemory?.(), currentLimit: getHeapStatistics().heap_size_limit };
  assert.equal(spawned(gz), wantedHeapMb({ ...machine, args: ['convert', gz] }) !== undefined);
});

test('the file probe knows every compression the reader decodes by its magic: gzip, zlib and zstd (a .zst may be ten times its size read)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-heap-'));
  const cases: Array<[string, Buffer, boolean]> = [
    ['plain.ndjson', Buffer.from('{"a":1}\n'), false],
    ['a.ndjson.gz', gzipSync('{"a":1}\n'), true],
    ['a.zhar', Buffer.from([0x78, 0xda, 0x01]), true],
    ['a.ndjson.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]), true],
    ['short.ndjson', Buffer.from('('), false],
  ];
  for (const [name, bytes, compressed] of cases) {
    writeFileSync(join(dir, name), bytes);
    assert.equal(fileProbe.isCompressed(join(dir, name)), compressed, name);
  }
});

test('a command that reads no input runs in one process: RELAY_ATIF_HEAP_MB has no say in it', () => {
  // With a limit far too small for any conversion, --version and profiles still answer: no second process was given it.
  for (const args of [['--version'], ['profiles']]) {
    const r = runBin(args, { RELAY_ATIF_HEAP_MB: '8' });
    assert.equal(r.status, 0, r.stderr.slice(-300));
  }
});

function runBin(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
}

test('the run gets the limit: one too small for the input aborts, with a hint saying how to set another; a bad value is a usage error', () => {
  const small = runBin(['convert', SAMPLE, '-q'], { RELAY_ATIF_HEAP_MB: '8' });
  assert.equal(small.status, 134, small.stderr.slice(-500));
  assert.match(small.stderr, /heap out of memory/);
  assert.match(small.stderr, /relay-atif: the run was aborted\. .*\n.*this run's limit was 8 MB\.\n.*RELAY_ATIF_HEAP_MB=N \(megabytes\) or NODE_OPTIONS=--max-old-space-size=N sets another/);
  // A limit too small for node to start in (2 meant as 2 GB): V8 ends it by a trap on Node 20 (133),
  // which had no hint; by abort elsewhere. Either way the hint names the limit.
  const tiny = runBin(['convert', SAMPLE, '-q'], { RELAY_ATIF_HEAP_MB: '2' });
  assert.ok(tiny.status === 133 || tiny.status === 134, `${tiny.status}: ${tiny.stderr.slice(-500)}`);
  assert.match(tiny.stderr, /relay-atif: the run was aborted\. .*\n.*this run's limit was 2 MB\.\n/);
  const enough = runBin(['convert', SAMPLE, '-q'], { RELAY_ATIF_HEAP_MB: '256' });
  assert.equal(enough.status, 0, enough.stderr);
  assert.equal(JSON.parse(enough.stdout).schema_version, 'ATIF-v1.7');
  const bad = runBin(['convert', SAMPLE, '-q'], { RELAY_ATIF_HEAP_MB: 'lots' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "relay-atif: RELAY_ATIF_HEAP_MB must be a whole number of megabytes (0: V8's own limit), not 'lots'\n");
});

test('a signal sent to the first process reaches the run, whose exit status it ends with', async () => {
  // Reading stdin that never ends: only the signal ends the run.
  const child = spawn(process.execPath, [BIN, 'convert', '-', '-q'], { env: { ...process.env, RELAY_ATIF_HEAP_MB: '512' }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.write(`${readFileSync(SAMPLE, 'utf8').split('\n')[0]}\n`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 143);
});

test('a run the system kills (as its out-of-memory killer does) ends with 137 and says what the limit was', async (t) => {
  const child = spawn(process.execPath, [BIN, 'convert', '-', '-q'], { env: { ...process.env, RELAY_ATIF_HEAP_MB: '512' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // The process the bin started to run the CLI with its heap limit.
  const found = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' });
  if (found.error) {
    child.kill('SIGTERM');
    return t.skip('pgrep is not available');
  }
  const runs = found.stdout.trim().split('\n').filter(Boolean);
  assert.equal(runs.length, 1, found.stdout);
  process.kill(Number(runs[0]), 'SIGKILL');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 137);
  assert.match(stderr, /^relay-atif: the run was killed \(SIGKILL\), as the system does when memory runs out; its heap limit was 512 MB \(RELAY_ATIF_HEAP_MB=N lowers it\)\.\n$/);
});
