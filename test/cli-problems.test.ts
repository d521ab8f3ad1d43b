import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Problem } from '../src/ingest/accounting.js';
import type { CliIO } from '../src/cli/io.js';
import { writeProblems } from '../src/cli/problems.js';

function written(problems: Problem[], opts: { verbose?: boolean; hasReport: boolean }): string[] {
  let err = '';
  writeProblems(problems, opts, { stderr: { write: (s: string) => (err += s) } } as unknown as CliIO);
  return err.trimEnd().split('\n');
}

const problems: Problem[] = Array.from({ length: 7 }, (_, i) => ({
  bucket: 'skipped',
  reason: 'not-json',
  count: i + 1,
  examples: [{ file: 'in.ndjson', line: 10 + i, message: `bad ${i}` }],
}));

test('the first five problem kinds with their first line; the rest counted, pointing only to options the command has', () => {
  const convert = written(problems, { hasReport: true });
  assert.equal(convert.length, 6);
  assert.equal(convert[0], '  skipped not-json: 1 line(s) (first at in.ndjson:10: bad 0)');
  assert.equal(convert[5], '  … 2 more kinds (--verbose, --report FILE)');
  assert.equal(written(problems, { hasReport: false })[5], '  … 2 more kinds (--verbose)');
  assert.equal(written(problems, { verbose: true, hasReport: false }).length, 7);
});
