import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit } from '../pipeline/parallel/protocol.js';
import { serveGroups } from '../pipeline/parallel/serve-groups.js';
import { groupTaskOf } from './worker-tasks.js';

/** A `--jobs` worker: serves the groups routed to it with the task its command described (worker-tasks.ts). */
serveGroups(parentPort!, groupTaskOf(workerData as WorkerInit));
