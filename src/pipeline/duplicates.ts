import type { AtofEvent } from '../ingest/atof.js';
import type { FixSet } from '../profiles/fixes.js';
import { isReconstructed } from './raw.js';

/**
 * Fix `skip-duplicate-events`: an ATOF input line that repeats an event already read in its
 * trajectory — the same uuid, kind and scope_category (a mark: the same uuid) — is not converted; its
 * line is a counted `duplicate-event` skip (input-records.md §5). The reference converts every copy
 * (atif-dedupe.md §5 E17: a second user step, a second tool ancestry entry; explain's W_DUPLICATE_EVENT).
 * The first copy is kept. Events the replay rebuilt from raw records are no input lines: never skipped.
 */

/** Whether the fixes skip repeated events. */
export const skipsDuplicates = (fixes: FixSet): boolean => fixes.has('skip-duplicate-events');

/** The event's phase as one bit (mark 1, start 2, end 4) of the per-uuid mask of phases read. */
export function phaseBit(e: Pick<AtofEvent, 'kind' | 'scopeCategory'>): number {
  return e.kind === 'mark' ? 1 : e.scopeCategory === 'start' ? 2 : e.scopeCategory === 'end' ? 4 : 0;
}

/**
 * Whether `e`, whose phase bit is in `seen` (the phases read of its uuid), is a duplicate to skip: an
 * input line (asked only of a repeat, so the common path costs nothing).
 */
export function isSkippedRepeat(e: AtofEvent, seen: number): boolean {
  const bit = phaseBit(e);
  return bit !== 0 && (seen & bit) !== 0 && !isReconstructed(e);
}

/** The event's phase as the skip message names it. */
export function phaseOf(e: Pick<AtofEvent, 'kind' | 'scopeCategory'>): string {
  return e.kind === 'mark' ? 'mark' : (e.scopeCategory ?? 'scope');
}

/**
 * The repeats of a run that holds every event in one trajectory (`--session-id`): a map of the phases
 * read per uuid (that run holds all its events anyway).
 */
export class RepeatTracker {
  private readonly seen = new Map<string, number>();

  /** Notes `e` as read; true (and nothing noted) when it repeats an event already read and is to be skipped. */
  repeats(e: AtofEvent): boolean {
    const seen = this.seen.get(e.uuid) ?? 0;
    if (isSkippedRepeat(e, seen)) return true;
    this.seen.set(e.uuid, seen | phaseBit(e));
    return false;
  }
}

/** `events` without the repeats to skip (in input order), and those repeats. */
export function withoutRepeats(events: readonly AtofEvent[]): { kept: AtofEvent[]; duplicates: AtofEvent[] } {
  const tracker = new RepeatTracker();
  const kept: AtofEvent[] = [];
  const duplicates: AtofEvent[] = [];
  for (const e of events) (tracker.repeats(e) ? duplicates : kept).push(e);
  return { kept, duplicates };
}
