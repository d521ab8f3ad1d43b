import type { LineAccounting } from '../ingest/accounting.js';
import type { AtofEvent } from '../ingest/atof.js';
import { phaseOf } from '../pipeline/duplicates.js';
import { isReconstructed, type LateEventNote } from '../pipeline/raw.js';

/**
 * Accounts for events that arrived after their top-level scope had closed (they are in no
 * trajectory): an input line becomes a `late-event` skip; an event the replay rebuilt has no line,
 * and is only counted. Returns how many of those there were.
 */
export function accountLateEvents(accounting: LineAccounting, late: readonly AtofEvent[], tally?: LateTally): number {
  let reconstructed = 0;
  for (const e of late) {
    if (isReconstructed(e)) {
      reconstructed++;
      if (tally && tally.first === undefined) tally.first = lateEventOf(e);
    } else {
      const where = e.origin ?? { file: '?', line: 0 };
      accounting.reclassifyAsSkipped('atof', 'late-event', where, `event ${e.uuid} arrived after its top-level agent scope ended; the trajectory was already written`);
    }
  }
  return reconstructed;
}

/** The late reconstructed events of a run: how many, and the first (its note names it, as every note of a loss does). */
export interface LateTally {
  first?: LateEventNote;
}

function lateEventOf(e: AtofEvent): LateEventNote {
  return { uuid: e.uuid, name: e.name, phase: phaseOf(e), ...(e.category !== undefined ? { category: e.category } : {}), ...(e.origin ? { origin: e.origin } : {}) };
}

/**
 * Accounts for input events that repeat one already read in their trajectory (fix
 * skip-duplicate-events): each line, counted as used when read, becomes a `duplicate-event` skip.
 */
export function accountDuplicateEvents(accounting: LineAccounting, duplicates: readonly AtofEvent[]): void {
  for (const e of duplicates) accounting.reclassifyAsSkipped('atof', 'duplicate-event', e.origin ?? { file: '?', line: 0 }, duplicateMessage(e));
}

/** What a `duplicate-event` skip says: the uuid and the phase repeated. */
export function duplicateMessage(e: AtofEvent): string {
  return `event ${e.uuid} (${phaseOf(e)}) was already read in its trajectory: this repeat is not converted (fix skip-duplicate-events)`;
}
