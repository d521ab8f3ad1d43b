/**
 * A source whose first line opens a multi-line JSON document: a pretty-printed HAR file is read as its
 * entries; anything else must neither lose the valid lines of an NDJSON log whose first line is
 * broken, nor hold such a log in memory, nor report a valid JSON document as a parse error per line.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { routeCapture } from '../src/gateway/capture-route.js';
import { LineAccounting } from '../src/ingest/accounting.js';
import type { InputSource } from '../src/ingest/inputs.js';
import { streamRecordBatches } from '../src/ingest/read-records.js';
import type { Json } from '../src/json/value.js';
import { at, ndjson, readAll } from './fixtures/sessions/records.js';
import { readFileSync } from 'node:fs';

const HAR_TEXT = readFileSync(new URL('./fixtures/gateway/session.har', import.meta.url), 'utf8');

const atof = (n: number) =>
  JSON.stringify({ atof_version: '0.1', kind: 'mark', name: 'm', uuid: `0197c4e2-3a10-7b21-9c4d-5e6f7081${String(1000 + n)}`, timestamp: at(n) } as Json);

const reasons = (accounting: LineAccounting) => {
  const r = accounting.toJSON();
  return { used: r.used.total, skipped: Object.fromEntries(Object.entries(r.skipped.by_reason).map(([k, v]) => [k, v!.count])) };
};

describe('a first line that opens a JSON document', () => {
  it('NDJSON whose first two lines are broken keeps every valid line', async () => {
    const { records, accounting } = await readAll([ndjson('log.ndjson', ['{"atof_version":"0.1","kind":', '{"oops', atof(1), atof(2), atof(3)])]);
    assert.equal(records.length, 3);
    assert.deepEqual(reasons(accounting), { used: 3, skipped: { 'not-json': 2 } });
  });

  it('a first line whose brackets all close is a broken record line, not a document: every broken line keeps its own parse error', async () => {
    const { records, accounting } = await readAll([ndjson('log.ndjson', ['{"a":1,}', '{"b":[1,2,]}', '{"c":1'])]);
    assert.equal(records.length, 0);
    const examples = accounting.toJSON().skipped.by_reason['not-json']!.examples;
    assert.deepEqual(
      examples.map((e) => e.line),
      [1, 2, 3],
    );
    for (const e of examples) assert.doesNotMatch(e.message ?? '', /multi-line/);
    assert.match(examples[0].message ?? '', /position 7/);
  });

  it('streams again from the first record on a line of its own: records come out before the input ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const source: InputSource = {
      name: 'live.ndjson',
      open: () =>
        Readable.from(
          (async function* () {
            yield Buffer.from(`{"atof_version":"0.1","kind":\n${atof(1)}\n${atof(2)}\n`);
            await gate; // the rest of a long log, not written yet
            yield Buffer.from(`${atof(3)}\n`);
          })(),
        ),
    };
    const batches = streamRecordBatches([source], new LineAccounting(), { routeCapture });
    const first = await batches.next();
    assert.equal(first.done, false);
    assert.equal(first.value!.length, 2, 'the records read so far, before the input ends');
    release();
    const rest: number[] = [];
    for await (const b of batches) rest.push(b.length);
    assert.deepEqual(rest, [1]);
  });

  it('a truncated pretty document is one explained problem: each line a not-json skip naming the failing line', async () => {
    const lines = ['{', '  "log": {', '    "entries": [', '      {', '        "startedDateTime": "2026-05-30T09:00:00Z",'];
    const { records, accounting } = await readAll([ndjson('cut.har', lines)]);
    assert.equal(records.length, 0);
    assert.deepEqual(reasons(accounting), { used: 0, skipped: { 'not-json': 5 } });
    const example = accounting.toJSON().skipped.by_reason['not-json']!.examples[0];
    assert.match(example.message ?? '', /^line 1 opens a multi-line JSON document .* does not parse: /);
  });

  it('a pretty document with a syntax error is described on one line, however the parser quotes it', async () => {
    const lines = ['{', '  "log": {', '    "entries": [', '      {"request": {"method": "POST",', '        "url": x', '      }}', '    ]', '  }', '}'];
    const { accounting } = await readAll([ndjson('bad.har', lines)]);
    assert.deepEqual(reasons(accounting), { used: 0, skipped: { 'not-json': 9 } });
    const message = accounting.toJSON().skipped.by_reason['not-json']!.examples[0].message ?? '';
    assert.match(message, /^line 1 opens a multi-line JSON document .* does not parse: .*"url": x/);
    assert.doesNotMatch(message, /\n/, 'a diagnostic is one line');
  });

  it('a pretty document with a number kept exact (1.0) before its syntax error names the failing line, not a later one', async () => {
    // parseJson marks such numbers in a longer copy of the text; the position it reports is the given text's.
    const lines = ['{', '  "log": {', '    "entries": [', '      {"time": 1.0, "big": 12345678901234567890,', '        "url": "a" "b"', '      }', '    ]', '  }', '}'];
    const { accounting } = await readAll([ndjson('bad-number.har', lines)]);
    const message = accounting.toJSON().skipped.by_reason['not-json']!.examples[0].message ?? '';
    assert.match(message, /\(line 5\)$/);
  });

  it('a valid pretty document that is no input says so once per line, as unknown-record, naming what it is', async () => {
    const event = JSON.stringify(JSON.parse(atof(1)), null, 2).split('\n');
    const { accounting } = await readAll([ndjson('event.json', event)]);
    assert.deepEqual(reasons(accounting), { used: 0, skipped: { 'unknown-record': event.length } });
    assert.match(accounting.toJSON().skipped.by_reason['unknown-record']!.examples[0].message ?? '', /lines 1–\d+ are one JSON document.*a pretty-printed ATOF event/);
    const other = await readAll([ndjson('other.json', ['{', '  "schema_version": "ATIF-v1.7"', '}'])]);
    assert.match(other.accounting.toJSON().skipped.by_reason['unknown-record']!.examples[0].message ?? '', /an ATIF trajectory \(ATIF-v1\.7\), not an input record/);
  });
});

describe('an ATOF event of a kind 0.1 does not define', () => {
  it('is an unknown-record skip that says what it is (spec §10.2: readers ignore unknown kinds)', async () => {
    const span = JSON.stringify({ atof_version: '0.1', kind: 'span', uuid: '0197c4e2-aaaa-7000-8000-000000000001', timestamp: '2026-03-04T17:21:00+00:00', name: 'x' });
    const { accounting } = await readAll([ndjson('kinds.ndjson', [span, '{"atof_version":"0.1","kind":3}'])]);
    assert.deepEqual(reasons(accounting), { used: 0, skipped: { 'unknown-record': 2 } });
    const examples = accounting.toJSON().skipped.by_reason['unknown-record']!.examples.map((x) => x.message);
    assert.deepEqual(examples, [
      'an ATOF event of kind "span", not a kind ATOF 0.1 defines (scope, mark): ignored, as its readers ignore unknown kinds',
      'an ATOF event whose kind is a JSON number, not a kind ATOF 0.1 defines (scope, mark): ignored, as its readers ignore unknown kinds',
    ]);
  });
});

describe("an agent's own transcript given as input", () => {
  it('is an unknown-record skip that names the transcript, so a user knows it is the wrong file', async () => {
    const claude = JSON.stringify({ parentUuid: null, sessionId: 'abc', type: 'user', message: { role: 'user', content: 'hi' }, uuid: 'u1', timestamp: '2026-06-01T09:00:00.000Z' });
    const summary = JSON.stringify({ type: 'summary', summary: 'Greeting', leafUuid: 'u1' });
    const codex = JSON.stringify({ timestamp: '2026-06-01T09:00:00.000Z', type: 'session_meta', payload: { id: 'thread-1' } });
    const notOne = JSON.stringify({ type: 'user', message: 'no session id' });
    const { accounting } = await readAll([ndjson('transcript.jsonl', [claude, summary, codex, notOne])]);
    assert.deepEqual(reasons(accounting), { used: 0, skipped: { 'unknown-record': 4 } });
    const examples = accounting.toJSON().skipped.by_reason['unknown-record']!.examples.map((x) => x.message ?? '');
    assert.match(examples[0], /^a line of a Claude Code session transcript \(~\/\.claude\/projects\/…\/<session>\.jsonl\), not an input record: relay-atif reads what the agent's hooks and the LLM gateway record/);
    assert.match(examples[1], /a Claude Code session transcript/);
    assert.match(examples[2], /^a line of a Codex session rollout/);
    assert.match(examples[3], /^an object matching no record kind \(keys: type, message\)$/);
  });
});

describe('HAR entries named by the line they start on', () => {
  it('finds the first line of every element of log.entries, strings and nesting skipped', async () => {
    const { harEntryLines } = await import('../src/ingest/records/har-lines.js');
    const text = ['{', '  "log": {', '    "pages": [{"x": ","}, {}],', '    "entries": [', '      {"a": "]\\" ,"},', '', '      {', '        "b": [1, {"c": 2}]', '      }', '    ]', '  }', '}'].join('\n');
    assert.deepEqual(harEntryLines(text, 1, 2), [5, 7]);
    assert.deepEqual(harEntryLines(text, 10, 2), [14, 16], 'counted from the document\'s first line');
    assert.equal(harEntryLines(text, 1, 3), undefined, 'a count that does not match: numbered by index instead');
    assert.equal(harEntryLines('{"log": {"entries": [{}]}, "log": {"entries": [{}]}}', 1, 1), undefined, 'a repeated log');
    assert.deepEqual(harEntryLines('{"log":{"entries":[ ]}}', 1, 0), []);
  });

  it('the fixture: --strict and the accounting name the line of the GET entry', async () => {
    const { accounting } = await readAll([{ name: 'session.har', open: () => Readable.from([Buffer.from(HAR_TEXT)]) }]);
    const skipped = accounting.toJSON().skipped.by_reason['unsupported-route']!.examples[0];
    assert.equal(skipped.line, HAR_TEXT.split('\n').findIndex((l, i, all) => l.trim() === '{' && all[i + 1]?.includes('"startedDateTime": "2026-05-29T19:18:05.000Z"')) + 1);
  });
});

describe('HAR documents: what cannot be told, and documents with an unreadable line', () => {
  it('an escaped key near the top is not guessed at, and an entry then names the document\'s first line', async () => {
    const { harEntryLines } = await import('../src/ingest/records/har-lines.js');
    assert.equal(harEntryLines('{"log": {"entries": [{}]}, "l\\u006fg": {"entries": [{}]}}', 1, 1), undefined);
    const { accounting } = await readAll([ndjson('none.har', ['', '{', ' "log": {', '  "entries": []', ' }', '}'])]);
    assert.deepEqual(accounting.toJSON().skipped.by_reason['unknown-record']!.examples.map((e) => e.line), [2], 'a HAR without entries: its first line');
  });

  it('a line that cannot be read inside a pretty document: that line keeps its reason, the others say which line broke it', async () => {
    const lines = HAR_TEXT.split('\n');
    const source: InputSource = { name: 'bad.har', open: () => Readable.from([Buffer.concat([Buffer.from(lines.slice(0, 44).join('\n') + '\n'), Buffer.from([0x22, 0xff, 0x22, 0x0a]), Buffer.from(lines.slice(45).join('\n'))])]) };
    const { accounting } = await readAll([source]);
    const report = accounting.toJSON();
    assert.equal(report.skipped.by_reason['invalid-utf8']!.count, 1);
    assert.match(report.skipped.by_reason['not-json']!.examples[0].message ?? '', /does not parse: its line 45 is not valid UTF-8$/);
  });

  it('a truncated pretty document with an empty object on a line of its own is still one problem', async () => {
    const { accounting } = await readAll([ndjson('cut.har', ['{', ' "log": {', '  "entries": [', '   {', '    "queryString": [', '     {}', '    ],'])]);
    assert.deepEqual(Object.keys(accounting.toJSON().skipped.by_reason), ['not-json']);
  });
});

describe('a pretty-printed document anywhere in a stream (`cat a.har b.ndjson | relay-atif convert -`)', () => {
  const harLines = HAR_TEXT.replace(/\n$/, '').split('\n');
  const getEntryLine = harLines.findIndex((l, i) => l.trim() === '{' && harLines[i + 1]?.includes('"startedDateTime": "2026-05-29T19:18:05.000Z"')) + 1;

  it('a HAR document followed by NDJSON: its entries, then the records after it', async () => {
    const { records, accounting } = await readAll([ndjson('all.ndjson', [...harLines, atof(1), atof(2)])]);
    assert.deepEqual(records.map((r) => r.kind), ['gateway', 'gateway', 'atof', 'atof']);
    assert.deepEqual(reasons(accounting), { used: 4, skipped: { 'unsupported-route': 1 } });
  });

  it('a HAR document between NDJSON lines: entries are named by the lines they start on in the stream', async () => {
    const { records, accounting } = await readAll([ndjson('mid.ndjson', [atof(1), atof(2), ...harLines, atof(3)])]);
    assert.deepEqual(records.map((r) => r.kind), ['atof', 'atof', 'gateway', 'gateway', 'atof']);
    assert.equal(accounting.toJSON().skipped.by_reason['unsupported-route']!.examples[0].line, 2 + getEntryLine);
  });

  it('a HAR document written without indentation (Python indent=0: every line at column 0) is read as the indented one is, and two back to back are two', async () => {
    const flat = JSON.stringify(JSON.parse(HAR_TEXT), null, 2).split('\n').map((l) => l.trimStart());
    assert.ok(flat.filter((l) => l === '{').length > 2, 'its nested objects open on lines of their own');
    const { records, accounting } = await readAll([ndjson('flat.ndjson', [...flat, atof(1), ...flat])]);
    const indented = await readAll([ndjson('indented.ndjson', [...harLines, atof(1), ...harLines])]);
    assert.deepEqual(records.map((r) => r.kind), indented.records.map((r) => r.kind));
    assert.deepEqual(reasons(accounting), reasons(indented.accounting));
  });

  it('two HAR documents back to back are two documents', async () => {
    const { records, accounting } = await readAll([ndjson('two.ndjson', [...harLines, ...harLines])]);
    assert.equal(records.length, 4);
    assert.deepEqual(accounting.toJSON().skipped.by_reason['unsupported-route']!.examples.map((e) => e.line), [getEntryLine, harLines.length + getEntryLine]);
  });

  it('a broken record line in the middle is still one not-json skip, and the records after it are read', async () => {
    const { records, accounting } = await readAll([ndjson('log.ndjson', [atof(1), '{"atof_version":"0.1","kind":', atof(2), atof(3)])]);
    assert.equal(records.length, 3);
    assert.deepEqual(reasons(accounting), { used: 3, skipped: { 'not-json': 1 } });
  });

  it('brackets inside strings do not end a document early', async () => {
    const doc = ['{', '  "log": {', '    "comment": "} ] \\" {",', '    "entries": []', '  }', '}'];
    const { accounting } = await readAll([ndjson('s.ndjson', [atof(1), ...doc, atof(2)])]);
    assert.deepEqual(reasons(accounting), { used: 2, skipped: { 'unknown-record': 1 } });
    assert.equal(accounting.toJSON().skipped.by_reason['unknown-record']!.examples[0].message, 'a HAR document with no entries');
  });
});

describe('a record cut off at the end of a log', () => {
  it('is a plain not-json skip with the parser\'s message, not a "multi-line document"', async () => {
    const { records, accounting } = await readAll([ndjson('live.ndjson', [atof(1), atof(2), '{"atof_version":"0.1","kind":"ma'])]);
    assert.equal(records.length, 2);
    const example = accounting.toJSON().skipped.by_reason['not-json']!.examples[0];
    assert.equal(example.line, 3);
    assert.doesNotMatch(example.message ?? '', /document/);
  });
});

describe('where a held document ends when its brackets never close, or close inside a line', () => {
  const harLines = HAR_TEXT.replace(/\n$/, '').split('\n');
  const kinds = (records: Array<{ kind: string }>) => records.map((r) => r.kind);

  it('a cut-off line, then a pretty HAR: the HAR opens at its `{` and is read; the cut line is one not-json skip', async () => {
    const { records, accounting } = await readAll([ndjson('s.ndjson', ['{"record":"hook","agent":"claude-code","rece', ...harLines, atof(1)])]);
    assert.deepEqual(kinds(records), ['gateway', 'gateway', 'atof']);
    assert.deepEqual(reasons(accounting), { used: 3, skipped: { 'not-json': 1, 'unsupported-route': 1 } });
  });

  it('a truncated HAR, then a whole one: the second is read, the first is one explained problem', async () => {
    const { records, accounting } = await readAll([ndjson('s.ndjson', [...harLines.slice(0, 4), ...harLines])]);
    assert.deepEqual(kinds(records), ['gateway', 'gateway']);
    assert.equal(accounting.toJSON().skipped.by_reason['not-json']!.count, 4);
    assert.match(accounting.toJSON().skipped.by_reason['not-json']!.examples[0].message ?? '', /^line 1 opens a multi-line JSON document/);
  });

  it('a HAR without a final newline, then more input on its last line: the document ends at its last bracket', async () => {
    const last = harLines.length - 1;
    const joined = [...harLines.slice(0, last), harLines[last] + atof(1), atof(2)];
    const a = await readAll([ndjson('s.ndjson', joined)]);
    assert.deepEqual(kinds(a.records), ['gateway', 'gateway', 'atof', 'atof']);
    const twice = [...harLines.slice(0, last), harLines[last] + harLines[0], ...harLines.slice(1)];
    const b = await readAll([ndjson('s.ndjson', twice)]);
    assert.deepEqual(kinds(b.records), ['gateway', 'gateway', 'gateway', 'gateway']);
  });

  it('a byte-order mark opening a HAR in the middle of a stream', async () => {
    const { records } = await readAll([ndjson('s.ndjson', [atof(1), '\uFEFF' + harLines[0], ...harLines.slice(1)])]);
    assert.deepEqual(kinds(records), ['atof', 'gateway', 'gateway']);
  });
});

describe('a document too long to be one text is read as a HAR file entry by entry', () => {
  // The limit lowered so that every multi-line document takes that path; each outcome is compared
  // with reading the same input whole.
  const LARGE = { wholeDocumentChars: 0 };
  const harLines = HAR_TEXT.replace(/\n$/, '').split('\n');
  const summary = (r: Awaited<ReturnType<typeof readAll>>) => ({
    records: r.records.map((x) => ({ kind: x.kind, order: x.order, origin: x.origin, seed: 'seed' in x ? x.seed : undefined })),
    report: r.accounting.toJSON(),
  });
  const both = async (sources: () => InputSource[]) => [summary(await readAll(sources())), summary(await readAll(sources(), LARGE))];

  it('gives the records and the accounting of reading it whole: entries, their lines and ids, what follows', async () => {
    const streams: Array<[string, string[]]> = [
      ['the fixture', harLines],
      ['a HAR, then NDJSON', [...harLines, atof(1), atof(2)]],
      ['NDJSON, a HAR, NDJSON', [atof(1), ...harLines, atof(2)]],
      ['two HARs back to back', [...harLines, ...harLines]],
      ['a byte-order mark opening a HAR after a record', [atof(1), '\uFEFF' + harLines[0], ...harLines.slice(1)]],
      ['entries on one line each, or several on a line', ['{"log": {"version": "1.2",', ' "entries": [{"x": "{[\\"]"}, {"y": 1},', '{"z": [{}]}', '], "pages": []}}']],
      ['a HAR without entries', ['', '{', ' "log": {', '  "entries": []', ' }', '}']],
    ];
    for (const [name, lines] of streams) {
      const [whole, large] = await both(() => [ndjson('in.ndjson', lines)]);
      assert.deepEqual(large, whole, name);
    }
  });

  it('a document that does not parse is one not-json skip per line either way', async () => {
    const broken: Array<[string, string[]]> = [
      ['truncated', ['{', '  "log": {', '    "entries": [', '      {', '        "startedDateTime": "2026-05-30T09:00:00Z",']],
      ['a syntax error in an entry', ['{', '  "log": {', '    "entries": [', '      {"request": {"method": "POST",', '        "url": x', '      }}', '    ]', '  }', '}']],
      ['a syntax error outside the entries', ['{', '  "log": {', '    "version": 1.2.3,', '    "entries": [{}]', '  }', '}']],
      ['a string broken across lines', ['{', '  "log": {', '    "entries": [{"a": "x', 'y"}]', '  }', '}']],
      ['a missing comma between entries', ['{', '  "log": {', '    "entries": [{"a": 1}', '{"b": 2}]', '  }', '}']],
    ];
    for (const [name, lines] of broken) {
      const [whole, large] = await both(() => [ndjson('bad.har', lines)]);
      assert.deepEqual(large.records, whole.records, name);
      assert.deepEqual(Object.keys(large.report.skipped.by_reason), ['not-json'], name);
      assert.equal(large.report.skipped.total, whole.report.skipped.total, name);
      assert.match(large.report.skipped.by_reason['not-json']!.examples[0].message ?? '', /^line 1 opens a multi-line JSON document .* does not parse: /, name);
    }
  });

  it('valid JSON that is no HAR file is one unknown-record skip per line, saying what it is', async () => {
    const event = JSON.stringify(JSON.parse(atof(1)), null, 2).split('\n');
    const [whole, large] = await both(() => [ndjson('event.json', event)]);
    assert.deepEqual(large, whole);
  });

  it('a structure it cannot follow entry by entry is an explained skip, not a guess', async () => {
    const unsure: Array<[string, string[]]> = [
      ['an escaped key near the top', ['{"log": {"entries": [{}]},', '"l\\u006fg": {"entries": [{}]}}']],
      ['an entry that is not an object', ['{"log": {', '"entries": [1, {}]}}']],
      ['a second log.entries', ['{"log": {"entries": [{}]},', '"log": {"entries": [{}]}}']],
    ];
    for (const [name, lines] of unsure) {
      const { records, accounting } = await readAll([ndjson('odd.har', lines)], LARGE);
      assert.equal(records.length, 0, name);
      const report = accounting.toJSON();
      assert.deepEqual(Object.keys(report.skipped.by_reason), ['unknown-record'], name);
      assert.equal(report.skipped.total, lines.length, name);
      assert.match(report.skipped.by_reason['unknown-record']!.examples[0].message ?? '', /too long to read as one text, and it cannot be read as a HAR file entry by entry: /, name);
    }
  });
});
