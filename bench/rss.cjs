// Preloaded into measured processes: at exit, writes peak RSS and CPU time (user + system, every
// thread of the process) as JSON to the file named by RELAY_BENCH_RSS. The CLI runs itself again with
// a larger heap limit (src/cli/heap-limit.ts), this file preloaded in both: the process started
// second ends first, and the first then finds its figures written since it started, and adds its own
// (the peak of the two, the sum of their CPU times).
const { readFileSync, statSync, writeFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.RELAY_BENCH_RSS;
  if (!file) return;
  const { user, system } = process.cpuUsage();
  const out = { rssBytes: process.resourceUsage().maxRSS * 1024, cpuSeconds: (user + system) / 1e6 };
  try {
    if (statSync(file).mtimeMs >= performance.timeOrigin) {
      const child = JSON.parse(readFileSync(file, 'utf8'));
      out.rssBytes = Math.max(out.rssBytes, child.rssBytes);
      out.cpuSeconds += child.cpuSeconds;
    }
  } catch {
    // no file yet, or one of an earlier run
  }
  writeFileSync(file, JSON.stringify(out));
});
