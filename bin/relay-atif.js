#!/usr/bin/env node
// Entry point. Runs the compiled CLI from dist/ (built by `npm ci` through the `prepare` script);
// falls back to the TypeScript sources through tsx when dist/ is absent (a checkout before a build).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  await import('tsx/esm');
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
