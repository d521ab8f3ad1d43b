import { parentPort, workerData } from 'node:worker_threads';
import { afterConversion } from '../pipeline/convert.js';
import { exportConverted } from '../pipeline/exported.js';
import type { WorkerInit } from '../pipeline/parallel/protocol.js';
import { convertOptionsOf, serveGroups } from '../pipeline/parallel/serve-groups.js';
import { dedupeDiffTaskRunner, type DedupeDiffTask } from './dedupe-diff-task.js';
import { overviewTaskRunner, type OverviewTask } from './overview-task.js';

/**
 * A `--jobs` worker: takes the groups routed to it and sends back what the command wants of each:
 * for `convert` its trajectory, printed; for `explain` its overview part (OverviewTask); for `diff`
 * its dedupe diff (DedupeDiffTask).
 */
const init = workerData as WorkerInit;
const task = init.task as OverviewTask | DedupeDiffTask | undefined;
const options = convertOptionsOf(init);
serveGroups(
  parentPort!,
  task?.kind === 'dedupe-diff'
    ? dedupeDiffTaskRunner(task, options)
    : afterConversion(options, task?.kind === 'overview' ? overviewTaskRunner(task) : (c) => exportConverted(c, init.format, init.validate)),
);
