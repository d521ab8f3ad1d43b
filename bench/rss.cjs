// Preloaded into measured processes: at exit, writes peak RSS and CPU time (user + system, every
// thread of the process) as JSON to the file named by RELAY_BENCH_RSS.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (!process.env.RELAY_BENCH_RSS) return;
  const { user, system } = process.cpuUsage();
  writeFileSync(process.env.RELAY_BENCH_RSS, JSON.stringify({ rssBytes: process.resourceUsage().maxRSS * 1024, cpuSeconds: (user + system) / 1e6 }));
});
