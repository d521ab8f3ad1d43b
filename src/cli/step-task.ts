import { formatOfLevel, stepPart, type StepPart } from '../explain/report.js';
import { convertGroup, type ConvertOptions, type GroupTask } from '../pipeline/convert.js';
import { attachedResult, type ExportedTrajectory } from '../pipeline/exported.js';

/**
 * `explain --step`'s task, in this thread or on `--jobs` workers: each group converted, and its share
 * of the lookup made (its trajectory ids, the step printed where it may be the answer) in the main
 * thread's styles.
 */
export interface StepTask {
  kind: 'step';
  stepId: number;
  /** The trajectory asked for (--trajectory). */
  only?: string;
  json: boolean;
  /** The chalk level of the main thread's styles (0: no colours). */
  colorLevel: number;
}

/** The task as a function of a group (the step report names the events behind the step). */
export function stepTaskRunner(task: StepTask, convert: ConvertOptions): GroupTask<ExportedTrajectory> {
  const format = formatOfLevel(task.json, task.colorLevel);
  return (events, sessionId) => {
    const c = convertGroup(events, sessionId, convert, true);
    return attachedResult(c, stepPart(c, events, task.stepId, task.only, format));
  };
}

/** The share a result carries. */
export function stepPartOf(summary: { attached?: unknown }): StepPart {
  return summary.attached as StepPart;
}
