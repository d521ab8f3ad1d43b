import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit } from '../pipeline/parallel/protocol.js';
import { keepsLineText } from '../pipeline/convert.js';
import { convertOptionsOf, serveGroups } from '../pipeline/parallel/serve-groups.js';
import { groupTaskOf } from './worker-tasks.js';

/** A `--jobs` worker: serves the groups routed to it with the task its command described (worker-tasks.ts). */
const init = workerData as WorkerInit;
serveGroups(parentPort!, groupTaskOf(init), keepsLineText(convertOptionsOf(init)));
