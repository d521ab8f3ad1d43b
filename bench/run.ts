import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, closeSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { INPUT_MEMORY_FACTOR } from '../src/cli/heap-limit.js';
import { generate, GENERATOR_VERSION } from './generate.js';

/**
 * `npm run bench`: generates deterministic streams (10 MB and 100 MB of many sessions, one trajectory
 * of 100,000 LLM spans, and 1 GB with --large), then measures `relay-atif convert` against a floor that
 * only reads and JSON.parses the same lines. Writes BENCHMARKS.md.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, '.bench');
const MB = 1024 * 1024;
const large = process.argv.includes('--large');

interface Measure {
  seconds: number;
  rssBytes: number;
  /** CPU time of the process, user + system, all threads (workers, GC and compiler threads included). */
  cpuSeconds: number;
}

/** Exit statuses a measured run may end with: `diff` says 1 when the dedupe pass changed something. */
function measure(args: string[], okStatuses: readonly number[] = [0]): Measure {
  const rssFile = join(WORK, 'rss.txt');
  const devnull = openSync('/dev/null', 'w');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', join(ROOT, 'bench', 'rss.cjs'), ...args], {
    stdio: ['ignore', devnull, 'pipe'],
    env: { ...process.env, RELAY_BENCH_RSS: rssFile },
    maxBuffer: 64 * MB,
  });
  const seconds = (performance.now() - t0) / 1000;
  closeSync(devnull);
  if (r.status === null || !okStatuses.includes(r.status)) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const { rssBytes, cpuSeconds } = JSON.parse(readFileSync(rssFile, 'utf8')) as Omit<Measure, 'seconds'>;
  return { seconds, rssBytes, cpuSeconds };
}

interface Row {
  name: string;
  bytes: number;
  events: number;
  /** `convert` with its default `--jobs` (the number of cores). */
  convert: Measure;
  /** `convert --jobs 1`: everything on the main thread. */
  single: Measure;
  floor: Measure;
  /** Every round's convert / floor (each round runs both back to back): how far the machine's drift moves the ratio. */
  ratios: number[];
  /** Every round's convert wall time. */
  convertSeconds: number[];
}

async function input(name: string, opts: Parameters<typeof generate>[1]): Promise<{ path: string; bytes: number; events: number }> {
  const path = join(WORK, `${name}.ndjson`);
  const meta = `${path}.meta.json`;
  // Only set options are named: adding one does not make every cached input stale.
  const made = {
    seed: opts.seed,
    rawShare: opts.rawShare ?? null,
    generator: GENERATOR_VERSION,
    ...(opts.subagents !== undefined ? { subagents: opts.subagents } : {}),
    ...(opts.concurrent ? { concurrent: true } : {}),
  };
  if (existsSync(path) && existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    if (m.bytes === statSync(path).size && JSON.stringify(m.made) === JSON.stringify(made)) return { path, bytes: m.bytes, events: m.events };
  }
  process.stderr.write(`generating ${name} …\n`);
  const { bytes, events } = await generate(path, opts);
  writeFileSync(meta, JSON.stringify({ bytes, events, made }));
  return { path, bytes, events };
}

/**
 * A stream's lines split into files of `linesPerFile` lines, in a directory beside it (remade when the
 * stream or the split changes): the shape of a directory of per-session logs, which `convert logs/`
 * reads one file after another.
 */
function splitIntoFiles(name: string, file: { path: string; bytes: number; events: number }, linesPerFile: number): { path: string; bytes: number; events: number; files: number } {
  const dir = join(WORK, name);
  const meta = `${dir}.meta.json`;
  const made = { source: file.path, bytes: file.bytes, linesPerFile };
  if (existsSync(dir) && existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    if (JSON.stringify(m.made) === JSON.stringify(made) && readdirSync(dir).length === m.files) return { path: dir, bytes: file.bytes, events: file.events, files: m.files };
  }
  process.stderr.write(`splitting ${name} …\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const lines = readFileSync(file.path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let files = 0;
  for (let i = 0; i < lines.length; i += linesPerFile) {
    writeFileSync(join(dir, `part-${String(files++).padStart(6, '0')}.ndjson`), lines.slice(i, i + linesPerFile).join('\n') + '\n');
  }
  writeFileSync(meta, JSON.stringify({ made, files }));
  return { path: dir, bytes: file.bytes, events: file.events, files };
}

/** The median wall and CPU times of a set of runs (a noisy machine skews single runs), with the largest peak RSS. */
function median(all: Measure[]): Measure {
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { seconds: mid(all.map((m) => m.seconds)), cpuSeconds: mid(all.map((m) => m.cpuSeconds)), rssBytes: Math.max(...all.map((m) => m.rssBytes)) };
}

/**
 * The three programs run in turn, `runs` rounds: this machine's speed drifts over minutes, and taking
 * the floor and the converter in separate blocks would put that drift into their ratio.
 */
function run(name: string, file: { path: string; bytes: number; events: number }, runs: number): Row {
  process.stderr.write(`measuring ${name} …\n`);
  const convertArgs = [join(ROOT, 'bin', 'relay-atif.js'), 'convert', file.path, '-o', '-', '-q'];
  const floor: Measure[] = [];
  const convert: Measure[] = [];
  const single: Measure[] = [];
  for (let i = 0; i < runs; i++) {
    floor.push(measure([join(ROOT, 'bench', 'floor.mjs'), file.path]));
    convert.push(measure(convertArgs));
    single.push(measure([...convertArgs, '--jobs', '1']));
  }
  const ratios = convert.map((c, i) => c.seconds / floor[i].seconds);
  const convertSeconds = convert.map((c) => c.seconds);
  return { name, bytes: file.bytes, events: file.events, convert: median(convert), single: median(single), floor: median(floor), ratios, convertSeconds };
}

/** Convert to a directory and the other commands that read a whole log, on one stream: one run each (not what the targets measure). */
interface CommandsRow {
  name: string;
  bytes: number;
  runs: Array<{ command: string; measure: Measure }>;
}

/**
 * What `convert -o DIR/`, `events`, the `explain` overview, `explain --span` (of the first LLM span) and
 * the dedupe `diff` take on a stream.
 * Convert writes each file as its trajectory closes; the others hold what they print until the end of
 * input (as text, past a budget in a temporary file). So the peak RSS of each, like that of convert to
 * stdout, should follow the open trajectories rather than the input.
 */
function runCommands(name: string, file: { path: string; bytes: number }): CommandsRow {
  process.stderr.write(`measuring the other commands on ${name} …\n`);
  const bin = join(ROOT, 'bin', 'relay-atif.js');
  // Files of pretty JSON, one per trajectory (what `convert logs/ -o out/` writes): about 3.4 times the input.
  const outDir = join(WORK, 'out-dir');
  rmSync(outDir, { recursive: true, force: true });
  const commands: Array<[string, string[], number[]]> = [
    ['convert -o DIR/', ['convert', file.path, '-o', outDir + '/', '-q'], [0]],
    ['events', ['events', file.path, '-q'], [0]],
    ['explain', ['explain', file.path, '-q'], [0]],
    ['explain --span', ['explain', '--span', firstLlmSpan(file.path), file.path, '-q'], [0]],
    ['diff', ['diff', file.path, '-q'], [0, 1]],
  ];
  try {
    return { name, bytes: file.bytes, runs: commands.map(([command, args, ok]) => ({ command, measure: measure([bin, ...args], ok) })) };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** `validate` and `diff A A` on what `convert` wrote for a stream, in one of the two forms it writes. */
interface ReadBackRow {
  name: string;
  form: 'ndjson' | 'pretty';
  bytes: number;
  trajectories: number;
  validate: Measure;
  /** Absent for several trajectories in one file (diff compares one trajectory with another). */
  diff?: Measure;
}

/**
 * Converts a stream once, to one NDJSON line per trajectory (`-o -`) or a pretty file (`-o FILE`),
 * then measures `validate` on the output and, for a single trajectory, `diff` of the file against
 * itself (both sides read, aligned and compared in full: the worst case of an equal pair).
 */
function runReadBack(name: string, file: { path: string }, form: ReadBackRow['form']): ReadBackRow {
  process.stderr.write(`reading back the ${form} conversion of ${name} …\n`);
  const bin = join(ROOT, 'bin', 'relay-atif.js');
  const out = join(WORK, form === 'ndjson' ? 'read-back.ndjson' : 'read-back.json');
  try {
    const fd = openSync(out, 'w');
    const made = spawnSync(process.execPath, [bin, 'convert', file.path, '-o', form === 'ndjson' ? '-' : out, '-q'], { stdio: ['ignore', form === 'ndjson' ? fd : 'ignore', 'pipe'] });
    closeSync(fd);
    if (made.status !== 0) throw new Error(`convert ${file.path} failed (${made.status}): ${made.stderr}`);
    const trajectories = form === 'pretty' ? 1 : countLines(out);
    const validate = measure([bin, 'validate', out, '-q']);
    const diff = trajectories === 1 ? measure([bin, 'diff', out, out, '-q']) : undefined;
    return { name, form, bytes: statSync(out).size, trajectories, validate, diff };
  } finally {
    rmSync(out, { force: true });
  }
}

/** Newlines in a file, read in 1 MiB pieces. */
function countLines(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let lines = 0;
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      const read = buf.subarray(0, n);
      for (let i = read.indexOf(10); i !== -1; i = read.indexOf(10, i + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

/** The uuid of the first LLM event in a stream's first megabyte: a span `explain --span` finds. */
function firstLlmSpan(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(1 << 20);
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8');
    // Whole lines only (the last may be cut off), read as events.
    for (const line of text.split('\n').slice(0, -1)) {
      if (!line.includes('"category":"llm"')) continue;
      const event = JSON.parse(line) as { category?: unknown; uuid?: unknown };
      if (event.category === 'llm' && typeof event.uuid === 'string') return event.uuid;
    }
    throw new Error(`no LLM event in the first megabyte of ${path}`);
  } finally {
    closeSync(fd);
  }
}

/** The smallest and largest of a few numbers, as `a–b` (one number alone as itself). */
function range(xs: number[], digits: number): string {
  const lo = fmt(Math.min(...xs), digits);
  const hi = fmt(Math.max(...xs), digits);
  return lo === hi ? lo : `${lo}–${hi}`;
}

const fmt = (n: number, d = 1) => n.toFixed(d);

/** Each target of issue 6 against this run's rows (a row not measured in this run is said so). */
function targets(rows: Row[]): string[] {
  const row = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const line = (what: string, r: Row | undefined, check: (r: Row) => [boolean, string]) => {
    if (!r) return `- ${what}: not measured (run with --large)`;
    const [ok, value] = check(r);
    return `- ${what}: ${value}, ${verdict(ok)}`;
  };
  return [
    line('convert / floor ≤ 3 on the 100 MB stream', row('100 MB, many'), (r) => [r.convert.seconds / r.floor.seconds <= 3, `${fmt(r.convert.seconds / r.floor.seconds, 2)} (rounds: ${range(r.ratios, 2)})`]),
    line('the 100,000-span trajectory in under 10 s', row('one trajectory, 100,000'), (r) => [r.convert.seconds < 10, `${fmt(r.convert.seconds, 2)} s (runs: ${range(r.convertSeconds, 2)} s)`]),
    line('the 1 GB stream with peak RSS under 1.5 GB', row('1 GB, many'), (r) => [r.convert.rssBytes < 1.5 * 1024 * MB, `${fmt(r.convert.rssBytes / MB, 0)} MB`]),
  ];
}

/**
 * Why the ratio target is or is not within reach of scheduling alone: on C cores, a run takes at
 * least its CPU time / C, so the target caps the CPU time a conversion may use.
 */
function cpuBound(rows: Row[]): string[] {
  const r = rows.find((x) => x.name.startsWith('100 MB, many'));
  if (!r) return [];
  const cores = cpus().length;
  const wall = 3 * r.floor.seconds;
  const budget = cores * wall;
  const least = Math.min(r.convert.cpuSeconds, r.single.cpuSeconds);
  const cut = 1 - budget / least;
  return [
    `CPU bound on the 100 MB stream: on ${cores} cores a run takes at least its CPU time / ${cores}. The target (≤ 3 × floor = ${fmt(wall, 2)} s)`,
    `allows at most ${fmt(budget, 2)} s of CPU. \`convert\` used ${fmt(r.convert.cpuSeconds, 2)} s (\`--jobs 1\`: ${fmt(r.single.cpuSeconds, 2)} s; the floor ${fmt(r.floor.cpuSeconds, 2)} s), so`,
    cut > 0
      ? `the work itself must shrink by at least ${fmt(cut * 100, 0)}% before any spreading over threads can meet the target.`
      : 'spreading the work over threads could meet the target: the CPU time is within the budget.',
    '',
  ];
}

const ATOF_ONLY_ROW = '100 MB, ATOF only (for comparison)';
const RAW_ONLY_ROW = '100 MB, hooks + gateway only (for comparison)';

/**
 * The hooks + gateway row beside the ATOF-only one, and why it is the slower: the replay waits for the
 * end of input (a fact of the design, stated; the rows give the cost).
 */
function rawOnly(rows: Row[]): string[] {
  const r = rows.find((x) => x.name === RAW_ONLY_ROW);
  const atof = rows.find((x) => x.name === ATOF_ONLY_ROW);
  if (!r || !atof) return [];
  const mbps = (x: Row) => fmt(x.bytes / MB / x.convert.seconds);
  return [
    `Hooks + gateway only: the row "${RAW_ONLY_ROW}" holds no ATOF, only what coding agents' hooks and an LLM gateway`,
    `log (sessions of the same two kinds as the raw fifth of the streams above). It converts at ${mbps(r)} MB/s, ${fmt(r.convert.seconds / r.floor.seconds, 1)} times`,
    `its floor, against ${mbps(atof)} MB/s (${fmt(atof.convert.seconds / atof.floor.seconds, 1)} times) for ATOF alone. The session replay follows one timeline, in time order,`,
    'across every input file (relay-cli.md §3.12), so it starts only when the whole input has been read: each raw',
    'record is checked as it is read, held as its text, and decoded again when replayed, on the main thread,',
    `while the export workers convert the sessions it completes (\`--jobs 1\`: ${fmt(r.single.seconds, 2)} s).`,
    '',
  ];
}

const AGENT_SCOPES_ROW = 'one trajectory, 63 agent scopes';

/**
 * The row of the shape issue 6 gives the reference exporter's time for. That time was measured
 * elsewhere (the reference is Rust; this machine cannot build it), so it is quoted, not compared.
 */
function agentScopes(rows: Row[]): string[] {
  const r = rows.find((x) => x.name === AGENT_SCOPES_ROW);
  if (!r) return [];
  return [
    `Agent scopes: issue 6 quotes about 6.6 s for the reference exporter (compiled Rust, which rebuilds its dedupe pass`,
    `for every agent of a trajectory and compares every pair of LLM spans) on a 20,000-event stream with 63 agent`,
    `scopes. The row "${AGENT_SCOPES_ROW}" is such a stream: ${r.events} events, a root agent and 62 subagents`,
    `(each started by a tool call of the root), half of the LLM calls seen by both a hook and the gateway.`,
    `\`convert\` took ${fmt(r.convert.seconds, 2)} s here, start-up included (the reference's figure is from another machine: a`,
    'context, not a measurement side by side).',
    '',
  ];
}

const CONCURRENT_ROW = 'one trajectory, 20,000 concurrent LLM calls';

/** What the concurrent-calls row shows: a burst of overlapping calls costs the dedupe pass no comparisons. */
function concurrentCalls(rows: Row[]): string[] {
  const r = rows.find((x) => x.name === CONCURRENT_ROW);
  if (!r) return [];
  const spans = (r.events - 2) / 2; // every LLM span is a start and an end; the agent scope adds two events
  return [
    `Concurrent calls: the row "${CONCURRENT_ROW}" is one agent whose ${spans} LLM spans are`,
    'all in flight at once (every start, then every end), half of the calls also seen by a hook that reports the',
    `exact payload: ${((spans * (spans - 1)) / 2).toLocaleString('en-US')} pairs of overlapping windows under one parent. The dedupe pass decides only the`,
    'pairs that share a request signature or a correlation key (here, each call with its own duplicate), so',
    `\`convert\` took ${fmt(r.convert.seconds, 2)} s. Deciding every overlapping pair, as the reference does and relay-atif did before, runs`,
    'out of memory on such a stream (6,000 concurrent calls exhausted a 4 GB heap after 31 s).',
    '',
  ];
}

const MANY_FILES_ROW = '10 MB, many sessions, in files of 5 lines';
const LINES_PER_FILE = 5;

/** What the many-files row shows: reading a directory of small logs costs little more than one file. */
function manyFiles(rows: Row[]): string[] {
  const r = rows.find((x) => x.name.startsWith(MANY_FILES_ROW));
  const one = rows.find((x) => x.name === '10 MB, many sessions');
  if (!r || !one) return [];
  return [
    `Many files: the row "${r.name}" is the 10 MB stream split into files`,
    `of ${LINES_PER_FILE} lines each, read as a directory (\`convert DIR -o -\`: the shape of a directory of per-session logs).`,
    `\`convert\` took ${fmt(r.convert.seconds, 2)} s against ${fmt(one.convert.seconds, 2)} s for the same lines in one file (the floor: ${fmt(r.floor.seconds, 2)} s against ${fmt(one.floor.seconds, 2)} s).`,
    '',
  ];
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const rows: Row[] = [];
  rows.push(run('10 MB, many sessions', await input('sessions-10mb', { seed: 1, targetBytes: 10 * MB }), 3));
  const tenMbFiles = splitIntoFiles('sessions-10mb-files', await input('sessions-10mb', { seed: 1, targetBytes: 10 * MB }), LINES_PER_FILE);
  rows.push(run(`${MANY_FILES_ROW} (${tenMbFiles.files} files)`, tenMbFiles, 3));
  rows.push(run('100 MB, many sessions', await input('sessions-100mb', { seed: 2, targetBytes: 100 * MB }), 3));
  rows.push(run(ATOF_ONLY_ROW, await input('sessions-100mb-atof', { seed: 2, targetBytes: 100 * MB, rawShare: 0 }), 3));
  rows.push(run(RAW_ONLY_ROW, await input('sessions-100mb-raw', { seed: 2, targetBytes: 100 * MB, rawShare: 1 }), 3));
  rows.push(run('one trajectory, 100,000 LLM spans', await input('spans-100k', { seed: 3, targetBytes: 0, singleTrajectoryLlmSpans: 100_000 }), 3));
  // The shape issue 6 quotes the reference exporter on (its dedupe pass is rebuilt per agent).
  rows.push(run(AGENT_SCOPES_ROW, await input('agents-63', { seed: 6, targetBytes: 0, singleTrajectoryLlmSpans: 7_000, subagents: 62 }), 3));
  // A burst of overlapping calls under one agent: n² / 2 overlapping pairs for the dedupe pass.
  rows.push(run(CONCURRENT_ROW, await input('concurrent-20k', { seed: 7, targetBytes: 0, singleTrajectoryLlmSpans: 20_000, concurrent: true }), 3));
  if (large) rows.push(run('1 GB, many sessions', await input('sessions-1gb', { seed: 4, targetBytes: 1024 * MB }), 1));
  // Not a target of issue 6: what one very large session takes (every event held until its scope ends).
  if (large) rows.push(run('one trajectory, 500,000 LLM spans', await input('spans-500k', { seed: 5, targetBytes: 0, singleTrajectoryLlmSpans: 500_000 }), 1));
  const others = [runCommands('100 MB, many sessions', await input('sessions-100mb', { seed: 2, targetBytes: 100 * MB }))];
  if (large) others.push(runCommands('1 GB, many sessions', await input('sessions-1gb', { seed: 4, targetBytes: 1024 * MB })));
  const spans100k = await input('spans-100k', { seed: 3, targetBytes: 0, singleTrajectoryLlmSpans: 100_000 });
  const readBack = [
    runReadBack('100 MB, many sessions', await input('sessions-100mb', { seed: 2, targetBytes: 100 * MB }), 'ndjson'),
    runReadBack('one trajectory, 100,000 LLM spans', spans100k, 'ndjson'),
    runReadBack('one trajectory, 100,000 LLM spans', spans100k, 'pretty'),
  ];
  if (large) readBack.push(runReadBack('one trajectory, 500,000 LLM spans', await input('spans-500k', { seed: 5, targetBytes: 0, singleTrajectoryLlmSpans: 500_000 }), 'ndjson'));

  const lines = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (add `--large` for the 1 GB inputs). Inputs are generated deterministically',
    '(`bench/generate.ts`): coding-agent sessions with turns, tool calls, subagents and LLM calls seen by both a',
    'hook and the gateway (merged by the dedupe pass). Hooks + gateway + ATOF: four sessions in five are ATOF',
    'events (as NeMo-Relay writes them); one in five arrives as raw records — Hermes hook payloads with gateway',
    'captures of the same calls (OpenAI Chat), or Claude Code hook payloads with Anthropic Messages captures, half',
    'of them streamed — which the session replay turns into events (about 22% of the bytes; the ATOF-only row',
    'shows the rest on its own, the hooks + gateway row raw records alone). `convert` is `relay-atif convert FILE -o -` (NDJSON',
    'to /dev/null, default profile, root `extra.observed_events` included); the floor (`bench/floor.mjs`) only',
    'reads the same lines and `JSON.parse`s them. `convert` runs with its default `--jobs` (one thread per core:',
    'the main thread and export workers for the rest); `--jobs 1` keeps everything on the main thread. Times are',
    'the median of 3 rounds (1 for the 1 GB inputs), each round running the three programs in turn; the last',
    'column divides the median convert time by the median floor time, with each round\'s own ratio beside it',
    '(this machine\'s speed drifts by tens of percent within minutes). Peak RSS is the largest process maximum',
    `resident set size (worker threads included). On inputs too large for V8's own heap limit (here, those over`,
    `${fmt(getHeapStatistics().heap_size_limit / INPUT_MEMORY_FACTOR / MB, 0)} MB) the CLI runs itself again with a limit that fits the machine (README, Reliability): the peak is then`,
    'that of the larger process, the CPU time that of both.',
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${fmt(totalmem() / 1024 ** 3, 0)} GiB, ${platform()} ${release()}; Node ${process.version}.`,
    '',
    '| input | size | records | convert s | CPU s | records/s | MB/s | peak RSS | `--jobs 1` s | CPU s | RSS | floor s | CPU s | RSS | convert / floor |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) =>
      `| ${r.name} | ${fmt(r.bytes / MB)} MB | ${r.events} | ${fmt(r.convert.seconds, 2)} | ${fmt(r.convert.cpuSeconds, 2)} | ${fmt(r.events / r.convert.seconds, 0)} | ${fmt(r.bytes / MB / r.convert.seconds)} | ${fmt(r.convert.rssBytes / MB, 0)} MB | ${fmt(r.single.seconds, 2)} | ${fmt(r.single.cpuSeconds, 2)} | ${fmt(r.single.rssBytes / MB, 0)} MB | ${fmt(r.floor.seconds, 2)} | ${fmt(r.floor.cpuSeconds, 2)} | ${fmt(r.floor.rssBytes / MB, 0)} MB | ${fmt(r.convert.seconds / r.floor.seconds, 2)} (${range(r.ratios, 2)}) |`,
    ),
    '',
    'CPU s is the CPU time of the whole process, user + system, every thread (export workers, and V8\'s garbage',
    'collector and compiler threads, which run beside the main thread even with `--jobs 1`).',
    '',
    'Targets (issue 6), as measured in this run:',
    '',
    ...targets(rows),
    '',
    ...cpuBound(rows),
    ...rawOnly(rows),
    ...agentScopes(rows),
    ...concurrentCalls(rows),
    ...manyFiles(rows),
    'Convert to a directory (pretty JSON files, one per trajectory, as `convert logs/ -o out/` writes them: about',
    '3.4 times the input in size), and the other commands that read a whole log, on the same streams (one run',
    'each; the other commands\' output to /dev/null):',
    '',
    '| input | size | `convert -o DIR/` s | peak RSS | `events` s | peak RSS | `explain` s | peak RSS | `explain --span` s | peak RSS | `diff` s | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...others.map((o) => `| ${o.name} | ${fmt(o.bytes / MB)} MB | ${o.runs.map((r) => `${fmt(r.measure.seconds, 2)} | ${fmt(r.measure.rssBytes / MB, 0)} MB`).join(' | ')} |`),
    '',
    'Reading trajectories back: `validate`, and `diff A A` (a trajectory against itself: both sides read, aligned',
    'and compared in full), on what `convert` wrote for a stream — one NDJSON line per trajectory (`-o -`), or a',
    'pretty JSON file (`-o FILE`). A document of more than 512 MiB (V8\'s longest string) is read value by value.',
    '',
    '| converted from | written as | size | trajectories | `validate` s | peak RSS | `diff A A` s | peak RSS |',
    '|---|---|---|---|---|---|---|---|',
    ...readBack.map((r) =>
      `| ${r.name} | ${r.form === 'ndjson' ? 'NDJSON (`-o -`)' : 'pretty (`-o FILE`)'} | ${fmt(r.bytes / MB)} MB | ${r.trajectories} | ${fmt(r.validate.seconds, 2)} | ${fmt(r.validate.rssBytes / MB, 0)} MB | ${r.diff ? `${fmt(r.diff.seconds, 2)} | ${fmt(r.diff.rssBytes / MB, 0)} MB` : '— | —'} |`,
    ),
    '',
  ];
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

await main();
