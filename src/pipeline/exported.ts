import { validateTrajectory, type Finding } from '../atif/validate/index.js';
import { jsonPieces, utf8Chunks } from '../json/stringify.js';
import type { Json } from '../json/value.js';
import type { ConvertedTrajectory } from './convert.js';
import type { ImageOutcome } from '../atif/images.js';

/** How trajectories are written: one compact line each (NDJSON), or pretty JSON with sorted keys. */
export type OutputFormat = 'ndjson' | 'pretty';

/** Validation errors shown per trajectory; the rest are only counted. */
export const ERRORS_SHOWN = 20;

/**
 * A converted trajectory reduced to what the output and the run report need: its text and its counts.
 * The same shape whether it was converted in this thread or on a worker.
 */
export interface ExportedTrajectory {
  sessionId: string;
  eventCount: number;
  steps: number;
  suppressedSpans: number;
  /** The document in the output format, newline included, in pieces; absent for an empty trajectory that is not written. Printed as it is iterated. */
  text?: Iterable<Uint8Array>;
  /** With validation: the first error findings, and how many errors there were. */
  errors: Finding[];
  errorCount: number;
  /**
   * Fix `image-parts`: the image files the written trajectory refers to (their bytes travel from a
   * worker with the counts) and the images it left out; absent when it had none.
   */
  images?: ImageOutcome;
  /** What a task other than export attaches to its result (carried across threads as it is). */
  attached?: unknown;
}

/**
 * The result of a task that makes something else of a conversion than its printed trajectory (an
 * `explain` or `diff` part): no text, the conversion's counts, and what it made, carried as it is.
 */
export function attachedResult(c: Pick<ConvertedTrajectory, 'sessionId' | 'eventCount' | 'suppressedSpans'>, attached: unknown): ExportedTrajectory {
  return { sessionId: c.sessionId, eventCount: c.eventCount, steps: 0, suppressedSpans: c.suppressedSpans, errors: [], errorCount: 0, attached };
}

/** Reduces a conversion result. The text is produced lazily: a large trajectory is printed piece by piece. */
export function exportConverted(c: ConvertedTrajectory, format: OutputFormat, validate: boolean): ExportedTrajectory {
  const t = c.trajectory;
  const errors = validate && t ? validateTrajectory(t).filter((f) => f.level === 'error') : [];
  const out: ExportedTrajectory = {
    sessionId: c.sessionId,
    eventCount: c.eventCount,
    steps: t?.steps.length ?? 0,
    suppressedSpans: c.suppressedSpans,
    errors: errors.slice(0, ERRORS_SHOWN),
    errorCount: errors.length,
  };
  if (t) {
    out.text = documentText(t as unknown as Json, format);
    const images = c.result.images;
    if (images && (images.files.length > 0 || images.notWritten > 0 || images.notShown > 0 || images.documentsLeftOut > 0)) out.images = images;
  }
  return out;
}

function documentText(t: Json, format: OutputFormat): Generator<Uint8Array> {
  return utf8Chunks(withNewline(format === 'ndjson' ? jsonPieces(t) : jsonPieces(t, 2)));
}

function* withNewline(pieces: Iterable<string>): Generator<string> {
  yield* pieces;
  yield '\n';
}
