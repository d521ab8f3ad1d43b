// Worker thread of scripts/fuzz.ts: runs one slice of cases (TypeScript loaded through tsx).
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { fuzz } = await tsImport('../test/support/fuzz.ts', import.meta.url);
const { seed, start, count } = workerData;
let last = 0;
const violations = await fuzz(seed, start, count, (n) => {
  parentPort.postMessage({ progress: n - last });
  last = n;
});
parentPort.postMessage({ progress: count - last });
parentPort.postMessage({ violations });
