import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareInputOrder, comparePaths, InputError, resolveInputs, type InputEnv } from '../src/ingest/inputs.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ingest');
const env: InputEnv = { stdinIsTTY: true, cwd: FIXTURES };

async function namesOf(args: string[], e: InputEnv = env): Promise<string[]> {
  return (await resolveInputs(args, e)).map((s) => s.name);
}

async function rejectsWith(promise: Promise<unknown>, kind: InputError['kind'], path: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.equal(error.kind, kind);
    assert.equal(error.path, path);
    return true;
  });
}

describe('resolveInputs: directories', () => {
  it('walks recursively, keeps only input file names, and sorts by path segment', async () => {
    assert.deepEqual(await namesOf(['tree']), [
      'tree/a-b/d.ndjson',
      'tree/a.jsonl',
      'tree/b.ndjson',
      'tree/sub/deeper/e.har',
    ]);
  });

  it('takes an explicit file whatever its name', async () => {
    assert.deepEqual(await namesOf(['tree/sub/notes.txt']), ['tree/sub/notes.txt']);
  });

  it('keeps argument order and reads a file reached twice only once, at its first position', async () => {
    assert.deepEqual(await namesOf(['tree/b.ndjson', 'tree', 'tree/a.jsonl']), [
      'tree/b.ndjson',
      'tree/a-b/d.ndjson',
      'tree/a.jsonl',
      'tree/sub/deeper/e.har',
    ]);
  });

  it('tells of the files it passes over (not input names; hidden files are not told), sorted', async () => {
    const passed: string[] = [];
    await resolveInputs(['tree'], { ...env, passedOver: (name) => passed.push(name) });
    assert.deepEqual(passed, ['tree/sub/notes.txt']);
  });

  it('tells of no file it read: one a glob matched by itself, one another argument names, one walked twice is told once', async () => {
    const passed: string[] = [];
    const telling = { ...env, passedOver: (name: string) => passed.push(name) };
    assert.deepEqual(await namesOf(['tree/sub/*'], telling), ['tree/sub/deeper/e.har', 'tree/sub/notes.txt']);
    assert.deepEqual(await namesOf(['tree', 'tree/sub/notes.txt'], telling), ['tree/a-b/d.ndjson', 'tree/a.jsonl', 'tree/b.ndjson', 'tree/sub/deeper/e.har', 'tree/sub/notes.txt']);
    assert.deepEqual(passed, []);
    await namesOf(['tree', 'tree/sub'], telling);
    assert.deepEqual(passed, ['tree/sub/notes.txt']);
  });

  it('opens files relative to cwd', async () => {
    const [source] = await resolveInputs(['tree/b.ndjson'], env);
    const chunks: Buffer[] = [];
    for await (const chunk of source.open()) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString('utf8'), '{"file":"b"}\n');
  });
});

describe('resolveInputs: temporary trees', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-atif-inputs-'));
    await mkdir(join(dir, 'logs', 'day1'), { recursive: true });
    await mkdir(join(dir, 'empty', 'nested'), { recursive: true });
    await writeFile(join(dir, 'logs', 'day1', 'x.ndjson.gz'), '');
    await writeFile(join(dir, 'logs', 'y.JSONL'), '');
    await writeFile(join(dir, 'logs', 'z.har.gz'), '');
    await writeFile(join(dir, 'logs', 'w.txt.gz'), '');
    await writeFile(join(dir, 'logs', 'v.zhar'), '');
    await writeFile(join(dir, 'logs', 'u.ndjson.zst'), '');
    await writeFile(join(dir, 'empty', 'nested', 'readme.md'), '');
    await mkdir(join(dir, 'logs', '.git'), { recursive: true });
    await writeFile(join(dir, 'logs', '.git', 'HEAD'), ''); // under a hidden directory: never said to be passed over
    await writeFile(join(dir, 'run[1].ndjson'), '');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it("includes .gz and .zst variants and mitmproxy's zlib .zhar, and matches extensions case-insensitively", async () => {
    const passed: string[] = [];
    assert.deepEqual(await namesOf(['logs'], { ...env, cwd: dir, passedOver: (name) => passed.push(name) }), ['logs/day1/x.ndjson.gz', 'logs/u.ndjson.zst', 'logs/v.zhar', 'logs/y.JSONL', 'logs/z.har.gz']);
    assert.deepEqual(passed, ['logs/w.txt.gz'], 'nothing under logs/.git');
  });

  it('reads a log and its rotated copies (logrotate names) oldest first, in a walk and in a glob: not by path, which puts the live log first and .10 before .2', async () => {
    const rotated = join(dir, 'rotated');
    await mkdir(rotated);
    for (const name of ['events.ndjson', 'events.ndjson.1', 'events.ndjson.2.gz', 'events.ndjson.10.zst', 'events.ndjson-notes.ndjson', 'zz.ndjson', 'events.ndjson.old']) await writeFile(join(rotated, name), '');
    const passed: string[] = [];
    const oldestFirst = ['rotated/events.ndjson.10.zst', 'rotated/events.ndjson.2.gz', 'rotated/events.ndjson.1', 'rotated/events.ndjson', 'rotated/events.ndjson-notes.ndjson', 'rotated/zz.ndjson'];
    assert.deepEqual(await namesOf(['rotated'], { ...env, cwd: dir, passedOver: (name) => passed.push(name) }), oldestFirst);
    assert.deepEqual(passed, ['rotated/events.ndjson.old']);
    // A glob takes every file it matches, whatever its name: events.ndjson.old too, in path order.
    assert.deepEqual(await namesOf(['rotated/events.ndjson*'], { ...env, cwd: dir }), [...oldestFirst.slice(0, 5), 'rotated/events.ndjson.old']);
  });

  it('compareInputOrder is path order but for rotated copies of one log, and a total order', () => {
    const names = ['b.ndjson', 'a/x.jsonl.3', 'a/x.jsonl', 'a/x.jsonl.12.gz', 'a-b/x.ndjson', 'a/x.jsonl.3.gz', 'a.ndjson.1'];
    const sorted = [...names].sort(compareInputOrder);
    assert.deepEqual(sorted, ['a/x.jsonl.12.gz', 'a/x.jsonl.3', 'a/x.jsonl.3.gz', 'a/x.jsonl', 'a-b/x.ndjson', 'a.ndjson.1', 'b.ndjson']);
    for (const x of names) for (const y of names) assert.equal(Math.sign(compareInputOrder(x, y)) + Math.sign(compareInputOrder(y, x)), 0, `${x} ${y}`);
  });

  it('throws not-found for a directory holding no inputs, naming the files it holds', async () => {
    await rejectsWith(resolveInputs(['empty'], { ...env, cwd: dir }), 'not-found', 'empty');
    await assert.rejects(resolveInputs(['empty'], { ...env, cwd: dir }), /under empty; it holds empty\/nested\/readme\.md, read only when named as inputs$/);
  });

  it('reads a file whose name is not UTF-8, found in a directory or by a glob, shown with its bytes escaped', async () => {
    const odd = await mkdtemp(join(tmpdir(), 'relay-atif-latin1-'));
    try {
      await mkdir(join(odd, 'd'));
      // "café.ndjson" in Latin-1: decoded as UTF-8 it named no file, and the run stopped (exit 3).
      const raw = Buffer.concat([Buffer.from(join(odd, 'd') + '/'), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from('.ndjson')]);
      await writeFile(raw, '{"n":1}\n');
      for (const arg of ['d', 'd/*']) {
        const [source, ...rest] = await resolveInputs([arg], { ...env, cwd: odd });
        assert.equal(rest.length, 0);
        assert.equal(source.name, 'd/caf\\xe9.ndjson');
        const chunks: Buffer[] = [];
        for await (const chunk of source.open()) chunks.push(chunk as Buffer);
        assert.equal(Buffer.concat(chunks).toString('utf8'), '{"n":1}\n');
      }
    } finally {
      await rm(odd, { recursive: true, force: true });
    }
  });

  it('reads an existing file whose name looks like a glob as that file', async () => {
    assert.deepEqual(await namesOf(['run[1].ndjson'], { ...env, cwd: dir }), ['run[1].ndjson']);
  });

  it('names matches of an absolute glob absolutely', async () => {
    assert.deepEqual(await namesOf([join(dir, 'logs', '*.gz')], env), [join(dir, 'logs', 'w.txt.gz'), join(dir, 'logs', 'z.har.gz')]);
  });
});

describe('resolveInputs: symlinks and links', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-atif-links-'));
    await mkdir(join(dir, 'logs'), { recursive: true });
    await mkdir(join(dir, 'real'), { recursive: true });
    await writeFile(join(dir, 'logs', '2026-05-30.ndjson'), '{"n":1}\n');
    await symlink('2026-05-30.ndjson', join(dir, 'logs', 'latest.ndjson')); // a link beside the log it names
    await link(join(dir, 'logs', '2026-05-30.ndjson'), join(dir, 'logs', 'hard.ndjson'));
    await writeFile(join(dir, 'real', 'c.ndjson'), '{"n":2}\n');
    await symlink('../real', join(dir, 'logs', 'linked')); // a linked directory
    await symlink('..', join(dir, 'logs', 'up')); // a link back up the tree
    await symlink('../real', join(dir, 'logs', 'twice'));
    await symlink('gone.ndjson', join(dir, 'logs', 'dangling.ndjson'));
    await symlink('self.ndjson', join(dir, 'logs', 'self.ndjson')); // a loop of links
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('reads a file reached through a symlink, a hard link or a linked directory once, at its first path', async () => {
    assert.deepEqual(await namesOf(['logs'], { ...env, cwd: dir }), ['logs/2026-05-30.ndjson', 'logs/linked/c.ndjson']);
    assert.deepEqual(await namesOf(['real/c.ndjson', 'logs', 'logs/latest.ndjson'], { ...env, cwd: dir }), ['real/c.ndjson', 'logs/2026-05-30.ndjson']);
  });

  it('walks linked directories as a glob does; links to nothing (dangling, looping) hold no input', async () => {
    const walked = await namesOf(['logs'], { ...env, cwd: dir });
    const globbed = await namesOf(['logs/**/*.ndjson'], { ...env, cwd: dir });
    assert.deepEqual(walked, globbed);
    // A directory reached by several paths is walked under the first in path order: from `up` (..),
    // `logs` comes before `real`, and in it `linked` before `twice` and `up` (the loop back, not walked again).
    assert.deepEqual(await namesOf(['logs/up'], { ...env, cwd: dir }), ['logs/up/logs/2026-05-30.ndjson', 'logs/up/logs/linked/c.ndjson']);
  });
});

describe('resolveInputs: globs', () => {
  it('expands a quoted pattern, sorted', async () => {
    assert.deepEqual(await namesOf(['tree/**/*.ndjson']), ['tree/a-b/d.ndjson', 'tree/b.ndjson']);
  });

  it('takes every file a glob names, and walks directories it matches', async () => {
    assert.deepEqual(await namesOf(['tree/sub/*']), ['tree/sub/deeper/e.har', 'tree/sub/notes.txt']);
  });

  it('throws not-found for a glob with no match', async () => {
    await rejectsWith(resolveInputs(['tree/**/*.nothing'], env), 'not-found', 'tree/**/*.nothing');
  });
});

describe('resolveInputs: stdin and missing paths', () => {
  const stdin = Readable.from([Buffer.from('{}\n')]);

  it('maps - to the given stdin stream, once', async () => {
    const sources = await resolveInputs(['-', 'tree/b.ndjson', '-'], { ...env, stdin });
    assert.deepEqual(sources.map((s) => s.name), ['-', 'tree/b.ndjson']);
    assert.equal(sources[0].open(), stdin);
  });

  it('reads stdin when there are no arguments and stdin is not a terminal', async () => {
    const sources = await resolveInputs([], { ...env, stdinIsTTY: false, stdin });
    assert.deepEqual(sources.map((s) => s.name), ['-']);
  });

  it('throws no-input when there are no arguments and stdin is a terminal', async () => {
    await rejectsWith(resolveInputs([], env), 'no-input', '-');
  });

  it('throws not-found naming a missing path', async () => {
    await rejectsWith(resolveInputs(['tree', 'nope/missing.ndjson'], env), 'not-found', 'nope/missing.ndjson');
  });
});

describe('comparePaths', () => {
  it('orders segment by segment by code unit', () => {
    const sorted = ['b', 'a-b/x', 'a/y', 'a/x/z', 'B', 'a/x'].sort(comparePaths);
    assert.deepEqual(sorted, ['B', 'a/x', 'a/x/z', 'a/y', 'a-b/x', 'b']);
  });
});
