import { formatOfLevel, overviewPart, type OverviewPart } from '../explain/report.js';
import { ShortIdMarkers } from '../explain/short-id-markers.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { attachedResult, type ExportedTrajectory } from '../pipeline/exported.js';

/**
 * The explain overview's task on `--jobs` workers: each conversion becomes its part of the overview,
 * printed as the main thread prints it (same styles, same markers), carried back with its trajectory
 * ids and span uuids.
 */
export interface OverviewTask {
  kind: 'overview';
  json: boolean;
  /** The chalk level of the main thread's styles (0: no colours). */
  colorLevel: number;
  /** The profile as the parts' headings name it (the printer's profileLabel). */
  profile: string;
  /** The markers' prefix of the main thread's printer, which fills them in. */
  markerPrefix: string;
  only?: string;
}

/** The task as a function of a conversion (in a worker). */
export function overviewTaskRunner(task: OverviewTask): (c: ConvertedTrajectory) => ExportedTrajectory {
  const format = formatOfLevel(task.json, task.colorLevel);
  const marks = new ShortIdMarkers(task.markerPrefix);
  return (c) => attachedResult(c, overviewPart(c, format, task.profile, marks, task.only));
}

/** The part a result carries (a worker's crosses as a copy, as its counts do). */
export function overviewPartOf(summary: { attached?: unknown }): OverviewPart {
  return summary.attached as OverviewPart;
}
