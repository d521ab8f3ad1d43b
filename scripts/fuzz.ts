import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * `npm run fuzz [-- --cases N --seed S]`: the reliability fuzzer at full size (default 100,000 cases),
 * split over worker threads. Prints violations and exits 1 if there are any.
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const cases = arg('cases', 100_000);
const seed = arg('seed', Date.now() % 1_000_000);
  const jobs = Math.max(1, Math.min(arg('jobs', availableParallelism()), 8));
  const t0 = performance.now();
  const per = Math.ceil(cases / jobs);
  let done = 0;
  const results = await Promise.all(
    Array.from({ length: jobs }, (_, j) =>
      new Promise<string[]>((resolve, reject) => {
        const w = new Worker(new URL('./fuzz-worker.mjs', import.meta.url), { workerData: { seed, start: j * per, count: Math.min(per, cases - j * per) } });
        w.on('message', (m: { progress?: number; violations?: string[] }) => {
          if (m.progress !== undefined) {
            done += m.progress;
            process.stderr.write(`\r${done} / ${cases} cases`);
          } else resolve(m.violations ?? []);
        });
        w.on('error', reject);
      }),
    ),
  );
  const violations = results.flat();
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(`\n`);
  for (const v of violations.slice(0, 50)) process.stdout.write(`VIOLATION ${v}\n`);
  process.stdout.write(`fuzz: ${cases} cases, seed ${seed}, ${jobs} workers, ${seconds.toFixed(1)} s: ${violations.length} invariant violations\n`);
  process.exitCode = violations.length > 0 ? 1 : 0;
