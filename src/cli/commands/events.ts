import { eventJson } from '../../ingest/held-records.js';
import type { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { readSettings, streamTimelineEvents, type Loaded, type ReplayFlags } from '../load.js';
import { describeReplay } from '../../pipeline/raw.js';
import { writeOut } from '../output.js';
import { runAccounting } from '../problems.js';
import { fixesOf, type ExportFlags } from './convert.js';
import { finishReport, type ReportFlags } from './explain.js';

/** `--profile`, `--fix`, `--no-fix`: the raw-log fixes change the replay. */
export interface EventsFlags extends ReportFlags, ReplayFlags, Pick<ExportFlags, 'profile' | 'fix' | 'noFix'> {}

/** Bytes gathered before a write: few, large writes, with backpressure between them. */
const CHUNK = 1 << 20;

/**
 * `events`: the reconstructed ATOF stream, one canonical JSON event per line, in emission order:
 * what the live runtime's ATOF exporter would have written for these hooks and gateway captures.
 * ATOF events of the input pass through at their place on the timeline.
 */
export async function eventsCommand(inputs: string[], flags: EventsFlags, io: CliIO): Promise<ExitCode> {
  // --strict stops at the first problem line and names it, as convert does.
  const accounting = runAccounting(flags.strict);
  let replay: Loaded['replay'];
  let events = 0;
  let buffer = '';
  for await (const batch of streamTimelineEvents(inputs, io, accounting, { ...readSettings(flags, fixesOf(flags)), replay: (r) => (replay = r) })) {
    for (const event of batch) {
      buffer += eventJson(event) + '\n';
      if (buffer.length >= CHUNK) {
        await writeOut(io, buffer);
        buffer = '';
      }
    }
    events += batch.length;
  }
  if (buffer !== '') await writeOut(io, buffer);
  // What the replay did (untimed bare payloads among it), as convert says it.
  return finishReport(accounting, events, flags, io, replay ? describeReplay(replay.stats) : []);
}
