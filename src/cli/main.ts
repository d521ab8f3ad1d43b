import { rmSync } from 'node:fs';
import { EXIT } from './exit-codes.js';
import { processIO } from './io.js';
import { pendingTempFiles } from './output.js';
import { createProgram } from './program.js';

// An interrupted run leaves no partial output: temp files are removed before exiting.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    for (const tmp of pendingTempFiles) rmSync(tmp, { force: true });
    process.exit(code);
  });
}

// A reader that stops early (`relay-atif convert … | head`) closes the pipe: end quietly, with the
// status of a process that SIGPIPE ended (Node ignores that signal, so writes fail with EPIPE instead).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  for (const tmp of pendingTempFiles) rmSync(tmp, { force: true });
  process.exit(EXIT.BROKEN_PIPE);
});

const io = processIO();
try {
  process.exitCode = await createProgram(io).run(process.argv.slice(2));
} catch (err) {
  io.stderr.write(`relay-atif: internal error: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 70;
}
