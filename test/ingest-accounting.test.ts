import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineAccounting } from '../src/ingest/accounting.js';

const at = (line: number) => ({ file: 'in.ndjson', line });
const HERE = at(1);

describe('LineAccounting', () => {
  it('counts each bucket and totals them', () => {
    const acct = new LineAccounting();
    acct.use('atof', HERE);
    acct.use('atof', HERE);
    acct.skip('blank', at(3));
    acct.skip('not-json', at(4), 'Unexpected token');
    acct.reject('invalid-atof', at(5), { path: 'scope_category', message: 'a scope event needs scope_category' });
    assert.equal(acct.usedCount('atof'), 2);
    assert.equal(acct.usedCount('hook'), 0);
    assert.equal(acct.skippedCount(), 2);
    assert.equal(acct.skippedCount('blank'), 1);
    assert.equal(acct.rejectedCount('invalid-atof'), 1);
    assert.equal(acct.total(), 5);
  });

  it('reports buckets as JSON with reasons in name order and examples with file:line', () => {
    const acct = new LineAccounting();
    acct.skip('unknown-record', at(2), 'keys: x');
    acct.skip('blank', at(1));
    acct.use('atof', HERE);
    acct.reject('invalid-atof', at(3), { path: 'uuid', message: 'not a UUID' });
    const report = JSON.parse(JSON.stringify(acct));
    assert.deepEqual(report, {
      total: 4,
      used: { total: 1, by_kind: { atof: 1 } },
      skipped: {
        total: 2,
        by_reason: {
          blank: { count: 1, examples: [{ file: 'in.ndjson', line: 1 }] },
          'unknown-record': { count: 1, examples: [{ file: 'in.ndjson', line: 2, message: 'keys: x' }] },
        },
      },
      rejected: {
        total: 1,
        by_reason: {
          'invalid-atof': { count: 1, examples: [{ file: 'in.ndjson', line: 3, path: 'uuid', message: 'not a UUID' }] },
        },
      },
    });
    assert.deepEqual(Object.keys(report.skipped.by_reason), ['blank', 'unknown-record']);
  });

  it('keeps only the first N examples per reason but counts them all', () => {
    const acct = new LineAccounting({ examplesPerReason: 2 });
    for (let line = 1; line <= 5; line++) acct.skip('not-json', at(line));
    const notJson = acct.toJSON().skipped.by_reason['not-json'];
    assert.equal(notJson?.count, 5);
    assert.deepEqual(notJson?.examples.map((e) => e.line), [1, 2]);
  });

  it('lists problems for --strict: rejections, then skips other than blank', () => {
    const acct = new LineAccounting();
    acct.skip('blank', at(1));
    acct.use('atof', HERE);
    assert.deepEqual(acct.problems(), []);
    acct.skip('too-long', at(2));
    acct.reject('invalid-atof', at(3), { path: '(root)', message: 'bad' });
    assert.deepEqual(
      acct.problems().map((p) => [p.bucket, p.reason, p.count]),
      [
        ['rejected', 'invalid-atof', 1],
        ['skipped', 'too-long', 1],
      ],
    );
  });

  it('moves a used line to skipped without changing the total', () => {
    const acct = new LineAccounting();
    acct.use('atof', HERE);
    acct.use('atof', HERE);
    acct.reclassifyAsSkipped('atof', 'duplicate-event', at(2), 'same uuid as line 1');
    assert.equal(acct.usedCount('atof'), 1);
    assert.equal(acct.skippedCount('duplicate-event'), 1);
    assert.equal(acct.total(), 2);
    assert.throws(() => acct.reclassifyAsSkipped('hook', 'duplicate-event', at(3)), /no used 'hook' line/);
  });

  it('hands out copies: a report cannot alter the tallies', () => {
    const acct = new LineAccounting();
    acct.skip('not-json', at(1));
    const report = acct.toJSON();
    report.skipped.by_reason['not-json']?.examples.push({ file: 'x', line: 9 });
    acct.problems()[0].examples.length = 0;
    assert.equal(acct.toJSON().skipped.by_reason['not-json']?.examples.length, 1);
  });

  it('a run that stops at a problem found after reading (a late event) counts no line read after it', () => {
    const acct = new LineAccounting({
      onProblem: (p) => {
        throw new Error(`stop at ${p.line}`);
      },
    });
    acct.use('atof', at(1));
    acct.use('atof', at(2));
    acct.skip('blank', at(3));
    acct.use('hook', at(4));
    acct.use('atof', at(5));
    // Grouping reaches line 2 and finds it late: lines 3–5 were read ahead, never looked at.
    assert.throws(() => acct.reclassifyAsSkipped('atof', 'late-event', at(2), 'late'), /stop at 2/);
    assert.deepEqual(acct.toJSON(), {
      total: 2,
      used: { total: 1, by_kind: { atof: 1 } },
      skipped: { total: 1, by_reason: { 'late-event': { count: 1, examples: [{ ...at(2), message: 'late' }] } } },
      rejected: { total: 0, by_reason: {} },
    });
  });

  it('lines settled (through every stage) stay counted; a lenient run keeps every line', () => {
    const strict = new LineAccounting({
      onProblem: () => {
        throw new Error('stop');
      },
    });
    strict.use('atof', at(1));
    strict.use('atof', at(2));
    strict.settle();
    strict.use('atof', at(3));
    assert.throws(() => strict.reclassifyAsSkipped('atof', 'late-event', at(1)));
    assert.equal(strict.total(), 3, 'line 1 is no longer held: nothing after it is taken back');
    const lenient = new LineAccounting();
    for (const n of [1, 2, 3]) lenient.use('atof', at(n));
    lenient.reclassifyAsSkipped('atof', 'late-event', at(1));
    assert.equal(lenient.total(), 3);
  });
});
