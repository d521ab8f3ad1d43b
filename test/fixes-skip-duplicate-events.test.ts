/**
 * Fix `skip-duplicate-events` (input-records.md §5: "duplicate event" is a skip reason; atif-dedupe.md
 * §5 E17: the reference converts every duplicate start and end). An ATOF input line repeating an event
 * already read in its trajectory (same uuid, kind and scope_category; a mark: same uuid) is a counted
 * `duplicate-event` skip, and the output is as if the line appeared once. Fixtures, each a line
 * repeated verbatim: `skip-duplicate-events` (an LLM start), `-tool-end` (a tool end), `-mark` (a mark).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import type { AccountingReport } from '../src/ingest/accounting.js';
import type { AtofEvent } from '../src/ingest/atof.js';
import { FIXES, resolveFixes } from '../src/profiles/fixes.js';
import { convertEvents, TopLevelGrouper, type GroupSink } from '../src/pipeline/stream.js';
import { ROOT, runCli, runJson } from './support/cli.js';
import { at, ev, uuid } from './support/events.js';
import { convert, convertText, fixture, sources, type OverviewJson } from './support/fixes.js';

const FIX = 'skip-duplicate-events';
const SEED = ['--profile', 'relay-0.3'] as const;
/** Each fixture, the 1-based line that repeats the line before it, and the uuid and phase repeated. */
const CASES = [
  { name: FIX, line: 3, uuid: uuid(1), phase: 'start' },
  { name: `${FIX}-tool-end`, line: 6, uuid: uuid(2), phase: 'end' },
  { name: `${FIX}-mark`, line: 5, uuid: uuid(3), phase: 'mark' },
] as const;

const dir = mkdtempSync(join(tmpdir(), 'relay-duplicates-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The fixture with its repeated line taken out: what the fix must make of the fixture. */
function once(c: (typeof CASES)[number]): string {
  const lines = readFileSync(join(ROOT, fixture(c.name)), 'utf8').split('\n');
  assert.equal(lines[c.line - 1], lines[c.line - 2], `${c.name}: line ${c.line} repeats the line before it`);
  const file = join(dir, `${c.name}.once.ndjson`);
  writeFileSync(file, lines.filter((_, i) => i !== c.line - 1).join('\n'));
  return file;
}

const run = async (args: string[]) => {
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  return r;
};
/** The run summary's first line without where the output went (convert's, comparable with explain's and diff's). */
const summaryLine = (stderr: string) => stderr.split('\n')[0].replace(/ → .*?;/, ';');
/** The skip as --strict names it (`FILE:LINE: skipped (duplicate-event): …`) or the summary (`duplicate-event: 1 line(s) (first at FILE:LINE: …`). */
const skipMessage = (c: (typeof CASES)[number]) =>
  new RegExp(`${c.name}\\.ndjson:${c.line}: (skipped \\(duplicate-event\\): )?event ${c.uuid} \\(${c.phase}\\) was already read in its trajectory`);

describe(`${FIX}: the registry`, () => {
  it('is listed with its origin, in the default profile and not in relay-0.3', async () => {
    const info = FIXES.find((f) => f.name === FIX);
    assert.equal(info?.inDefault, true);
    assert.match(info?.origin ?? '', /input-records\.md §5.*E17/);
    const r = JSON.parse((await run(['profiles', '--json'])).stdout) as { profiles: Array<{ name: string; fixes: string[] }>; fixes: Array<{ name: string; in_default: boolean }> };
    assert.equal(r.fixes.find((f) => f.name === FIX)?.in_default, true);
    assert.ok(r.profiles.find((p) => p.name === 'default')?.fixes.includes(FIX));
    assert.ok(!r.profiles.find((p) => p.name === 'relay-0.3')?.fixes.includes(FIX));
    assert.match((await run(['profiles'])).stdout, new RegExp(`\\* ${FIX} +.*E17`));
  });
});

for (const c of CASES) {
  describe(`${FIX}: ${c.name}`, () => {
    it('has a fixture', () => assert.ok(existsSync(join(ROOT, fixture(c.name)))));

    it('the default profile differs from relay-0.3, relay-0.3 with only this fix is the default, --no-fix restores relay-0.3', async () => {
      const seed = await convertText(c.name, ...SEED);
      const byDefault = await convertText(c.name);
      assert.notEqual(byDefault, seed);
      assert.equal(await convertText(c.name, ...SEED, '--fix', FIX), byDefault);
      assert.equal(await convertText(c.name, '--no-fix', FIX), seed);
    });

    it('the output is the one of the input with the line once: streamed (observed events too) and with --session-id', async () => {
      const single = once(c);
      for (const extra of [[], ['--session-id', 's']]) {
        const dup = await run(['convert', fixture(c.name), '-o', '-', '-q', ...extra]);
        const one = await run(['convert', single, '-o', '-', '-q', ...extra]);
        assert.equal(dup.stdout, one.stdout, extra.join(' ') || 'streamed');
        // relay-0.3 converts the repeat, as the reference does.
        const seed = await run(['convert', fixture(c.name), '-o', '-', '-q', ...SEED, ...extra]);
        assert.notEqual(seed.stdout, (await run(['convert', single, '-o', '-', '-q', ...SEED, ...extra])).stdout);
      }
    });

    it('--strict fails on the line, naming file, line, uuid and phase; relay-0.3 and --no-fix pass', async () => {
      for (const extra of [[], ['--session-id', 's']]) {
        const r = await runCli(['convert', fixture(c.name), '-o', '-', '--strict', ...extra]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, skipMessage(c));
        for (const off of [SEED, ['--no-fix', FIX]]) assert.equal((await runCli(['convert', fixture(c.name), '-o', '-', '--strict', '-q', ...off, ...extra])).code, 0, off.join(' '));
      }
    });

    it('--report counts the line in the skipped bucket, with its example; every line in one bucket', async () => {
      const lines = readFileSync(join(ROOT, fixture(c.name)), 'utf8').trim().split('\n').length;
      for (const extra of [[], ['--session-id', 's']]) {
        const report = join(dir, `${c.name}.report.json`);
        const r = await run(['convert', fixture(c.name), '-o', '-', '-q', '--report', report, ...extra]);
        const accounting = (JSON.parse(readFileSync(report, 'utf8')) as { lines: AccountingReport; trajectories: Array<{ events: number }> });
        assert.equal(accounting.lines.total, lines);
        assert.equal(accounting.lines.used.total, lines - 1);
        assert.equal(accounting.lines.skipped.total, 1);
        const skipped = accounting.lines.skipped.by_reason['duplicate-event'];
        assert.equal(skipped?.count, 1);
        assert.equal(skipped?.examples[0].line, c.line);
        assert.match(skipped?.examples[0].message ?? '', new RegExp(`event ${c.uuid} \\(${c.phase}\\)`));
        assert.deepEqual(accounting.trajectories.map((t) => t.events), [lines - 1], extra.join(' '));
        assert.match(r.stderr, /^$/);
        const seed = join(dir, `${c.name}.seed.json`);
        await run(['convert', fixture(c.name), '-o', '-', '-q', '--report', seed, ...SEED, ...extra]);
        assert.deepEqual((JSON.parse(readFileSync(seed, 'utf8')) as { lines: AccountingReport }).lines.skipped, { total: 0, by_reason: {} });
      }
    });

    it('explain (overview, --span, --step) and diff count as convert does, streamed and with --session-id', async () => {
      for (const extra of [[], ['--session-id', 's']]) {
        const converted = summaryLine((await run(['convert', fixture(c.name), '-o', '-', ...extra])).stderr);
        assert.match(converted, /lines, \d+ events; 1 skipped, 0 rejected$/);
        for (const args of [['explain'], ['explain', '--span', uuid(1)], ['explain', '--step', '1', ...(extra.length > 0 ? [] : ['--trajectory', uuid(0xaa)])], ['diff']]) {
          const r = await runCli([...args, fixture(c.name), ...extra]);
          assert.equal(r.code, 0, r.stderr);
          assert.equal(summaryLine(r.stderr), converted, `${args.join(' ')} ${extra.join(' ')}`);
          assert.match(r.stderr, skipMessage(c));
          // diff has no --strict.
          if (args[0] === 'explain') assert.equal((await runCli([...args, fixture(c.name), '--strict', '-q', ...extra])).code, 1, `${args.join(' ')} --strict`);
        }
      }
    });

    it('--jobs 2 with workers from the first byte gives what --jobs 1 gives', async () => {
      const eager = { env: { RELAY_ATIF_JOBS_AFTER_BYTES: '0' } };
      // Three sessions, each with the fixture's repeat: the later ones go to a worker.
      const text = readFileSync(join(ROOT, fixture(c.name)), 'utf8');
      const sessions = [0, 1, 2].map((n) => text.replaceAll('01970000-0000-7000-8000-', `0197000${n}-0000-7000-8000-`)).join('');
      const file = join(dir, `${c.name}.sessions.ndjson`);
      writeFileSync(file, sessions);
      for (const args of [['convert', file, '-o', '-', '--json'], ['explain', file], ['diff', file]]) {
        const one = await runCli([...args, '--jobs', '1']);
        const many = await runCli([...args, '--jobs', '2'], eager);
        assert.equal(many.code, one.code, many.stderr);
        assert.equal(many.stdout, one.stdout, args[0]);
        assert.equal(many.stderr, one.stderr, args[0]);
      }
      const report = JSON.parse((await runCli(['convert', file, '-o', '-', '--json', '--jobs', '2'], eager)).stderr) as { lines: AccountingReport };
      assert.equal(report.lines.skipped.by_reason['duplicate-event']?.count, 3);
    });
  });
}

describe(`${FIX}: what changes`, () => {
  it('an LLM start repeated: relay-0.3 writes its user step twice', async () => {
    assert.deepEqual(sources(await convert(FIX, ...SEED)), ['user', 'user', 'agent']);
    assert.deepEqual(sources(await convert(FIX)), ['user', 'agent']);
  });

  it('a tool end repeated: relay-0.3 lists the tool twice in tool_ancestry and tool_invocations', async () => {
    const extra = (t: Trajectory) => t.steps[1].extra as { tool_ancestry: unknown[]; tool_invocations: unknown[] };
    const [seed, fixed] = [await convert(`${FIX}-tool-end`, ...SEED), await convert(`${FIX}-tool-end`)];
    assert.deepEqual([extra(seed).tool_ancestry.length, extra(seed).tool_invocations.length], [2, 2]);
    assert.deepEqual([extra(fixed).tool_ancestry.length, extra(fixed).tool_invocations.length], [1, 1]);
    assert.deepEqual(extra(fixed).tool_ancestry, extra(seed).tool_ancestry.slice(0, 1));
  });

  it('a mark repeated: relay-0.3 writes its system step twice', async () => {
    assert.deepEqual(sources(await convert(`${FIX}-mark`, ...SEED)), ['user', 'agent', 'system', 'system']);
    assert.deepEqual(sources(await convert(`${FIX}-mark`)), ['user', 'agent', 'system']);
  });

  it('explain no longer warns W_DUPLICATE_EVENT on the span: the repeat is not converted', async () => {
    const warnings = async (...flags: string[]) => (await runJson<OverviewJson>(['explain', fixture(FIX), ...flags])).trajectories[0].spans.find((s) => s.span === uuid(1))?.warnings;
    assert.ok((await warnings(...SEED))?.includes('W_DUPLICATE_EVENT'));
    assert.ok(!(await warnings())?.includes('W_DUPLICATE_EVENT'));
  });

  it('explain --step under relay-0.3 names each repeated step with its own line, not every repeat', async () => {
    // Each repeat made a step of its own: the LLM start's two user steps (lines 2 and 3), the mark's
    // two system steps. Both steps used to list both lines, as if each came from the two.
    const lines = async (name: string, step: number) =>
      (await runJson<any>(['explain', fixture(name), '--step', String(step), '--trajectory', uuid(0xaa), ...SEED])).origin.events.map((e: any) => e.line);
    assert.deepEqual([await lines(FIX, 1), await lines(FIX, 2)], [[2], [3]]);
    assert.deepEqual([await lines(`${FIX}-mark`, 3), await lines(`${FIX}-mark`, 4)], [[4], [5]]);
  });
});

describe(`${FIX}: the grouper`, () => {
  const agent = (phase: 'start' | 'end', ms: number) => ev({ category: 'agent', scope_category: phase, uuid: uuid(0xa0), parent_uuid: null, timestamp: at(ms), name: 'agent', data: null });
  const fn = (phase: 'start' | 'end', ms: number, data: unknown = null) => ev({ category: 'function', scope_category: phase, uuid: uuid(0xb0), parent_uuid: uuid(0xa0), timestamp: at(ms), name: 'fn', data });
  const mark = (ms: number, parent = uuid(0xa0)) => ev({ kind: 'mark', uuid: uuid(0xc0), parent_uuid: parent, timestamp: at(ms), name: 'm', data: null });
  /** Pushes every event; returns the groups (events by name and phase) and which events were duplicates or late. */
  function group(events: AtofEvent[], skipDuplicates = true) {
    const groups = new Map<string, string[]>();
    const sink: GroupSink<string> = {
      add: (root, e) => groups.set(root, [...(groups.get(root) ?? []), `${e.name}:${e.kind === 'mark' ? 'mark' : e.scopeCategory}:${JSON.stringify(e.data ?? null)}`]),
      close: (root) => root,
      unscoped: () => 'unscoped',
    };
    const grouper = new TopLevelGrouper(sink, { skipDuplicates });
    const duplicates: number[] = [];
    const late: number[] = [];
    events.forEach((e, i) => {
      const pushed = grouper.push(e);
      if (pushed.duplicate) duplicates.push(i);
      for (const l of pushed.late) late.push(events.indexOf(l));
    });
    grouper.finish();
    return { events: groups.get(uuid(0xa0)), duplicates, late };
  }

  it('a repeat is the same uuid and phase, whatever its payload: the first copy is kept', () => {
    const r = group([agent('start', 0), fn('start', 1, 'first'), fn('start', 2, 'second'), fn('end', 3), agent('end', 4)]);
    assert.deepEqual(r.duplicates, [2]);
    assert.deepEqual(r.events, ['agent:start:null', 'fn:start:"first"', 'fn:end:null', 'agent:end:null']);
  });

  it('another phase of the uuid is no repeat; without the option nothing is skipped', () => {
    assert.deepEqual(group([agent('start', 0), fn('start', 1), fn('end', 2), mark(3), agent('end', 4)]).duplicates, []);
    const off = group([agent('start', 0), fn('start', 1), fn('start', 1), mark(3), mark(3), agent('end', 4)], false);
    assert.deepEqual([off.duplicates, off.events?.length], [[], 6]);
  });

  it('a repeated top-level start and a repeated end that closes nothing', () => {
    const r = group([agent('start', 0), agent('start', 0), fn('start', 1), fn('end', 2), fn('end', 2), agent('end', 4)]);
    assert.deepEqual(r.duplicates, [1, 4]);
    assert.equal(r.events?.length, 4);
  });

  it('a repeat of an event still waiting for its parent is a duplicate; one after its scope closed is late', () => {
    const waiting = group([mark(1, uuid(0xb0)), mark(1, uuid(0xb0)), agent('start', 0), fn('start', 1), fn('end', 2), agent('end', 4)]);
    assert.deepEqual([waiting.duplicates, waiting.events?.length], [[1], 5]);
    const closed = group([agent('start', 0), fn('start', 1), fn('end', 2), agent('end', 4), fn('end', 2), agent('end', 4)]);
    assert.deepEqual([closed.duplicates, closed.late], [[], [4, 5]]);
  });

  it('convertEvents skips the same repeats streamed and with a session id, under the default profile only', () => {
    const events = [agent('start', 0), fn('start', 1), fn('start', 1), mark(3), mark(3), fn('end', 5), agent('end', 6)];
    const options = { agent: { name: 'a', version: '1' }, observedEvents: false, dedupe: true };
    for (const sessionId of [undefined, 's']) {
      const fixed = convertEvents(events, { ...options, sessionId, fixes: resolveFixes('default') });
      assert.deepEqual(fixed.duplicates, [events[2], events[4]]);
      assert.deepEqual(fixed.trajectories.map((t) => t.eventCount), [5]);
      const seed = convertEvents(events, { ...options, sessionId, fixes: resolveFixes('relay-0.3') });
      assert.deepEqual([seed.duplicates, seed.trajectories.map((t) => t.eventCount)], [[], [7]]);
    }
  });
});

describe(`${FIX}: beside raw records`, () => {
  it('explain --request counts and skips the repeat as convert does (streamed and --session-id); replayed events are never skipped', async () => {
    const raw = readFileSync(join(ROOT, 'samples', 'hermes-gateway-session.ndjson'), 'utf8').trim().split('\n');
    const atof = readFileSync(join(ROOT, fixture(FIX)), 'utf8').trim().split('\n');
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, [...atof, ...raw].join('\n') + '\n');
    for (const extra of [[], ['--session-id', 's']]) {
      const converted = await run(['convert', file, '-o', `${dir}/out/`, ...extra]);
      assert.match(converted.stderr, /skipped duplicate-event: 1 line\(s\) \(first at .*mixed\.ndjson:3/);
      const explained = await run(['explain', file, '--request', 'cap-h1', ...extra]);
      assert.equal(summaryLine(explained.stderr), summaryLine(converted.stderr), extra.join(' '));
      assert.equal((await runCli(['explain', file, '--request', 'cap-h1', '--strict', '-q', ...extra])).code, 1);
      // The replayed events alone: no skip (and relay-0.3 converts the same raw records alike).
      const sample = await run(['convert', 'samples/hermes-gateway-session.ndjson', '-o', '-', ...extra]);
      assert.match(sample.stderr, /0 skipped, 0 rejected/);
      assert.equal(sample.stdout, (await run(['convert', 'samples/hermes-gateway-session.ndjson', '-o', '-', '--no-fix', FIX, ...extra])).stdout);
    }
  });
});
