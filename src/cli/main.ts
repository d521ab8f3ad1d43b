import { rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { EXIT, INTERNAL_ERROR } from './exit-codes.js';
import { nodeFlagsGiven } from './heap-limit.js';
import { fileStdout } from './file-stdout.js';
import { processIO } from './io.js';
import { pendingTempFiles } from './output.js';
import { printable } from './printable.js';
import { createProgram } from './program.js';
import { StatusLine } from './status-line.js';

// V8 settings for a batch run of a few seconds to minutes; a flag given to node itself (NODE_OPTIONS,
// execArgv) wins over each. Set before any hot code is optimised; worker threads share them.
const V8_TUNING: ReadonlyArray<readonly [flag: string, value: number]> = [
  // Old-generation growth at most 2x the live data after each full collection. V8's default lets the
  // heap grow up to 4x while a long run allocates fast, so a 1 GB stream with raw records peaked at
  // 1.9 GB of memory for about 320 MB of live data; with this it peaks at 1.2 GB, and the measured
  // speed (npm run bench) does not change.
  ['heap-growing-percent', 100],
  // Less inlining into optimised functions. With V8's default budget (920 bytes of bytecode), the
  // optimising compiler spent 2.7 s of CPU on a 3.5 s conversion of raw records (perf: 28% of all
  // samples), on threads that compete with the export workers on a machine of few cores. At 100 it
  // spends half that; the compiled code is as fast on every benchmark input, and the 100 MB stream
  // converts about 9% faster with workers (npm run bench).
  ['max-inlined-bytecode-size-cumulative', 100],
];
for (const [flag, value] of V8_TUNING) if (!hasNodeFlag(flag)) setFlagsFromString(`--${flag}=${value}`);

function hasNodeFlag(name: string): boolean {
  return nodeFlagsGiven(process.execArgv, process.env).some((a) => a.startsWith(`--${name}`));
}

// An interrupted run leaves no partial output (temp files are removed) and no progress bar (cleared,
// the terminal's line wrapping restored) before exiting. The handlers stay (a second signal is
// ignored, not fatal): a terminal's Ctrl-C comes twice to a run that heap-limit.ts started, once from
// the terminal and once passed on by the process that started it. SIGHUP too: a closed terminal or a
// dropped ssh session ended the run by node's default action, which left the hidden temp file of
// `-o FILE` (`.run.json.<hex>.tmp`, the trajectory so far) beside the output.
let interrupted = false;
for (const [signal, code] of [['SIGHUP', 129], ['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    StatusLine.clearAll();
    for (const tmp of pendingTempFiles) rmSync(tmp, { force: true });
    process.exit(code);
  });
}

// A reader that stops early (`relay-atif convert … | head`) closes the pipe: end quietly, with the
// status of a process that SIGPIPE ended (Node ignores that signal, so writes fail with EPIPE instead).
// The same for stderr (`relay-atif … 2>&1 | head`). Any other failure to write stdout (a full disk,
// `> /dev/full`) is an output that could not be written: said on stderr, exit 4, as for `-o FILE`.
// Diagnostics that cannot be written are let go: the exit status still tells the outcome.
function outputFailed(stream: NodeJS.WriteStream, err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE' && stream === process.stderr) return;
  // A bar on the terminal (stdout piped to `head`, say) is cleared as on Ctrl-C.
  if (stream === process.stdout) StatusLine.clearAll();
  for (const tmp of pendingTempFiles) rmSync(tmp, { force: true });
  if (err.code === 'EPIPE') process.exit(EXIT.BROKEN_PIPE);
  process.stderr.write(`relay-atif: cannot write to stdout: ${err.message}\n`);
  process.exit(EXIT.OUTPUT);
}
for (const stream of [process.stdout, process.stderr]) stream.on('error', (err: NodeJS.ErrnoException) => outputFailed(stream, err));

const io = processIO();
// A regular file as stdout is written by a writer that checks every byte (see file-stdout.ts).
io.stdout = fileStdout(1, (err) => outputFailed(process.stdout, err)) ?? io.stdout;
try {
  process.exitCode = await createProgram(io).run(process.argv.slice(2));
} catch (err) {
  io.stderr.write(`relay-atif: internal error: ${printable((err as Error).stack ?? String(err), true)}\n`);
  process.exitCode = INTERNAL_ERROR;
}
