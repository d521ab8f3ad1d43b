import type { LineAccounting } from '../ingest/accounting.js';
import type { AtofEvent } from '../ingest/atof.js';
import { phaseOf } from '../pipeline/duplicates.js';
import { isReconstructed, type LateEventNote } from '../pipeline/raw.js';
import { type ScopeRef, type ScopesBeforeParentTally } from '../pipeline/stream.js';

/**
 * Accounts for events that arrived after their top-level scope had closed (they are in no
 * trajectory): an input line becomes a `late-event` skip; an event the replay rebuilt has no line,
 * and is only counted. Returns how many of those there were. A late event that repeats one read
 * before its scope was written (the same uuid and phase: the input given twice, a session given as
 * ATOF and as raw records) is a copy, not a loss: an `event-copy` skip, or counted in `tally.copies`.
 * `copy`: the grouper found `late` to be such a copy (Pushed.copy).
 */
export function accountLateEvents(accounting: LineAccounting, late: readonly AtofEvent[], tally?: LateTally, copy = false): number {
  let reconstructed = 0;
  for (const e of late) {
    if (isReconstructed(e)) {
      if (copy) {
        if (tally) {
          tally.copies = (tally.copies ?? 0) + 1;
          tally.firstCopy ??= lateEventOf(e);
        }
        continue;
      }
      reconstructed++;
      if (tally && tally.first === undefined) tally.first = lateEventOf(e);
    } else {
      const where = e.origin ?? { file: '?', line: 0 };
      if (copy) accounting.reclassifyAsSkipped('atof', 'event-copy', where, copyMessage(e));
      else accounting.reclassifyAsSkipped('atof', 'late-event', where, `event ${e.uuid} arrived after its top-level agent scope ended; the trajectory was already written`);
    }
  }
  return reconstructed;
}

/** What an `event-copy` skip says: the event was read before, and converted then. */
export function copyMessage(e: AtofEvent): string {
  return `event ${e.uuid} (${phaseOf(e)}) repeats one already read and written in its trajectory (the same input given twice?): a copy, not converted again`;
}

/**
 * The late reconstructed events of a run: the first (its note names it, as every note of a loss does),
 * and those that were copies of events read before (`copies`, the first named).
 */
export interface LateTally {
  first?: LateEventNote;
  copies?: number;
  firstCopy?: LateEventNote;
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

/**
 * The run summary's note of top-level scopes read before their parent (nothing when there were none):
 * grouping streams, so such a scope was a trajectory of its own by the time its parent was read. Not a
 * problem of a line (each was read and converted), but the output differs from that of the same events
 * in order, so the run says it, and how to avoid it.
 */
export function scopesBeforeParentNote(tally: ScopesBeforeParentTally | undefined): string[] {
  const first = tally?.first;
  if (!tally || tally.count === 0 || !first) return [];
  const scopes = tally.count === 1 ? '1 top-level agent scope was read before its parent scope' : `${tally.count} top-level agent scopes were read before their parent scope`;
  const each = tally.count === 1 ? 'it was' : 'each was';
  const at = (ref: ScopeRef) => (ref.origin ? `${ref.origin.file}:${ref.origin.line}` : 'the replay');
  return [
    `${scopes} (input out of order: rotated files given newest first?): ${each} written as a trajectory of its own, not in its parent's; ` +
      `the first: ${at(first.first)}: ${first.first.name} ${first.first.uuid}, whose parent ${first.parent.name} ${first.parent.uuid} comes at ${at(first.parent)}; give the files oldest first`,
  ];
}

/** The same for --report and --json (snake_case), or nothing. */
export function scopesBeforeParentReport(tally: ScopesBeforeParentTally | undefined): { scopes_before_parent?: { count: number; first: { scope: ScopeRefJson; parent: ScopeRefJson } } } {
  const first = tally?.first;
  if (!tally || tally.count === 0 || !first) return {};
  return { scopes_before_parent: { count: tally.count, first: { scope: refJson(first.first), parent: refJson(first.parent) } } };
}

type ScopeRefJson = { uuid: string; name: string; file?: string; line?: number };
const refJson = (ref: ScopeRef): ScopeRefJson => ({ uuid: ref.uuid, name: ref.name, ...(ref.origin ?? {}) });
