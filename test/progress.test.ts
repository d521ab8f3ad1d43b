/**
 * The progress bar: drawn on stderr while a large input is read, by every command that reads event
 * logs, only on a terminal and not with --quiet; the data on stdout is the same with it or without.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StatusLine } from '../src/cli/status-line.js';
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
    // --no-progress: no bar, the rest of stderr as without a terminal.
    const barless = await runCli([...args, '--no-progress'], { stderrIsTTY: true, env: LARGE });
    assert.equal(barless.stderr, plain.stderr, `${args.join(' ')} --no-progress`);
  }
});

test('the bar waits for inputs of 64 MiB by default, and for none of unknown size (stdin)', async () => {
  const small = await runCli(['diff', 'samples/'], { stderrIsTTY: true });
  assert.doesNotMatch(small.stderr, BAR);
  const piped = await runCli(['events', '-'], { stderrIsTTY: true, env: LARGE, stdin: '' });
  assert.doesNotMatch(piped.stderr, BAR);
});

// What the bar's line says, escape sequences dropped: one entry per redraw.
const CLEAR = '\x1b[0J';
const WRAP_OFF = '\x1b[?7l';
const WRAP_ON = '\x1b[?7h';
const plainText = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

test('after reading, the bar stays (full) and says what the run does, the summary goes above it, and the end clears it', async () => {
  const r = await runCli(['convert', 'samples/', '-o', '-'], { stderrIsTTY: true, env: LARGE });
  assert.equal(r.code, 0, r.stderr);
  const text = plainText(r.stderr);
  // The raw records' replay, then the trajectories still open, each a phase of the full bar.
  const replaying = text.indexOf('100% 0/0 MB, replaying 27 hook and gateway records');
  const finishing = text.indexOf('100% 0/0 MB, finishing', replaying);
  const summary = text.indexOf('relay-atif: 41 lines, 71 events → 4 trajectories (stdout)');
  assert.ok(replaying >= 0 && finishing > replaying && summary > finishing, text);
  // The summary is whole lines written above the bar, which is drawn again below it…
  assert.match(text, /\(gateway_shutdown\)\nrelay-atif \|=+\| 100%/);
  // …and cleared when the command ends: nothing is left drawn.
  assert.ok(r.stderr.endsWith(CLEAR), JSON.stringify(r.stderr.slice(-40)));
});

test('a long replay says on the bar how far it is', async () => {
  // A sample's hook and gateway records 150 times over: 1,500 points of the timeline (8 records and
  // 2 gateway completions each time), so the replay, which reports every 1,024, reports once. The
  // copies are replayed as such: fix skip-duplicate-records would read the sample once.
  const copies = ['--no-fix', 'skip-duplicate-records'];
  const dir = mkdtempSync(join(tmpdir(), 'relay-atif-progress-'));
  const input = join(dir, 'log.ndjson');
  const sample = readFileSync('samples/claude-code-session.ndjson', 'utf8');
  writeFileSync(input, sample.repeat(150));
  const r = await runCli(['convert', input, '-o', '-', ...copies], { stderrIsTTY: true, env: LARGE });
  assert.equal(r.code, 0, r.stderr);
  const text = plainText(r.stderr);
  const records = sample.trim().split('\n').length * 150;
  const said = [...text.matchAll(new RegExp(`replaying ${records} hook and gateway records(?:, (\\d+)% done)?`, 'g'))].map((m) => m[1]);
  // First without a figure (nothing replayed yet), then the one report, then finishing.
  assert.equal(said[0], undefined, text);
  const percents = said.filter((p) => p !== undefined).map(Number);
  assert.equal(percents.length, 1, text);
  assert.ok(percents[0] > 0 && percents[0] < 100, text);
  assert.ok(text.indexOf('finishing', text.lastIndexOf('% done')) > 0, text);
  // Without a terminal nothing of it is said, and the data is the same.
  const plain = await runCli(['convert', input, '-o', '-', ...copies]);
  assert.doesNotMatch(plain.stderr, /replaying/);
  assert.equal(plain.stdout, r.stdout);
});

test('the last bytes read switch the bar to finishing before their lines are processed (a session they close is converted under it)', async () => {
  // ATOF only, one session: its end event is on the last line, and its conversion follows at once.
  const r = await runCli(['convert', 'samples/hermes-session.atof.ndjson', '-o', '-'], { stderrIsTTY: true, env: LARGE });
  assert.equal(r.code, 0, r.stderr);
  const text = plainText(r.stderr);
  assert.doesNotMatch(text, /replaying/);
  assert.match(text, /^relay-atif \|-+\| 0% 0\/0 MB, 0 events\/s \(0s\)relay-atif \|=+\| 100% 0\/0 MB, finishing \(0s\)relay-atif: /);
});

test('an error that stops the run is said after the bar is cleared', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-atif-progress-'));
  const input = join(dir, 'log.ndjson');
  writeFileSync(input, `${readFileSync('samples/hermes-session.atof.ndjson', 'utf8')}not json\n`);
  const r = await runCli(['convert', input, '-o', '-', '--strict'], { stderrIsTTY: true, env: LARGE });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, BAR);
  const cleared = r.stderr.lastIndexOf(CLEAR);
  assert.ok(cleared >= 0 && r.stderr.indexOf('relay-atif: --strict:') > cleared, JSON.stringify(r.stderr));
});

test('no bar when stdout is the same terminal and carries the data (its text would run through the bar); convert to files still draws it', async () => {
  const screen = { stderrIsTTY: true, stdoutIsTTY: true, env: LARGE };
  for (const args of commands) {
    if (args[0] === 'convert') continue;
    assert.doesNotMatch((await runCli(args, screen)).stderr, BAR, args.join(' '));
  }
  assert.doesNotMatch((await runCli(['convert', 'samples/', '-o', '-'], screen)).stderr, BAR, 'convert to stdout');
  const dir = mkdtempSync(join(tmpdir(), 'relay-atif-progress-'));
  assert.match((await runCli(['convert', 'samples/', '-o', `${dir}/`], screen)).stderr, BAR, 'convert -o DIR/');
});

test('a bar cleared early (an interrupted run) turns the line wrapping it turned off on again', () => {
  let out = '';
  const terminal = { write: (s: string) => ((out += s), true), isTTY: true };
  const line = new StatusLine(terminal);
  line.bar('{bar} {doing}', 10, { doing: 'reading' });
  assert.ok(out.includes(WRAP_OFF), JSON.stringify(out));
  StatusLine.clearAll();
  assert.ok(out.lastIndexOf(WRAP_ON) > out.lastIndexOf(WRAP_OFF), JSON.stringify(out));
  // Cleared once: stopping it again (the command's own end) writes nothing more.
  const length = out.length;
  line.stop();
  assert.equal(out.length, length);
});
