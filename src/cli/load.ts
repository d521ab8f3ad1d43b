import { LineAccounting } from '../ingest/accounting.js';
import type { AtofEvent } from '../ingest/atof.js';
import { InputError, resolveInputs } from '../ingest/inputs.js';
import { readAtofEvents } from '../ingest/read-atof.js';
import { CliError, EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';

export interface Loaded {
  events: AtofEvent[];
  accounting: LineAccounting;
  inputs: string[];
}

/** Resolves and reads every input, mapping input failures onto the exit-code table. */
export async function loadEvents(args: string[], io: CliIO): Promise<Loaded> {
  const accounting = new LineAccounting();
  try {
    const sources = await resolveInputs(args, { stdinIsTTY: io.stdinIsTTY, cwd: io.cwd, stdin: io.stdin });
    const events = await readAtofEvents(sources, accounting);
    return { events, accounting, inputs: sources.map((s) => s.name) };
  } catch (err) {
    if (err instanceof InputError) {
      throw new CliError(err.kind === 'unreadable' ? EXIT.UNREADABLE : EXIT.USAGE, err.message);
    }
    throw err;
  }
}
