// Preloaded into measured processes: reports peak RSS at exit to the file named by RELAY_BENCH_RSS.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.RELAY_BENCH_RSS) writeFileSync(process.env.RELAY_BENCH_RSS, String(process.resourceUsage().maxRSS * 1024));
});
