import { parentPort, workerData } from 'node:worker_threads';
import { exportConverted } from '../pipeline/exported.js';
import type { WorkerInit } from '../pipeline/parallel/protocol.js';
import { serveGroups } from '../pipeline/parallel/serve-groups.js';
import { overviewTaskRunner, type OverviewTask } from './overview-task.js';

/**
 * A `--jobs` worker: converts the groups routed to it and sends back what the command wants of each
 * conversion: for `convert` its trajectory, printed; for `explain` its overview part (OverviewTask).
 */
const init = workerData as WorkerInit;
const task = init.task as OverviewTask | undefined;
serveGroups(parentPort!, init, task === undefined ? (c) => exportConverted(c, init.format, init.validate) : overviewTaskRunner(task));
