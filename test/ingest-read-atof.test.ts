import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { LineAccounting } from '../src/ingest/accounting.js';
import { InputError, type InputSource } from '../src/ingest/inputs.js';
import { readLines } from '../src/ingest/lines.js';
import { classifyRecord, readAtofEvents, streamAtofEvents } from '../src/ingest/read-atof.js';
import { parseJson } from '../src/json/parse.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ingest');
const mixed: InputSource = { name: 'mixed.ndjson', open: () => createReadStream(join(FIXTURES, 'mixed.ndjson')) };

function memory(name: string, ...chunks: (string | Buffer)[]): InputSource {
  return { name, open: () => Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))) };
}

async function countLines(sources: InputSource[]): Promise<number> {
  let n = 0;
  for (const source of sources) for await (const _ of readLines(source)) n++;
  return n;
}

const mark = (uuidTail: string, extra = '') =>
  `{"atof_version":"0.1","kind":"mark","name":"m","uuid":"0197c4e2-3a10-7b21-9c4d-5e6f7081${uuidTail}","timestamp":"2026-03-04T17:21:09Z"${extra}}`;

describe('readAtofEvents', () => {
  it('puts every line of a mixed file in one bucket and decodes the valid events', async () => {
    const acct = new LineAccounting();
    const events = await readAtofEvents([mixed], acct);
    assert.deepEqual(
      events.map((e) => [e.kind, e.name, e.seq, e.origin]),
      [
        ['scope', 'coding-agent', 0, { file: 'mixed.ndjson', line: 1 }],
        ['mark', 'checkpoint', 1, { file: 'mixed.ndjson', line: 6 }],
      ],
    );
    const report = acct.toJSON();
    assert.deepEqual(report.used.by_kind, { atof: 2 });
    assert.deepEqual(
      Object.fromEntries(Object.entries(report.skipped.by_reason).map(([r, s]) => [r, s?.examples.map((e) => e.line)])),
      { blank: [2], 'not-json': [3], 'unknown-record': [4] },
    );
    assert.deepEqual(report.rejected.by_reason['invalid-atof']?.examples, [
      { file: 'mixed.ndjson', line: 5, path: 'scope_category', message: 'a scope event needs scope_category' },
    ]);
    assert.equal(acct.total(), await countLines([mixed]));
  });

  it('numbers seq across sources in order: file order, then line order', async () => {
    const acct = new LineAccounting();
    const second = memory('-', `${mark('aa01')}\n\n${mark('aa02')}`);
    const events = await readAtofEvents([mixed, second], acct);
    assert.deepEqual(
      events.map((e) => [e.seq, e.origin?.file, e.origin?.line]),
      [
        [0, 'mixed.ndjson', 1],
        [1, 'mixed.ndjson', 6],
        [2, '-', 1],
        [3, '-', 3],
      ],
    );
    assert.equal(acct.total(), await countLines([mixed, second]));
  });

  it('accounts undecodable lines and reads gzip sources', async () => {
    const acct = new LineAccounting();
    const bad = memory('bad.ndjson', Buffer.from([0xc3, 0x28, 0x0a]), `${'x'.repeat(300)}\n`, ' \t \r\n', '[1,2]\n', '12345678901234567890\n');
    const zipped = memory('zipped', gzipSync(`${mark('bb01')}\n`));
    const events = await readAtofEvents([bad, zipped], acct, { maxLineBytes: 200 });
    assert.equal(events.length, 1);
    assert.equal(acct.skippedCount('invalid-utf8'), 1);
    assert.equal(acct.skippedCount('too-long'), 1);
    assert.equal(acct.skippedCount('blank'), 1);
    assert.deepEqual(acct.toJSON().skipped.by_reason['unknown-record']?.examples.map((e) => e.message), [
      'a JSON array, not a record object',
      'a JSON number, not a record object',
    ]);
    assert.equal(acct.total(), 6);
  });

  it('lets InputError through for an unreadable source', async () => {
    const corrupt = memory('corrupt.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xff, 0xff]));
    await assert.rejects(readAtofEvents([corrupt], new LineAccounting()), (e: unknown) => e instanceof InputError && e.kind === 'unreadable' && e.path === 'corrupt.gz');
  });

  it('keeps __proto__ keys as data and never pollutes Object.prototype', async () => {
    const acct = new LineAccounting();
    const source = memory(
      'proto.ndjson',
      `${mark('cc01', ',"__proto__":{"polluted":true},"data":{"__proto__":{"polluted":true}}')}\n`,
      // A big integer sends parseJson down its reviver path, which must be just as safe.
      `${mark('cc02', ',"__proto__":{"polluted":true},"n":12345678901234567890')}\n`,
      '{"__proto__":{"polluted":true,"atof_version":"0.1","kind":"mark"}}\n',
      '{"constructor":{"prototype":{"polluted":true}}}\n',
    );
    const events = await readAtofEvents([source], acct);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.equal(events.length, 2);
    for (const event of events) {
      assert.ok(Object.prototype.hasOwnProperty.call(event.raw, '__proto__'));
      assert.equal(Object.getPrototypeOf(event.raw), Object.prototype);
    }
    assert.equal(acct.skippedCount('unknown-record'), 2);
  });
});

describe('streamAtofEvents', () => {
  it('yields each event as soon as its line is read', async () => {
    const stream = new PassThrough();
    const events = streamAtofEvents([{ name: 'live', open: () => stream }], new LineAccounting());
    stream.write(`${mark('dd01')}\n`);
    const first = await events.next();
    assert.equal(first.done, false);
    assert.equal(first.value?.origin?.line, 1);
    stream.end(`${mark('dd02')}\n`);
    assert.equal((await events.next()).value?.seq, 1);
    assert.equal((await events.next()).done, true);
  });
});

describe('classifyRecord', () => {
  it('recognises ATOF by atof_version plus a scope/mark kind, and nothing else yet', () => {
    assert.equal(classifyRecord(parseJson(mark('ee01'))), 'atof');
    assert.equal(classifyRecord(parseJson('{"atof_version":"0.1","kind":"other"}')), 'unknown');
    assert.equal(classifyRecord(parseJson('{"record":"hook","agent":"codex","payload":{}}')), 'unknown');
    assert.equal(classifyRecord(parseJson('"text"')), 'unknown');
  });
});
