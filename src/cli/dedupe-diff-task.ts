import { stylesOfLevel } from '../explain/palette.js';
import { changedBy, dedupeDiff } from '../diff/dedupe-diff.js';
import { renderDedupeDiffTrajectory } from '../diff/render.js';
import { canonicalJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';
import { convertGroup, type ConvertOptions, type GroupTask } from '../pipeline/convert.js';
import { attachedResult, type ExportedTrajectory } from '../pipeline/exported.js';

/**
 * `diff`'s task on event logs, in this thread or on `--jobs` workers: a group converted with and
 * without the dedupe pass, compared, and printed as its part of the report (JSON or text, in the
 * main thread's styles).
 */
export interface DedupeDiffTask {
  kind: 'dedupe-diff';
  json: boolean;
  /** The chalk level of the main thread's styles (0: no colours). */
  colorLevel: number;
  /** The profile as each part's heading names it (profileLabel). */
  profile: string;
}

/** A group's part of the report, and whether the pass changed its trajectory. */
export interface DedupeDiffPart {
  text: string;
  changed: boolean;
}

/** The task as a function of a group; `convert` without its `dedupe`, which the task sets both ways. */
export function dedupeDiffTaskRunner(task: DedupeDiffTask, convert: Omit<ConvertOptions, 'dedupe'>): GroupTask<ExportedTrajectory> {
  const styles = stylesOfLevel(task.colorLevel);
  return (events, sessionId) => {
    const withPass = convertGroup(events, sessionId, { ...convert, dedupe: true }, true);
    const d = dedupeDiff(withPass, convertGroup(events, sessionId, { ...convert, dedupe: false }, true));
    const part: DedupeDiffPart = { changed: changedBy(d), text: task.json ? canonicalJson(d as unknown as Json) : renderDedupeDiffTrajectory(d, task.profile, styles) };
    return attachedResult(withPass, part);
  };
}

/** The part a result carries. */
export function dedupeDiffPartOf(summary: { attached?: unknown }): DedupeDiffPart {
  return summary.attached as DedupeDiffPart;
}
