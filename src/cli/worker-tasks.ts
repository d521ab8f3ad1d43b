import { afterConversion, type GroupTask } from '../pipeline/convert.js';
import { exportConverted, type ExportedTrajectory } from '../pipeline/exported.js';
import type { WorkerInit } from '../pipeline/parallel/protocol.js';
import { convertOptionsOf } from '../pipeline/parallel/serve-groups.js';
import { dedupeDiffTaskRunner, type DedupeDiffTask } from './dedupe-diff-task.js';
import { overviewTaskRunner, type OverviewTask } from './overview-task.js';
import { spanTaskRunner, type SpanTask } from './span-task.js';
import { stepTaskRunner, type StepTask } from './step-task.js';
import { requestTaskRunner, type RequestTask } from './request-task.js';

/** What a command other than `convert` asks of the `--jobs` workers for each group. */
export type WorkerTask = OverviewTask | SpanTask | StepTask | RequestTask | DedupeDiffTask;

/**
 * What a worker makes of each group routed to it: for `convert` (no task) its trajectory, printed;
 * for `explain` its overview part, its share of a `--span` or `--step` lookup, or what it did with its LLM
 * spans (`--request`); for `diff` its dedupe diff.
 */
export function groupTaskOf(init: WorkerInit): GroupTask<ExportedTrajectory> {
  const options = convertOptionsOf(init);
  const task = init.task as WorkerTask | undefined;
  switch (task?.kind) {
    case 'dedupe-diff':
      return dedupeDiffTaskRunner(task, options);
    case 'overview':
      return afterConversion(options, overviewTaskRunner(task));
    case 'span':
      return afterConversion(options, spanTaskRunner(task));
    case 'step':
      return stepTaskRunner(task, options);
    case 'request':
      return afterConversion(options, requestTaskRunner());
    case undefined:
      return afterConversion(options, (c) => exportConverted(c, init.format, init.validate));
  }
}
