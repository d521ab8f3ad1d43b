#!/usr/bin/env node
// Entry point. Runs the built CLI: the bundle in dist/bundle/ (one file: the quickest to load; see
// scripts/bundle.mjs), else the compiled modules in dist/ — both built by `npm ci` through the
// `prepare` script — else, in a checkout before its build, the TypeScript sources through tsx.
// First, unless node was given a heap limit or the inputs are small plain files, the CLI runs itself
// again with one that fits the machine (see src/cli/heap-limit.ts: V8's own is far below what a large
// trajectory needs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = existsSync(join(root, 'dist', 'cli', 'main.js'));
if (!compiled) await import('tsx/esm');
const module = (name) => pathToFileURL(join(root, compiled ? 'dist' : 'src', 'cli', `${name}.${compiled ? 'js' : 'ts'}`)).href;
const { wantedHeapMbHere, runWithHeapLimit } = await import(module('heap-limit'));
const heapMb = wantedHeapMbHere();
const bundle = join(root, 'dist', 'bundle', 'relay-atif.js');
if (heapMb !== undefined) runWithHeapLimit(fileURLToPath(import.meta.url), process.argv.slice(2), heapMb);
else await import(compiled && existsSync(bundle) ? pathToFileURL(bundle).href : module('main'));
