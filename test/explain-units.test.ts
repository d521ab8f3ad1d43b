import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, windowJson } from '../src/explain/format.js';
import { matchSpanId, shortIds } from '../src/explain/ids.js';
import { ShortIdMarkers } from '../src/explain/short-id-markers.js';
import type { Styles } from '../src/explain/palette.js';
import { chalkFor, stylesFor } from '../src/explain/palette.js';
import { renderRequest } from '../src/explain/request-report.js';
import { AttributionLog, type GatewayAttribution } from '../src/sessions/attribution.js';
import { codePoints, renderTable, cell } from '../src/explain/table.js';
import { emit } from '../src/cli/commands/explain.js';
import type { CliIO } from '../src/cli/io.js';
import { prettyJson } from '../src/json/stringify.js';
import { JsonNumber, type Json } from '../src/json/value.js';

describe('shortIds', () => {
  it('gives the shortest unique prefix, at least 13 characters, never ending on a hyphen', () => {
    const ids = shortIds([
      '019dca57-727b-7e29-92a2-020684000006',
      '019dca57-727b-79ba-8966-020684000007',
      '019dca57-5bc2-7fd3-8efc-020684000003',
    ]);
    assert.deepEqual([...ids.values()].sort(), ['019dca57-5bc2', '019dca57-727b-79', '019dca57-727b-7e']);
    assert.equal(shortIds(['01950000-0000-7000-8003-000000000002', '01950000-0000-7000-8003-000000000003']).get('01950000-0000-7000-8003-000000000002'), '01950000-0000-7000-8003-000000000002');
  });

  it('every short form resolves back to its uuid', () => {
    const uuids = ['019dca57-727b-7e29-92a2-020684000006', '019dca57-727b-79ba-8966-020684000007', '019dca57-5bc2-7fd3-8efc-020684000003'];
    for (const [u, s] of shortIds(uuids)) assert.deepEqual(matchSpanId(s, uuids), { kind: 'one', uuid: u });
  });
});

describe('matchSpanId', () => {
  const known = ['01970000-0000-7000-8000-0000000000e1', '01970000-0000-7000-8000-0000000000e2'];
  it('matches a full uuid in any case and without hyphens', () => {
    assert.deepEqual(matchSpanId('01970000-0000-7000-8000-0000000000E1', known), { kind: 'one', uuid: known[0] });
    assert.deepEqual(matchSpanId('019700000000700080000000000000e2', known), { kind: 'one', uuid: known[1] });
  });
  it('reports an ambiguous prefix with every match, and an unknown or empty one', () => {
    assert.deepEqual(matchSpanId('0197', known), { kind: 'ambiguous', uuids: known });
    assert.deepEqual(matchSpanId('ffff', known), { kind: 'unknown' });
    assert.deepEqual(matchSpanId('', known), { kind: 'unknown' });
  });
});

describe('format', () => {
  it('renders nanosecond spans exactly', () => {
    const cases: Array<[bigint, string]> = [
      [250n, '250ns'],
      [1_500n, '1.5µs'],
      [3_000_000n, '3ms'],
      [5_448_000_001n, '5.448000001s'],
      [-2_000_000n, '-2ms'],
      [0n, '0ns'],
      [1_000_000_000n, '1s'],
      [999_999_999n, '999.999999ms'],
      // Both sides of 2^53 ns (about 104 days): exact on each, past it in BigInt arithmetic.
      [9_007_199_254_740_991n, '9007199.254740991s'],
      [9_007_199_254_740_993n, '9007199.254740993s'],
      [-9_007_199_254_740_993n, '-9007199.254740993s'],
      [123_456_789_012_345_678_901n, '123456789012.345678901s'],
    ];
    for (const [ns, text] of cases) assert.equal(formatDuration(ns), text, String(ns));
  });
  it('formats any span as the plain BigInt definition does, on both sides of 2^53', () => {
    const oracle = (ns: bigint): string => {
      const abs = ns < 0n ? -ns : ns;
      for (const [unit, name] of [[1_000_000_000n, 's'], [1_000_000n, 'ms'], [1_000n, 'µs']] as const) {
        if (abs < unit) continue;
        const frac = (abs % unit).toString().padStart(unit.toString().length - 1, '0').replace(/0+$/, '');
        return `${ns < 0n ? '-' : ''}${abs / unit}${frac ? '.' + frac : ''}${name}`;
      }
      return `${ns}ns`;
    };
    fc.assert(fc.property(fc.oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.bigInt({ min: 2n ** 53n - 5000n, max: 2n ** 53n + 5000n }), fc.bigInt({ min: -5000n, max: 5_000_000_000n })), (ns) => formatDuration(ns) === oracle(ns)), { numRuns: 3000 });
  });
  it('windows carry RFC 3339 ends and the length as a string (BigInt never reaches JSON)', () => {
    const w = windowJson(1767225600_001_000_000n, 1767225600_003_000_001n);
    assert.deepEqual(w, { start: '2026-01-01T00:00:00.001+00:00', end: '2026-01-01T00:00:00.003000001+00:00', duration_ns: '2000001' });
    assert.doesNotThrow(() => JSON.stringify(w));
  });
});

describe('chalkFor', () => {
  it('colours only on a TTY, without NO_COLOR and without --no-color', () => {
    assert.ok(chalkFor({ env: {}, stdoutIsTTY: true }).level > 0);
    assert.equal(chalkFor({ env: {}, stdoutIsTTY: false }).level, 0);
    assert.equal(chalkFor({ env: {}, stdoutIsTTY: undefined }).level, 0);
    assert.equal(chalkFor({ env: { NO_COLOR: '1' }, stdoutIsTTY: true }).level, 0);
    assert.equal(chalkFor({ env: {}, stdoutIsTTY: true, color: false }).level, 0);
    // no-color.org: an empty NO_COLOR does not count.
    assert.ok(chalkFor({ env: { NO_COLOR: '' }, stdoutIsTTY: true }).level > 0);
  });
  it('FORCE_COLOR with a level colours a piped stdout too; NO_COLOR and --no-color still win', () => {
    // Ignored before: `FORCE_COLOR=1 relay-atif explain … | less -R` (or a CI log) had no colours.
    for (const [value, level] of [['1', 1], ['true', 1], ['', 1], ['2', 2], ['3', 3]] as const) {
      assert.equal(chalkFor({ env: { FORCE_COLOR: value }, stdoutIsTTY: false }).level, level, `FORCE_COLOR=${value}`);
    }
    assert.equal(chalkFor({ env: { FORCE_COLOR: '1', TERM: 'dumb' }, stdoutIsTTY: false }).level, 1);
    assert.equal(chalkFor({ env: { FORCE_COLOR: '3', NO_COLOR: '1' }, stdoutIsTTY: true }).level, 0);
    assert.equal(chalkFor({ env: { FORCE_COLOR: '3' }, stdoutIsTTY: true, color: false }).level, 0);
    // Values that ask for no level: off (0, false) or as if unset (anything else).
    assert.equal(chalkFor({ env: { FORCE_COLOR: '0' }, stdoutIsTTY: true }).level, 0);
    assert.equal(chalkFor({ env: { FORCE_COLOR: 'false' }, stdoutIsTTY: true }).level, 0);
    assert.equal(chalkFor({ env: { FORCE_COLOR: 'yes' }, stdoutIsTTY: false }).level, 0);
  });
});

describe('renderTable', () => {
  it('pads by visible width, ignores colour codes, and leaves no trailing blanks', () => {
    const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
    const lines = renderTable([
      [cell('a', red), cell('long'), cell('')],
      [cell('bbb'), cell('x'), cell('z')],
    ]);
    assert.deepEqual(lines, ['  \x1b[31ma  \x1b[39m  long', '  bbb  x     z']);
  });

  it('measures a cell in code points: an astral character is one column, a lone surrogate too', () => {
    for (const text of ['', 'abc', 'é', '🦀', 'a🦀b🦀', '\ud800', 'x\udc00', '\ud800\ud800\udc00', '\udc00\ud800']) {
      assert.equal(codePoints(text), [...text].length, JSON.stringify(text));
    }
    assert.deepEqual(renderTable([[cell('🦀🦀'), cell('|')], [cell('abc'), cell('|')]]), ['  🦀🦀   |', '  abc  |']);
  });
});

describe('emit: reports written piece by piece', () => {
  const capture = () => {
    const chunks: Array<string | Uint8Array> = [];
    const io = { stdout: { write: (c: string | Uint8Array) => (chunks.push(c), true) } } as unknown as CliIO;
    const text = () => chunks.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'))).join('');
    return { io, chunks, text };
  };

  it('a JSON report in pieces is the pretty document, byte for byte, however long its arrays', async () => {
    const report = { trajectories: Array.from({ length: 300 }, (_, i) => ({ session_id: `s${i}`, pairs: Array.from({ length: 70 }, (_, j) => ({ left: `l${j}`, rule: 'KEPT_NO_OVERLAP', n: new JsonNumber('1.50') })) })) } as unknown as Json;
    const out = capture();
    await emit(out.io, { json: true }, report, () => 'unused');
    assert.equal(out.text(), prettyJson(report) + '\n');
    assert.ok(out.chunks.length > 2, 'written in several chunks, not one string');
  });

  it('a human report given as pieces is written piece by piece', async () => {
    const out = capture();
    await emit(out.io, {}, null, () => ['a\n', '\nb\n']);
    assert.deepEqual(out.chunks, ['a\n', '\nb\n']);
  });

  it('waits for stdout to drain when it is full: a report is not queued whole behind a slow pipe', async () => {
    const written: string[] = [];
    let drain: (() => void) | undefined;
    const io = {
      stdout: { write: (c: string) => (written.push(c), false), once: (_: 'drain', listener: () => void) => (drain = listener) },
    } as unknown as CliIO;
    const done = emit(io, {}, null, () => ['a', 'b', 'c']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(written, ['a'], 'nothing more is written before the pipe drains');
    for (let i = 0; i < 2; i++) {
      drain!();
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(written, ['a', 'b', 'c']);
    drain!();
    await done;
  });
});

describe('ShortIdMarkers', () => {
  const styles = { id: (s: string) => `[${s}]`, dim: (s: string) => `(${s})` } as unknown as Styles;
  const short = new Map([
    ['01950000-0000-7000-8000-000000000001', '01950000-0000'],
    ['01950000-1111-7000-8000-00000000aaa1', '01950000-1111-7000-8000-00000000aaa1'],
  ]);

  it('fills a text table: each marked column as wide as its widest id, padded then styled; JSON markers unpadded', () => {
    const m = new ShortIdMarkers();
    const rows = [
      `${m.mark('head', 'span', 0, 0)}  name`,
      `${m.mark('id', '01950000-0000-7000-8000-000000000001', 0, 0)}  a`,
      `${m.mark('id', '01950000-1111-7000-8000-00000000aaa1', 0, 0)}  b`,
      `${m.mark('uuid', '01950000-0000-7000-8000-000000000001', 1, 0)}  c`,
    ].join('\n');
    assert.equal(
      m.fill(rows, short, styles),
      [`(span${' '.repeat(32)})  name`, `[01950000-0000${' '.repeat(23)}]  a`, '[01950000-1111-7000-8000-00000000aaa1]  b', '[01950000-0000-7000-8000-000000000001]  c'].join('\n'),
    );
    assert.equal(m.fill(`{"short": "${m.mark('id', '01950000-0000-7000-8000-000000000001')}"}`, short), '{"short": "01950000-0000"}');
  });

  it('fills a part printed in chunks as the same text in one: columns as wide as their widest id in any chunk', () => {
    const m = new ShortIdMarkers();
    const lines = [
      `${m.mark('head', 'span', 0, 0)}  name\n`,
      `${m.mark('id', '01950000-0000-7000-8000-000000000001', 0, 0)}  a\n`,
      `plain line without markers\n`,
      `${m.mark('id', '01950000-1111-7000-8000-00000000aaa1', 0, 0)}  b\n`,
      `${m.mark('uuid', '01950000-0000-7000-8000-000000000001', 1, 0)}  c\n`,
    ];
    const whole = m.fill(lines.join(''), short, styles);
    // Every way of cutting the lines into chunks (at line ends, as parts are printed) fills to the same text.
    for (let cuts = 0; cuts < 1 << (lines.length - 1); cuts++) {
      const chunks: string[] = [];
      let current = '';
      lines.forEach((line, i) => {
        current += line;
        if (i === lines.length - 1 || cuts & (1 << i)) (chunks.push(current), (current = ''));
      });
      const filled = m.fillChunks(chunks, short, styles);
      assert.equal(filled.length, chunks.length);
      assert.equal(filled.join(''), whole, `cuts ${cuts.toString(2)}`);
    }
  });

  it('leaves alone text that only looks like a marker: another run\'s (or the input\'s) has another nonce', () => {
    const a = new ShortIdMarkers();
    const b = new ShortIdMarkers();
    const forged = `name ${b.mark('id', '01950000-0000-7000-8000-000000000001')} <<x:id:-1:0:y>>`;
    assert.equal(a.fill(forged, short, styles), forged);
  });
});

describe('explain --request: the LLM events that came too late for the output', () => {
  const attribution = (): GatewayAttribution => ({
    captureId: 'cap',
    method: 'POST',
    path: '/v1/messages',
    provider: 'anthropic.messages',
    startedAt: '2026-06-04T10:00:01+00:00',
    endedAt: '2026-06-04T10:00:05.010+00:00',
    chain: { link: 'HEADER_CLAUDE_CODE_SESSION_ID', sessionId: 'L', links: ['HEADER_RELAY_SESSION_ID', 'HEADER_CLAUDE_CODE_SESSION_ID'], rejected: [] },
    alias: { rule: 'NO_ALIAS', sessionId: 'L' },
    selection: { rule: 'SESSION_ID', sessionId: 'L', createdSession: false },
    owner: { rule: 'SINGLE_HINT', status: 'single_hint', skipped: [] },
    outcome: 'buffered',
    llmSpan: 'span-1',
  });
  const plain = stylesFor(chalkFor({ env: {}, stdoutIsTTY: false }));

  it('notes them on the call of that LLM span, start before end, each once; events of other spans are no call\'s', () => {
    const log = new AttributionLog();
    const a = attribution();
    log.add(a);
    log.noteLate('other-span', 'end');
    assert.equal(a.lateEvents, undefined);
    log.noteLate('span-1', 'end');
    assert.deepEqual(a.lateEvents, ['end']);
    assert.match(renderRequest(a, undefined, plain), /\n {2}its LLM end came after its top-level scope was written, as live: the response is not in the output\n/);
    log.noteLate('span-1', 'start');
    log.noteLate('span-1', 'end');
    assert.deepEqual(a.lateEvents, ['start', 'end']);
    assert.match(renderRequest(a, undefined, plain), /its LLM start and end came after its top-level scope was written, as live: the call is not in the output/);
    assert.doesNotMatch(renderRequest(attribution(), undefined, plain), /top-level scope/);
  });
});
