import type { LineAccounting } from '../ingest/accounting.js';
import type { AtofEvent } from '../ingest/atof.js';
import { isReconstructed } from '../pipeline/raw.js';

/**
 * Accounts for events that arrived after their top-level scope had closed (they are in no
 * trajectory): an input line becomes a `late-event` skip; an event the replay rebuilt has no line,
 * and is only counted. Returns how many of those there were.
 */
export function accountLateEvents(accounting: LineAccounting, late: readonly AtofEvent[]): number {
  let reconstructed = 0;
  for (const e of late) {
    if (isReconstructed(e)) reconstructed++;
    else {
      const where = e.origin ?? { file: '?', line: 0 };
      accounting.reclassifyAsSkipped('atof', 'late-event', where, `event ${e.uuid} arrived after its top-level agent scope ended; the trajectory was already written`);
    }
  }
  return reconstructed;
}
