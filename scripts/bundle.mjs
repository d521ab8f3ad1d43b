// Second step of `npm run build` (after tsc has checked the sources and written dist/): the CLI and
// its export worker, each with everything it imports (our modules, zod, commander, …), in one file.
//
// Why: loading ~150 separate modules (resolving, reading and compiling each) took about 0.2 s of
// every run and of every worker thread; one file takes about 0.1 s, and calls between what were
// modules become plain calls. Measured on 2 cores (npm run bench inputs): a 10 MB stream converts in
// 0.84 s instead of 1.01 s, the 100 MB stream in 3.9 s instead of 4.1 s.
//
// The bundles sit in dist/bundle/, two levels below the package root like dist/cli/*.js, so that
// the paths the code finds from its own location still hold: package.json (version.ts) and the
// worker next to the module that names it (cli/worker-entry.ts names ./worker.js).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  { from: 'dist/cli/main.js', to: 'dist/bundle/relay-atif.js' },
  { from: 'dist/cli/worker.js', to: 'dist/bundle/worker.js' },
];

for (const { from, to } of entries) {
  await build({
    entryPoints: [join(root, from)],
    outfile: join(root, to),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // commander and other CommonJS packages call require() for node's built-ins, which an ES module
    // does not have: the bundle gets one of its own.
    banner: { js: "import { createRequire as __relayAtifRequire } from 'node:module';\nconst require = __relayAtifRequire(import.meta.url);" },
    // A stack trace (an internal error) names bundle lines; the map leads back to the sources
    // (node --enable-source-maps).
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
