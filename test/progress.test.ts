/**
 * The progress bar: drawn on stderr while a large input is read, by every command that reads event
 * logs, only on a terminal and not with --quiet; the data on stdout is the same with it or without.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './support/cli.js';

const BAR = /relay-atif \|[=-]+\| \d+% \d+\/\d+ MB, \d+ events\/s/;
// Any input counts as large: the threshold is lowered (64 MiB by default).
const LARGE = { RELAY_ATIF_PROGRESS_AFTER_BYTES: '0' };

const commands: string[][] = [
  ['convert', 'samples/', '-o', '-'],
  ['explain', 'samples/'],
  ['explain', 'samples/', '--span', '01972d4e-8a00-7000-8000-000000000004'],
  ['explain', 'samples/hermes-session.atof.ndjson', '--step', '2'],
  ['explain', 'samples/', '--session-id', 's'],
  ['diff', 'samples/'],
  ['events', 'samples/'],
];

test('every command that reads event logs draws the bar on a terminal, and only there; stdout is the same', async () => {
  for (const args of commands) {
    const plain = await runCli(args);
    assert.doesNotMatch(plain.stderr, BAR, `${args.join(' ')}: not a terminal`);
    const drawn = await runCli(args, { stderrIsTTY: true, env: LARGE });
    assert.match(drawn.stderr, BAR, `${args.join(' ')}: a terminal`);
    assert.equal(drawn.code, plain.code, args.join(' '));
    assert.equal(drawn.stdout, plain.stdout, args.join(' '));
    const quiet = await runCli([...args, '-q'], { stderrIsTTY: true, env: LARGE });
    assert.doesNotMatch(quiet.stderr, BAR, `${args.join(' ')} -q`);
  }
});

test('the bar waits for inputs of 64 MiB by default, and for none of unknown size (stdin)', async () => {
  const small = await runCli(['diff', 'samples/'], { stderrIsTTY: true });
  assert.doesNotMatch(small.stderr, BAR);
  const piped = await runCli(['events', '-'], { stderrIsTTY: true, env: LARGE, stdin: '' });
  assert.doesNotMatch(piped.stderr, BAR);
});
