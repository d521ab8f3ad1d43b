import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The README is the package's front page on npm and in `node_modules`: a relative link in it (or in a
 * page it links to that ships too) must name a file the package carries, else an installed copy points
 * at nothing. What ships is package.json's `files` list (plus package.json itself).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES: string[] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files;

function ships(path: string): boolean {
  const rel = relative(ROOT, path).split('\\').join('/');
  return rel === 'package.json' || FILES.some((f) => (f.endsWith('/') ? rel.startsWith(f) : rel === f));
}

/** Relative link targets of a Markdown page, resolved against its folder (anchors and web links left out). */
function relativeLinks(page: string): string[] {
  const text = readFileSync(page, 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1].split('#')[0])
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target))
    .map((target) => normalize(join(dirname(page), target)));
}

test('every relative link of the shipped Markdown pages names a file the package ships', () => {
  const seen = new Set<string>();
  const pages = [join(ROOT, 'README.md')];
  const broken: string[] = [];
  while (pages.length > 0) {
    const page = pages.pop()!;
    if (seen.has(page)) continue;
    seen.add(page);
    for (const target of relativeLinks(page)) {
      if (!existsSync(target) || !ships(target)) broken.push(`${relative(ROOT, page)} → ${relative(ROOT, target)}`);
      else if (target.endsWith('.md')) pages.push(target);
    }
  }
  assert.deepEqual(broken, []);
  // The README links to the performance history: the walk above went through it.
  assert.ok(seen.has(join(ROOT, 'docs', 'performance.md')));
});
