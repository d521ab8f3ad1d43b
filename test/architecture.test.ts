import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layout is the architecture: data flows one way through the stage folders of `src/`, and a
 * module imports only from its own folder or from a folder below it. A new folder must be placed here.
 */
const LAYERS: Record<string, number> = {
  json: 0, // JSON values, exact numbers, canonical printing
  util: 0, // helpers over plain collections (grouping)
  profiles: 0, // behaviour profiles and their named fixes, read by every stage
  providers: 1, // OpenAI Chat / Responses and Anthropic payload shapes, SSE assembly
  ingest: 2, // lines, inputs, record detection, schemas, line accounting
  hooks: 3, // per-agent hook adapters → normalized events
  gateway: 4, // routes, session fallback chain, captures → LLM events (reads hooks' hint shapes)
  sessions: 5, // session/turn/subagent reconstruction → ATOF events
  dedupe: 6, // candidates and pair decisions
  atif: 7, // steps, tools, subagents, metrics, validation
  pipeline: 8, // grouping, conversion, worker threads
  explain: 9, // decisions rendered for people
  diff: 10,
  cli: 11, // commands, options, output, exit codes
};

/**
 * Known upward imports, each with why it is still there; the test fails when one disappears (take it
 * off the list) as well as when a new one appears. None today.
 */
const KNOWN_UPWARD: Record<string, string> = {};

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative module a file imports or re-exports (type-only imports included: they couple too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)];
  return specifiers.map((m) => m[1]).filter((s) => s.startsWith('.'));
}

const folderOf = (path: string) => relative(SRC, path).split('/')[0];

test('every import goes to the same stage folder or one below it (no upward imports)', () => {
  const found = new Set<string>();
  const violations: string[] = [];
  const files = sourceFiles(SRC);
  assert.ok(files.length > 50);
  for (const file of files) {
    const from = folderOf(file);
    assert.ok(from in LAYERS, `src/${from}/ is not placed in the layer table of this test`);
    for (const spec of importsOf(file)) {
      const to = folderOf(resolve(dirname(file), spec));
      if (to === from) continue;
      assert.ok(to in LAYERS, `${relative(SRC, file)} imports ${spec}, outside the stage folders`);
      if (LAYERS[to] < LAYERS[from]) continue;
      const key = `${relative(SRC, file)} -> ${to}`;
      if (key in KNOWN_UPWARD) found.add(key);
      else violations.push(`${key} (${spec})`);
    }
  }
  assert.deepEqual(violations, [], 'imports into a stage above (or beside) the importing one');
  assert.deepEqual([...found].sort(), Object.keys(KNOWN_UPWARD).sort(), 'a known upward import is gone: take it off KNOWN_UPWARD');
});
