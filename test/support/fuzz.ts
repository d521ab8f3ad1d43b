import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { validateTrajectory } from '../../src/atif/validate/index.js';
import type { CliIO } from '../../src/cli/io.js';
import { createProgram } from '../../src/cli/program.js';
import { parseJson } from '../../src/json/parse.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { CASES, hasShared } from './shared.js';
import { rng } from './rng.js';
export { rng };

/**
 * The reliability fuzzer (issue 7): valid streams are corrupted at random and converted in-process;
 * every case must keep the invariants below. Shared by the CI slice (test/fuzz-slice.test.ts) and
 * `npm run fuzz` (scripts/fuzz.ts).
 */


const ROOT = new URL('../../', import.meta.url);

/** Valid streams to corrupt: the conformance inputs and the samples, as raw bytes per line. */
export function corpus(): Buffer[][] {
  const files: string[] = [];
  if (hasShared) for (const c of readdirSync(CASES).sort()) files.push(join(CASES, c, 'input.ndjson'));
  const samples = new URL('samples/', ROOT).pathname;
  for (const f of readdirSync(samples).sort()) if (f.endsWith('.ndjson')) files.push(join(samples, f));
  return files.map((f) => splitLines(readFileSync(f)));
}

function splitLines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
    out.push(buf.subarray(start, i));
    start = i + 1;
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const WRONG_VALUES = [null, 0, -1, 1.5, '', 'x', true, false, [], {}, [1, 'a'], { a: { b: null } }];

/** Rewrites one line's JSON (when it parses) through `f`; other lines pass unchanged. */
function editJson(line: Buffer, f: (o: Record<string, unknown>) => void): Buffer {
  let o: unknown;
  try {
    o = JSON.parse(line.toString('utf8'));
  } catch {
    return line;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return line;
  f(o as Record<string, unknown>);
  return Buffer.from(JSON.stringify(o));
}

function randomPath(r: Rand, o: unknown, depth = 0): Array<string | number> {
  if (depth > 3 || typeof o !== 'object' || o === null) return [];
  const keys: Array<string | number> = Array.isArray(o) ? o.map((_, i) => i) : Object.keys(o);
  if (keys.length === 0 || (depth > 0 && r() < 0.4)) return [];
  const k = pick(r, keys);
  return [k, ...randomPath(r, (o as Record<string, unknown>)[k as string], depth + 1)];
}

function setPath(o: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  if (path.length === 0) return;
  let cur: Record<string, unknown> = o;
  for (const k of path.slice(0, -1)) cur = cur[k as string] as Record<string, unknown>;
  cur[path[path.length - 1] as string] = value;
}

/** The corruptions; each takes the lines of a stream and returns new lines (and maybe extra CLI flags). */
export const MUTATIONS: Record<string, (r: Rand, lines: Buffer[]) => Buffer[]> = {
  truncateLine: (r, l) => l.map((x, i) => (i === Math.floor(r() * l.length) ? x.subarray(0, Math.floor(r() * x.length)) : x)),
  flipByte: (r, l) => l.map((x, i) => (i === Math.floor(r() * l.length) && x.length ? Buffer.from(x.map((b, j) => (j === Math.floor(r() * x.length) ? Math.floor(r() * 256) : b))) : x)),
  invalidUtf8: (r, l) => l.map((x, i) => (i === Math.floor(r() * l.length) ? Buffer.concat([x.subarray(0, x.length >> 1), Buffer.from([0xc3, 0x28, 0xff]), x.subarray(x.length >> 1)]) : x)),
  deleteLine: (r, l) => l.filter((_, i) => i !== Math.floor(r() * l.length)),
  duplicateLine: (r, l) => {
    const i = Math.floor(r() * l.length);
    return [...l.slice(0, i + 1), ...l.slice(i)];
  },
  shuffle: (r, l) => {
    const a = [...l];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  },
  wrongType: (r, l) => l.map((x) => (r() < 0.3 ? editJson(x, (o) => setPath(o, randomPath(r, o), pick(r, WRONG_VALUES))) : x)),
  deepNesting: (r, l) => l.map((x, i) => (i === Math.floor(r() * l.length) ? editJson(x, (o) => (o.data = JSON.parse('['.repeat(3000) + '1' + ']'.repeat(3000)))) : x)),
  longString: (r, l) => l.map((x, i) => (i === Math.floor(r() * l.length) ? editJson(x, (o) => (o.name = 'n'.repeat(200_000))) : x)),
  hugeNumbers: (r, l) =>
    l.map((x) =>
      r() < 0.3 ? Buffer.from(x.toString('utf8').replace(/"(prompt_tokens|completion_tokens|input_tokens|cached_tokens)":\d+/g, (_m, k) => `"${k}":${pick(r, ['18446744073709551616', '9007199254740993', '12.0', '1e400', '-5'])}`)) : x,
    ),
  timestampZones: (r, l) => l.map((x) => (r() < 0.5 ? editJson(x, (o) => typeof o.timestamp === 'string' && (o.timestamp = o.timestamp.replace(/(\+00:00|Z)$/, pick(r, ['', '+05:30', '-08:00', 'z'])))) : x)),
  equalTimestamps: (_r, l) => l.map((x) => editJson(x, (o) => (o.timestamp = '2026-01-01T00:00:00+00:00'))),
  endBeforeStart: (r, l) => l.map((x) => (r() < 0.5 ? editJson(x, (o) => o.scope_category === 'end' && (o.timestamp = '2000-01-01T00:00:00Z')) : x)),
  parentCycle: (r, l) => {
    const uuids = l.map((x) => /"uuid":"([0-9a-f-]{36})"/.exec(x.toString('utf8'))?.[1]).filter((u): u is string => !!u);
    return l.map((x) => (r() < 0.3 && uuids.length ? editJson(x, (o) => (o.parent_uuid = pick(r, uuids))) : x));
  },
  protoKeys: (r, l) => l.map((x) => (r() < 0.5 ? editJson(x, (o) => Object.assign(o, JSON.parse('{"data":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}},"metadata":{"__proto__":{"polluted":2}}}'))) : x)),
  blankAndCrlf: (r, l) => l.flatMap((x) => (r() < 0.2 ? [Buffer.concat([x, Buffer.from('\r')]), Buffer.from('   ')] : [x])),
};

export interface FuzzCase {
  index: number;
  mutations: string[];
  args: string[];
}

/** A violated invariant, with what is needed to reproduce it. */
export class InvariantViolation extends Error {}

const HOSTILE_SESSION_IDS = ['../../escape', '/abs/path', 'nul\u0000byte', 'x'.repeat(10_000), '.', '..', 'sp ace/..\\back'];

/** Builds case `index` of a seeded run, converts it, and checks every invariant; throws InvariantViolation. */
export async function runCase(seed: number, index: number, base: Buffer[][], work: string): Promise<FuzzCase> {
  const r = rng((seed * 1_000_003 + index) >>> 0);
  let lines = pick(r, base);
  const names = Object.keys(MUTATIONS);
  const mutations = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, names));
  for (const m of mutations) lines = MUTATIONS[m](r, lines);
  const text = Buffer.concat(lines.flatMap((x, i) => (i < lines.length - 1 || r() < 0.5 ? [x, Buffer.from('\n')] : [x])));
  // Most cases go through stdin and stdout; one in eight writes files, for the output invariants.
  const toDir = r() < 0.125;
  const dir = toDir ? mkdtempSync(join(work, 'case-')) : work;
  const out = join(dir, 'out');
  if (toDir) writeFileSync(join(dir, 'in.ndjson'), text);
  const args = ['convert', toDir ? join(dir, 'in.ndjson') : '-', '--json'];
  if (toDir) args.push('-o', out + '/');
  if (r() < 0.15) args.push('--session-id', pick(r, HOSTILE_SESSION_IDS));
  if (r() < 0.1) args.push('--strict');
  const relay03 = r() < 0.2;
  if (relay03) args.push('--profile', 'relay-0.3');
  const c: FuzzCase = { index, mutations, args };
  const fail = (what: string): never => {
    throw new InvariantViolation(`case ${index} (seed ${seed}, ${mutations.join('+')}, ${args.slice(3).join(' ')}): ${what}`);
  };

  // One stdout case in 64 also runs on worker threads, which must change nothing.
  const onWorkers = !toDir && r() < 1 / 64;
  const run = async (jobs: number) => {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: { write: (s: string | Uint8Array) => ((stdout += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')), true) },
      stderr: { write: (s: string) => ((stderr += s), true) },
      stdin: Readable.from(toDir ? [] : [text]),
      stdinIsTTY: true,
      stderrIsTTY: false,
      stdoutIsTTY: false,
      cwd: dir,
      env: { RELAY_ATIF_JOBS_AFTER_BYTES: '0' },
    };
    try {
      const code = await createProgram(io).run([...args, '--jobs', String(jobs)]);
      return { code, stdout, stderr };
    } catch (err) {
      return fail(`uncaught ${(err as Error).stack}`);
    }
  };
  const { code, stdout, stderr } = await run(1);
  if (onWorkers) {
    const parallel = await run(3);
    if (parallel.code !== code || parallel.stdout !== stdout || parallel.stderr !== stderr) {
      fail(`--jobs 3 gave another result than --jobs 1: exit ${parallel.code} vs ${code}; stderr ${JSON.stringify(parallel.stderr.slice(0, 400))} vs ${JSON.stringify(stderr.slice(0, 400))}`);
    }
  }
  if (!(Object.values(EXIT) as number[]).includes(code)) fail(`exit code ${code} is not in the table: ${stderr}`);
  if (({} as Record<string, unknown>).polluted !== undefined) fail('Object.prototype was polluted');

  const expectedLines = text.length === 0 ? 0 : splitLines(text).length;
  // The JSON summary is the stderr line that is a JSON object with the line accounting.
  const summary = stderr.split('\n').find((l) => l.startsWith('{"') && l.includes('"lines":{'));
  if (summary) {
    const report = JSON.parse(summary);
    const lines = report.lines;
    const sum = lines.used.total + lines.skipped.total + lines.rejected.total;
    // A --strict stop reports what was read up to its problem line: at least every line up to there
    // (a late event is found after reading on), at most the whole input.
    const stoppedAt = report.stopped ? Number(/:(\d+): /.exec(report.stopped)?.[1]) : undefined;
    const counted = stoppedAt === undefined ? lines.total === expectedLines : lines.total >= stoppedAt && lines.total <= expectedLines;
    if (!counted || sum !== lines.total) fail(`accounting: ${lines.total} lines counted, ${sum} in buckets, ${expectedLines} in the input`);
    if (report.stopped && code !== EXIT.PROBLEMS) fail(`a stopped run exited ${code}`);
  } else if (code === EXIT.OK) fail(`no summary after a successful run: ${stderr}`);

  const documents: string[] = [];
  if (toDir) {
    for (const name of readdirSync(dir)) if (!['in.ndjson', 'out'].includes(name)) fail(`unexpected file beside the output: ${name}`);
    if (existsSync(out)) {
      for (const name of readdirSync(out)) {
        if (name.endsWith('.tmp')) fail(`temp file left: ${name}`);
        documents.push(readFileSync(join(out, name), 'utf8'));
      }
    }
  } else {
    documents.push(...stdout.split('\n').filter((l) => l !== ''));
  }
  if (!relay03) {
    for (const d of documents) {
      const doc = parseJson(d) as { extra?: { observed_events?: unknown } };
      delete doc.extra?.observed_events; // the input events, free-form under extra: nothing to validate
      const errors = validateTrajectory(doc).filter((f) => f.level === 'error');
      if (errors.length > 0 && process.env.FUZZ_DUMP) writeFileSync(process.env.FUZZ_DUMP, d);
      if (errors.length > 0) fail(`invalid ATIF written: ${errors[0].path}: ${errors[0].message} [${errors[0].rule}]`);
    }
  }
  if (toDir) rmSync(dir, { recursive: true, force: true });
  // One case in eight also goes through the other commands that read a whole log.
  if (!toDir && r() < 1 / 8) await checkReaders(text, args.includes('--json') && r() < 0.5, fail);
  return c;
}

/**
 * `events`, the `explain` overview, `--span` and `--step`, and the dedupe `diff` on a case's input: an
 * exit code from the table, no uncaught exception, JSON that parses, and the same output twice — all but
 * `events` the second time on `--jobs 3` workers started at once (the overview fills its short span ids
 * in at the end, with markers that carry a random nonce: none may be left).
 */
async function checkReaders(text: Buffer, json: boolean, fail: (what: string) => never): Promise<void> {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    let stdout = '';
    const io: CliIO = {
      stdout: { write: (s: string | Uint8Array) => ((stdout += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')), true) },
      stderr: { write: () => true },
      stdin: Readable.from([text]),
      stdinIsTTY: false,
      stderrIsTTY: false,
      stdoutIsTTY: false,
      cwd: tmpdir(),
      env,
    };
    try {
      return { code: await createProgram(io).run(args), stdout };
    } catch (err) {
      return fail(`${args.join(' ')}: uncaught ${(err as Error).stack}`);
    }
  };
  // --span and --step with lookups that may or may not resolve on a damaged log: the uuid of the first
  // LLM event left (else a prefix of many uuids, usually ambiguous); step 1 of the one trajectory, if one.
  const llmUuid = /"category":"llm".*?"uuid":"([0-9a-f-]{36})"/.exec(text.toString('utf8'))?.[1] ?? '0';
  const lookups: Record<string, string[]> = { events: [], explain: [], 'explain --span': ['--span', llmUuid], 'explain --step': ['--step', '1'], diff: [] };
  for (const [name, lookup] of Object.entries(lookups)) {
    const command = name.split(' ')[0];
    const args = [command, '-', ...lookup, ...(json ? ['--json'] : [])];
    const once = await run(args);
    if (!(Object.values(EXIT) as number[]).includes(once.code)) fail(`${name}: exit code ${once.code} is not in the table`);
    const again = command === 'events' ? await run(args) : await run([...args, '--jobs', '3'], { RELAY_ATIF_JOBS_AFTER_BYTES: '0' });
    if (again.stdout !== once.stdout || again.code !== once.code) fail(`${name}: two runs on the same input printed different output${command === 'events' ? '' : ' (the second on --jobs 3)'}`);
    if (json && command !== 'events' && once.code !== EXIT.USAGE && once.stdout !== '') {
      try {
        JSON.parse(once.stdout);
      } catch {
        fail(`${name} --json printed no JSON document: ${once.stdout.slice(0, 200)}`);
      }
    }
  }
}

/** Runs `count` cases from `start`; returns the violations (empty when all invariants held). */
export async function fuzz(seed: number, start: number, count: number, onProgress?: (done: number) => void): Promise<string[]> {
  const base = corpus();
  const work = mkdtempSync(join(tmpdir(), 'relay-atif-fuzz-'));
  const violations: string[] = [];
  try {
    for (let i = start; i < start + count; i++) {
      try {
        await runCase(seed, i, base, work);
      } catch (err) {
        violations.push(err instanceof InvariantViolation ? err.message : String((err as Error).stack));
      }
      if (onProgress && (i - start) % 500 === 0) onProgress(i - start);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return violations;
}
