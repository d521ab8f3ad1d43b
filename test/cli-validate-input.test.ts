import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trajectoryDocuments, type TrajectoryDocument } from '../src/cli/trajectory-documents.js';
import { runCli } from './support/cli.js';
import { validateJson } from '../src/atif/validate/index.js';

/** The documents of a text delivered in chunks of `size` bytes (so lines straddle chunk boundaries). */
async function documents(text: string, size = 3): Promise<Array<{ line?: number; text: string }>> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: Array<{ line?: number; text: string }> = [];
  for await (const d of trajectoryDocuments(chunks)) out.push({ ...(d.line !== undefined ? { line: d.line } : {}), text: Buffer.from(d.bytes).toString() });
  return out;
}

test('NDJSON: one document per non-blank line, numbered, whatever the chunking; a broken line is still its own document', async () => {
  const text = '{"a":1}\n\n{"b":\n{"c":3}\r\n{"d":4}';
  for (const size of [1, 2, 5, 64]) {
    assert.deepEqual(await documents(text, size), [
      { line: 1, text: '{"a":1}' },
      { line: 3, text: '{"b":' },
      { line: 4, text: '{"c":3}\r' },
      { line: 5, text: '{"d":4}' },
    ]);
  }
});

test('a pretty-printed document (its first line is not JSON alone) is one document, held whole', async () => {
  const text = '\n{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n';
  for (const size of [1, 4, 1000]) assert.deepEqual(await documents(text, size), [{ text }]);
});

test('a broken pretty document stays one document (its one-line steps are not trajectories), a BOM before it too', async () => {
  // The spec's own example layout: a step on one line, and a comma missing near the top.
  const text = '{\n  "schema_version": "ATIF-v1.7",\n  "session_id": "run-1"\n  "steps": [\n    {"step_id": 1, "source": "user", "message": "hi"}\n  ]\n}\n';
  for (const input of [text, '\uFEFF' + text, text.replace('{\n', '[\n')]) {
    for (const size of [1, 5, 64]) assert.deepEqual(await documents(input, size), [{ text: input }], `${JSON.stringify(input.slice(0, 3))} in chunks of ${size}`);
  }
});

test('a damaged first line does not hide the rest: the first line that is an object by itself makes it NDJSON', async () => {
  const text = '{"broken":\n\n{"a":1}\n{"b":2}\n{"c":';
  for (const size of [1, 3, 7, 64]) {
    assert.deepEqual(await documents(text, size), [
      { line: 1, text: '{"broken":' },
      { line: 3, text: '{"a":1}' },
      { line: 4, text: '{"b":2}' },
      { line: 5, text: '{"c":' },
    ]);
  }
  // Only at the last line, without a newline.
  assert.deepEqual(await documents('{"broken":\n{"a":1}', 4), [
    { line: 1, text: '{"broken":' },
    { line: 2, text: '{"a":1}' },
  ]);
  // A valid document stays one, even with a line that is an object by itself (written compactly).
  const pretty = '{\n  "a": {},\n  "steps": [\n    {"x": 1},\n    {"y": 2}\n  ]\n}\n';
  assert.deepEqual(await documents(pretty, 5), [{ text: pretty }]);
});

test('a single line is reported as a document (no line number), as is an input with no line at all', async () => {
  assert.deepEqual(await documents('{"a":1}\n'), [{ text: '{"a":1}' }]);
  assert.deepEqual(await documents('\n \n'), [{ text: '\n \n' }]);
  assert.deepEqual(await documents(''), [{ text: '' }]);
});

test('the first line decides with the validator\'s reading of JSON: NaN is a value (reported later as invalid-json-number)', async () => {
  assert.deepEqual(await documents('{"x":NaN}\n{"y":1}\n'), [
    { line: 1, text: '{"x":NaN}' },
    { line: 2, text: '{"y":1}' },
  ]);
});

test('validate on convert NDJSON output with one damaged line names that line and still checks the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-atif-validate-'));
  const out = join(dir, 'out.ndjson');
  const converted = await runCli(['convert', 'samples/', '-q']);
  assert.equal(converted.code, 0, converted.stderr);
  const lines = converted.stdout.trimEnd().split('\n');
  assert.ok(lines.length >= 3, 'the sample converts to several trajectories');
  lines[1] = lines[1].slice(0, 200);
  writeFileSync(out, lines.join('\n') + '\n');
  const r = await runCli(['validate', '--json', out]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { documents: Array<{ line?: number; valid: boolean; findings: Array<{ rule: string }> }> };
  assert.deepEqual(report.documents.map((d) => d.line), lines.map((_, i) => i + 1));
  assert.deepEqual(report.documents.map((d) => d.valid), lines.map((_, i) => i !== 1));
  assert.equal(report.documents[1].findings[0].rule, 'invalid-json');
});

test('a document that is not JSON is reported with the line and column of the failure', async () => {
  const { validateJson } = await import('../src/atif/validate/index.js');
  const [finding] = validateJson('{\n "a": 1,\n}');
  assert.equal(finding.rule, 'invalid-json');
  assert.match(finding.message, /at position 11 \(line 3, column 1\)$/);
});

test('validate reads gzip by its magic bytes, as convert does; a truncated one is unreadable (exit 3)', async () => {
  const { gzipSync } = await import('node:zlib');
  const converted = await runCli(['convert', 'samples/', '-q']);
  const dir = mkdtempSync(join(tmpdir(), 'relay-atif-validate-gz-'));
  const gz = gzipSync(converted.stdout);
  writeFileSync(join(dir, 'out.ndjson.gz'), gz);
  writeFileSync(join(dir, 'cut.gz'), gz.subarray(0, 200));
  const whole = await runCli(['validate', '--json', join(dir, 'out.ndjson.gz')]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(JSON.parse(whole.stdout).documents.length, converted.stdout.trimEnd().split('\n').length);
  const cut = await runCli(['validate', join(dir, 'cut.gz')]);
  assert.equal(cut.code, 3);
  assert.match(cut.stderr, /cannot read .*cut\.gz/);
  // An unreadable input does not stop the others: their findings are reported (JSON too), and the exit is still 3.
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ schema_version: 'ATIF-v1.7', session_id: 's', agent: { name: 'a', version: '1' }, steps: [{ step_id: 1, source: 'tool', message: 'x' }] }));
  const both = await runCli(['validate', join(dir, 'cut.gz'), bad]);
  assert.equal(both.code, 3);
  assert.match(both.stdout, /bad\.json: error: \$\.steps\[0\]\.source: must be one of system, user, agent, got 'tool' \[enum\]/);
  assert.match(both.stderr, /cannot read .*cut\.gz[^]*0 of 1 trajectories valid; an input could not be read/);
  const json = await runCli(['validate', '--json', join(dir, 'cut.gz'), bad]);
  assert.equal(json.code, 3);
  const report = JSON.parse(json.stdout);
  assert.deepEqual([report.valid, report.documents.map((d: { valid: boolean }) => d.valid)], [false, [false]]);
  assert.match(report.unreadable, /cannot read .*cut\.gz/);
});

async function documentsOf(bytes: Buffer): Promise<TrajectoryDocument[]> {
  const docs: TrajectoryDocument[] = [];
  for await (const d of trajectoryDocuments([bytes])) docs.push(d);
  return docs;
}

test('the first line comes with its scan only when validating its bytes would make the same one; the findings are the same', async () => {
  const line = '{"schema_version":"ATIF-v1.7","session_id":"s","agent":{"name":"a","version":"1","extra":{"x":NaN,"x":1,"z":Infinity}},"steps":[{"step_id":1,"source":"user","message":"é"}]}';
  const cases: Array<[string, Buffer, boolean]> = [
    ['as written', Buffer.from(line), true],
    ['with leading blanks (trimmed for the decision)', Buffer.from(`  ${line}`), false],
    ['CRLF', Buffer.from(`${line}\r`), false],
    ['after a byte-order mark', Buffer.from(`\ufeff${line}`), false],
    ['with a byte that is not UTF-8', Buffer.concat([Buffer.from(line.slice(0, 20)), Buffer.from([0xff]), Buffer.from(line.slice(20))]), false],
  ];
  for (const [name, bytes, handed] of cases) {
    for (const tail of ['', '\n{"y":1}\n']) {
      const [first] = await documentsOf(Buffer.concat([bytes, Buffer.from(tail)]));
      assert.equal(first.scanned !== undefined, handed && bytes.length > 0, `${name}${tail ? ', NDJSON' : ''}`);
      assert.deepEqual(validateJson(first.scanned ?? first.bytes), validateJson(first.bytes), name);
    }
  }
  // And what the scan carries is used: findings at the right paths, the duplicate-key warning included.
  const [doc] = await documentsOf(Buffer.from(line));
  assert.deepEqual(validateJson(doc.scanned!).map((f) => `${f.rule} ${f.path}`).sort(), ['duplicate-key $.agent.extra.x', 'invalid-json-number $.agent.extra.z']);
});

test('an object line is told the same way read in place or cut out of its chunk: whitespace that trim removes, Unicode included', async () => {
  const lines = ['\u00a0{"a":1}', '{"a":1}\u2028', '\v{"a":1}\f', ' \t{"a":1} \r', '\ufeff{"a":1}', '{"a":1},', '  }', '{', '{}', 'é{"a":1}', '{"a":1}é', '{"a":"}'];
  for (const line of lines) {
    const text = `{"broken":\n  "x": 1,\n${line}\n  "y": 2\n}\n`;
    // One byte per chunk: every line is cut out and checked whole; one chunk: checked in place.
    const expected = await documents(text, 1);
    assert.deepEqual(await documents(text, 1 << 16), expected, JSON.stringify(line));
  }
  assert.equal((await documents('{"broken":\n\u00a0{"a":1}\n', 1 << 16)).length, 2); // NDJSON after all
  assert.equal((await documents('{"broken":\n{"a":1},\n', 1 << 16)).length, 1); // one broken document
});

test('a quoted glob pattern names the files it matches, sorted, as convert expands its inputs; one matching nothing is exit 2', async () => {
  // validate took 'out/*.json' for a file name ("no such file", exit 2): a shell that expands no
  // pattern (Windows, an npm script that quotes it) could not validate what `convert -o out/` wrote.
  const dir = mkdtempSync(join(tmpdir(), 'relay-validate-glob-'));
  const trajectory = (await runCli(['convert', 'samples/hermes-session.atof.ndjson', '-q'])).stdout;
  writeFileSync(join(dir, 'b.json'), trajectory);
  writeFileSync(join(dir, 'a.json'), trajectory);
  writeFileSync(join(dir, 'notes.txt'), 'not matched');
  const r = await runCli(['validate', '*.json', '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).documents.map((d: { file: string }) => d.file), ['a.json', 'b.json']);
  const none = await runCli(['validate', '*.jsonl'], { cwd: dir });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no file matches \*\.jsonl/);
  // A file whose name looks like a pattern is read as that file.
  writeFileSync(join(dir, 'run[1].json'), trajectory);
  assert.equal((await runCli(['validate', 'run[1].json', '--json'], { cwd: dir })).code, 0);
  // A file given twice, or named and matched, is checked once, where it first appears (as convert reads it).
  const twice = await runCli(['validate', 'b.json', './b.json', '*.json', '--json'], { cwd: dir });
  assert.deepEqual(JSON.parse(twice.stdout).documents.map((d: { file: string }) => d.file), ['b.json', 'a.json', 'run[1].json']);
});
