import type { AtofRecord, GatewayRecord, HookRecord, InputRecord } from './read-records.js';
import type { Nanos } from './time.js';

/** The offline replay's one timeline of input records (relay-cli.md §3.12). */

/** One instant of the offline replay (relay-cli.md §3.12). */
export type TimelinePoint =
  | { kind: 'atof'; atNs: Nanos; order: number; record: AtofRecord }
  | { kind: 'hook'; atNs: Nanos; order: number; record: HookRecord }
  /** §2.3–§2.7 run here. */
  | { kind: 'gateway-arrival'; atNs: Nanos; order: number; record: GatewayRecord }
  /** LLM end, response hints and the in-flight decrement (§2.8–§2.9); absent for calls that never completed. */
  | { kind: 'gateway-completion'; atNs: Nanos; order: number; record: GatewayRecord };

/**
 * All points by time; ties keep input order (file, then line). ATOF events of the input keep their
 * input order among themselves: they are merged into the raw records' time order, each placed by its
 * timestamp, but never moved past one another — sorted, an event read after its scope's end would come
 * before it and stop being late (convert, which files ATOF events as it reads them, finds it late), and
 * `events`' output would no longer convert as its input does.
 */
export function buildTimeline(records: Iterable<InputRecord>, hookOffsetNs: Nanos = 0n): TimelinePoint[] {
  const points: TimelinePoint[] = [];
  const atofPoints: TimelinePoint[] = [];
  for (const record of records) {
    const order = record.order;
    switch (record.kind) {
      case 'atof':
        atofPoints.push({ kind: 'atof', atNs: record.event.ts, order, record });
        break;
      case 'hook':
        // `--hook-clock-offset`: hooks logged by a clock apart from the gateway's are moved onto its time.
        points.push({ kind: 'hook', atNs: record.atNs + hookOffsetNs, order, record });
        break;
      case 'gateway':
        points.push({ kind: 'gateway-arrival', atNs: record.arrivalNs, order, record });
        if (record.completionNs !== undefined) points.push({ kind: 'gateway-completion', atNs: record.completionNs, order, record });
        break;
    }
  }
  const byTime = (a: TimelinePoint, b: TimelinePoint) => (a.atNs !== b.atNs ? (a.atNs < b.atNs ? -1 : 1) : a.order - b.order);
  points.sort(byTime);
  if (atofPoints.length === 0) return points;
  if (points.length === 0) return atofPoints;
  const merged: TimelinePoint[] = [];
  let r = 0;
  for (const a of atofPoints) {
    while (r < points.length && byTime(points[r], a) < 0) merged.push(points[r++]);
    merged.push(a);
  }
  while (r < points.length) merged.push(points[r++]);
  return merged;
}

