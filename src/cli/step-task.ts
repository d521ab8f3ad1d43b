import { stepPart, type StepPart } from '../explain/report.js';
import { convertGroup, type ConvertOptions, type GroupTask } from '../pipeline/convert.js';
import { attachedResult, type ExportedTrajectory } from '../pipeline/exported.js';

/**
 * `explain --step`'s task, in this thread or on `--jobs` workers: each group converted, and its share
 * of the lookup made (its trajectory ids, the step's report where it may be the answer).
 */
export interface StepTask {
  kind: 'step';
  stepId: number;
  /** The trajectory asked for (--trajectory). */
  only?: string;
}

/** The task as a function of a group (the step report names the events behind the step). */
export function stepTaskRunner(task: StepTask, convert: ConvertOptions): GroupTask<ExportedTrajectory> {
  return (events, sessionId) => {
    const c = convertGroup(events, sessionId, convert, true);
    return attachedResult(c, stepPart(c, events, task.stepId, task.only));
  };
}

/** The share a result carries. */
export function stepPartOf(summary: { attached?: unknown }): StepPart {
  return summary.attached as StepPart;
}
