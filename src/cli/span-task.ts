import { formatOfLevel, spanPart, type SpanPart, type SpanReportFormat } from '../explain/report.js';
import { ShortIdMarkers } from '../explain/short-id-markers.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { attachedResult, type ExportedTrajectory } from '../pipeline/exported.js';

/**
 * `explain --span`'s task, in this thread or on `--jobs` workers: each conversion becomes its share
 * of the lookup (its spans, and the printed reports the query may resolve to), printed as the main
 * thread prints (same styles, same markers for the short ids it fills in).
 */
export interface SpanTask {
  kind: 'span';
  query: string;
  json: boolean;
  /** The chalk level of the main thread's styles (0: no colours). */
  colorLevel: number;
  /** The markers' prefix of the main thread's finder, which fills them in. */
  markerPrefix: string;
}

/** How the task prints a report. */
export function spanTaskFormat(task: SpanTask): SpanReportFormat {
  return { format: formatOfLevel(task.json, task.colorLevel), marks: new ShortIdMarkers(task.markerPrefix) };
}

/** The task as a function of a conversion. */
export function spanTaskRunner(task: SpanTask): (c: ConvertedTrajectory) => ExportedTrajectory {
  const printing = spanTaskFormat(task);
  return (c) => attachedResult(c, spanPart(c, task.query, printing));
}

/** The share a result carries. */
export function spanPartOf(summary: { attached?: unknown }): SpanPart {
  return summary.attached as SpanPart;
}
