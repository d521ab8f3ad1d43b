import { LineAccounting } from '../ingest/accounting.js';
import type { AtofEvent } from '../ingest/atof.js';
import { InputError, resolveInputs } from '../ingest/inputs.js';
import { readAtofEvents, streamAtofEvents } from '../ingest/read-atof.js';
import { CliError, EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';

export interface Loaded {
  events: AtofEvent[];
  accounting: LineAccounting;
  inputs: string[];
}

/** Maps input failures onto the exit-code table. */
export function inputFailure(err: unknown): never {
  if (err instanceof InputError) throw new CliError(err.kind === 'unreadable' ? EXIT.UNREADABLE : EXIT.USAGE, err.message);
  throw err;
}

/** Events one at a time, as the inputs are read (memory stays bounded by what the consumer keeps). */
export async function* streamEvents(args: string[], io: CliIO, accounting: LineAccounting): AsyncGenerator<AtofEvent> {
  try {
    const sources = await resolveInputs(args, { stdinIsTTY: io.stdinIsTTY, cwd: io.cwd, stdin: io.stdin });
    yield* streamAtofEvents(sources, accounting);
  } catch (err) {
    inputFailure(err);
  }
}

/** Resolves and reads every input, mapping input failures onto the exit-code table. */
export async function loadEvents(args: string[], io: CliIO): Promise<Loaded> {
  const accounting = new LineAccounting();
  try {
    const sources = await resolveInputs(args, { stdinIsTTY: io.stdinIsTTY, cwd: io.cwd, stdin: io.stdin });
    const events = await readAtofEvents(sources, accounting);
    return { events, accounting, inputs: sources.map((s) => s.name) };
  } catch (err) {
    inputFailure(err);
  }
}
