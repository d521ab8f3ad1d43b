import { processIO } from './io.js';
import { createProgram } from './program.js';

const io = processIO();
try {
  process.exitCode = await createProgram(io).run(process.argv.slice(2));
} catch (err) {
  io.stderr.write(`relay-atif: internal error: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 70;
}
