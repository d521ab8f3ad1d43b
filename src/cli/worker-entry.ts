import type { WorkerEntry } from '../pipeline/parallel/protocol.js';

/**
 * The worker script of `--jobs`, next to this module: dist/cli/worker.js in the module tree,
 * dist/bundle/worker.js beside the CLI bundle (scripts/bundle.mjs puts it there), or — running from
 * the sources — the TypeScript one. (The path, not the URL, is looked at: a loader may add a query.)
 */
export const WORKER_ENTRY: WorkerEntry = new URL(import.meta.url).pathname.endsWith('.ts')
  ? { url: new URL('./worker.ts', import.meta.url), typescript: true }
  : { url: new URL('./worker.js', import.meta.url), typescript: false };
