/**
 * A line cut off mid-write (a killed agent, a crash: cut short, or NUL-padded) with the next run's first
 * record appended to it without a line break: the line is one `not-json` skip, whose message says that
 * a complete record follows the cut, from which column, and that it is lost with the line (it was
 * only the parser's complaint, which pointed at neither).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recordAfterCut } from '../src/ingest/cut-lines.js';
import { ROOT, runCli } from './support/cli.js';

const SAMPLE = readFileSync(join(ROOT, 'samples', 'hermes-session.atof.ndjson'), 'utf8').trimEnd().split('\n');
const HOOKS = readFileSync(join(ROOT, 'samples', 'claude-code-session.ndjson'), 'utf8').split('\n');

/** recordAfterCut as the reader calls it: with JSON.parse's error for the line. */
function after(line: string) {
  try {
    JSON.parse(line);
  } catch (error) {
    return recordAfterCut(line, (error as Error).message);
  }
  throw new Error('the line parses');
}

describe('recordAfterCut', () => {
  const next = SAMPLE[0];

  it('finds the appended record after a cut inside a string, after NUL padding, and after a cut where a value may start', () => {
    const inString = SAMPLE[1].slice(0, SAMPLE[1].indexOf('"prompt":') + 15);
    assert.equal(after(inString + next)?.at, inString.length);
    const padded = inString + '\u0000'.repeat(300);
    assert.equal(after(padded + next)?.at, padded.length);
    // The parser takes the new record for the value of "data" and fails only at the end of the line.
    const valueSlot = SAMPLE[1].slice(0, SAMPLE[1].indexOf('"data":') + 7);
    assert.deepEqual(after(valueSlot + next), { at: valueSlot.length, kind: 'atof' });
    assert.equal(after(HOOKS[1].slice(0, 150) + HOOKS[0])?.kind, 'hook');
  });

  it('finds none in a line merely cut short, nor takes the payload that ends a hook record cut before its last brace', () => {
    assert.equal(after(SAMPLE[1].slice(0, 200)), undefined);
    assert.equal(after(HOOKS[0].slice(0, -1)), undefined, 'the payload is a bare hook payload: no run writes one after a cut');
    assert.equal(after(`${SAMPLE[1].slice(0, 200)}{"not": "a record"}`), undefined);
  });
});

describe('a crashed run with the next run appended', () => {
  it("the line is one not-json skip that names the record lost after the cut and its column; the line count is the file's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-atif-cut-'));
    const file = join(dir, 'events.ndjson');
    // The first run cut mid-line, then the whole sample as the second run (its top-level start glued to the cut).
    const cut = SAMPLE[1].slice(0, SAMPLE[1].indexOf('"prompt":') + 15);
    writeFileSync(file, `${SAMPLE[0].replaceAll('-8000-', '-9999-')}\n${cut.replaceAll('-8000-', '-9999-')}${SAMPLE.join('\n')}\n`);
    const r = await runCli(['convert', file, '-o', '-', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = (JSON.parse(r.stderr) as { lines: { total: number; skipped: { by_reason: Record<string, { examples: Array<{ line: number; message: string }> }> } } }).lines;
    assert.equal(lines.total, 1 + SAMPLE.length, "the first run's line, then the sample's lines, the first of them glued to the cut");
    const [skip] = lines.skipped.by_reason['not-json'].examples;
    assert.equal(skip.line, 2);
    assert.match(skip.message, new RegExp(`; from column ${cut.length + 1} the line holds a complete ATOF event, the first of a run appended without a line break after a record cut off mid-write \\(a crash\\?\\): it is lost with this line`));
  });
});
