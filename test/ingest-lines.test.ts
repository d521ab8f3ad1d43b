import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { FILE_READ_BYTES, InputError, openFile, type InputSource } from '../src/ingest/inputs.js';
import { MAX_LINE_BYTES, readLines, type Line, type ReadLinesOptions } from '../src/ingest/lines.js';
import { zstdFrame } from './support/zstd.js';

/** A source delivering exactly the given chunks, so tests control where chunk boundaries fall. */
function chunked(name: string, ...chunks: (string | Buffer | number[])[]): InputSource {
  const buffers = chunks.map((c) => (Buffer.isBuffer(c) ? c : typeof c === 'string' ? Buffer.from(c) : Buffer.from(c)));
  return { name, open: () => Readable.from(buffers) };
}

/** Writes `first\nsec` into the pipe argv[1], then `ond\n` once the file argv[2] exists (or a give-away after 5 s). */
const PIPE_WRITER = `
const fs = require('node:fs');
const [fifo, go] = process.argv.slice(1);
const fd = fs.openSync(fifo, 'w');
fs.writeSync(fd, 'first\\nsec');
const until = Date.now() + 5000;
const wait = () => {
  const asked = fs.existsSync(go);
  if (!asked && Date.now() < until) return void setTimeout(wait, 10);
  fs.writeSync(fd, asked ? 'ond\\n' : 'ond, written unasked: the reader waited for the end\\n');
  fs.closeSync(fd);
};
wait();
`;

/** A file as the CLI opens it (small ones read at once, others streamed). */
function fileSource(path: string, name = path): InputSource {
  return { name, open: () => openFile(path) };
}

async function collect(source: InputSource, options?: ReadLinesOptions): Promise<Line[]> {
  const lines: Line[] = [];
  for await (const line of readLines(source, options)) lines.push(line);
  return lines;
}

async function texts(source: InputSource, options?: ReadLinesOptions): Promise<string[]> {
  return (await collect(source, options)).map((l) => ('text' in l ? l.text : `<${l.error}:${l.bytes}>`));
}

async function rejectsUnreadable(source: InputSource): Promise<void> {
  await assert.rejects(collect(source), (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.equal(error.kind, 'unreadable');
    assert.equal(error.path, source.name);
    assert.match(error.message, new RegExp(source.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    return true;
  });
}

describe('readLines: splitting', () => {
  it('numbers lines from 1 with the file name', async () => {
    assert.deepEqual(await collect(chunked('f', 'a\nb\n')), [
      { file: 'f', line: 1, text: 'a' },
      { file: 'f', line: 2, text: 'b' },
    ]);
  });

  it('handles CRLF, blank lines and a final line without newline', async () => {
    assert.deepEqual(await texts(chunked('f', 'a\r\n\r\n\nlast')), ['a', '', '', 'last']);
  });

  it('yields nothing for an empty stream and one blank line for a lone newline', async () => {
    assert.deepEqual(await texts(chunked('f')), []);
    assert.deepEqual(await texts(chunked('f', '\n')), ['']);
  });

  it('joins lines, CRLF pairs and multi-byte characters split across chunks', async () => {
    const bytes = Buffer.from('{"k":"é€😀"}\r\nnext\r\n');
    const oneByteChunks = [...bytes].map((b) => [b]);
    assert.deepEqual(await texts(chunked('f', ...oneByteChunks)), ['{"k":"é€😀"}', 'next']);
  });

  it('drops a UTF-8 BOM at the start of the file only', async () => {
    const bom = [0xef, 0xbb, 0xbf];
    assert.deepEqual(await texts(chunked('f', bom, '{}\n', bom, '{}\n')), ['{}', '\ufeff{}']);
  });

  it('reports invalid UTF-8 as an error line instead of replacing it, and goes on', async () => {
    const lines = await collect(chunked('f', 'ok\n', [0x7b, 0xff, 0xfe, 0x7d], '\r\nafter\n'));
    assert.deepEqual(lines, [
      { file: 'f', line: 1, text: 'ok' },
      { file: 'f', line: 2, error: 'invalid-utf8', bytes: 4 },
      { file: 'f', line: 3, text: 'after' },
    ]);
  });

  it('yields a line before the stream ends (streaming, not whole-file)', async () => {
    const stream = new PassThrough();
    const lines = readLines({ name: 'live', open: () => stream });
    stream.write('first\nsecond');
    assert.deepEqual((await lines.next()).value, { file: 'live', line: 1, text: 'first' });
    stream.end('\n');
    assert.deepEqual((await lines.next()).value, { file: 'live', line: 2, text: 'second' });
    assert.equal((await lines.next()).done, true);
  });
});

describe('readLines: line length limit', () => {
  const small = { maxLineBytes: 8 };

  it('documents a 64 MiB default', () => {
    assert.equal(MAX_LINE_BYTES, 64 * 1024 * 1024);
  });

  it('keeps a line of exactly the limit with either line ending', async () => {
    assert.deepEqual(await texts(chunked('f', '12345678\n12345678\r\n'), small), ['12345678', '12345678']);
  });

  it('reports a longer line with its size and skips the rest of it across chunks', async () => {
    const lines = await collect(chunked('f', 'ok\n1234567', '89abcdef', 'ghij\r', '\nafter\n'), small);
    assert.deepEqual(lines, [
      { file: 'f', line: 1, text: 'ok' },
      { file: 'f', line: 2, error: 'too-long', bytes: 19 },
      { file: 'f', line: 3, text: 'after' },
    ]);
  });

  it('reports a too-long final line without newline', async () => {
    assert.deepEqual(await texts(chunked('f', 'a\n', '123456789'), small), ['a', '<too-long:9>']);
  });
});

describe('readLines: gzip and files', () => {
  let dir = '';
  const content = '{"n":1}\r\n\n{"n":2}';
  const gz = gzipSync(content);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-atif-lines-'));
    await writeFile(join(dir, 'plain.ndjson'), content);
    await writeFile(join(dir, 'named.ndjson.gz'), gz);
    await writeFile(join(dir, 'disguised.ndjson'), gz);
    await writeFile(join(dir, 'corrupt.ndjson.gz'), Buffer.concat([gz.subarray(0, 10), Buffer.alloc(20, 0x55)]));
    await writeFile(join(dir, 'truncated.ndjson.gz'), gz.subarray(0, gz.length - 6));
    await writeFile(join(dir, 'locked.ndjson'), content);
    await chmod(join(dir, 'locked.ndjson'), 0o000);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const expected = ['{"n":1}', '', '{"n":2}'];

  it('reads a plain file', async () => {
    assert.deepEqual(await texts(fileSource(join(dir, 'plain.ndjson'))), expected);
  });

  it('gunzips a .gz file', async () => {
    assert.deepEqual(await texts(fileSource(join(dir, 'named.ndjson.gz'))), expected);
  });

  it('gunzips by magic bytes whatever the name', async () => {
    assert.deepEqual(await texts(fileSource(join(dir, 'disguised.ndjson'))), expected);
  });

  it('gunzips a stream whose magic number arrives one byte at a time (stdin)', async () => {
    const byteByByte = [...gz].map((b) => [b]);
    assert.deepEqual(await texts(chunked('-', ...byteByByte)), expected);
  });

  it('gunzips concatenated gzip members as one stream', async () => {
    assert.deepEqual(await texts(chunked('-', gzipSync('a\nb'), gzipSync('c\n'))), ['a', 'bc']);
  });

  it('throws unreadable for corrupt gzip', async () => {
    await rejectsUnreadable(fileSource(join(dir, 'corrupt.ndjson.gz')));
  });

  it('throws unreadable for truncated gzip', async () => {
    await rejectsUnreadable(fileSource(join(dir, 'truncated.ndjson.gz')));
  });

  it('inflates zlib by its magic bytes, as mitmproxy writes a .zhar (level 9), read at once or streamed', async () => {
    for (const level of [1, 6, 9]) {
      const zlib = deflateSync(content, { level });
      const path = join(dir, `level-${level}.zhar`);
      await writeFile(path, zlib);
      assert.deepEqual(await texts(fileSource(path)), expected, `level ${level} from a file`);
      assert.deepEqual(await texts(chunked('-', ...[...zlib].map((b) => [b]))), expected, `level ${level} byte by byte`);
    }
  });

  it('names a corrupt or truncated zlib stream as such', async () => {
    const zlib = deflateSync(content, { level: 9 });
    for (const [name, bytes] of [['corrupt.zhar', Buffer.concat([zlib.subarray(0, 2), Buffer.alloc(20, 0xff)])], ['truncated.zhar', zlib.subarray(0, zlib.length - 6)]] as const) {
      await writeFile(join(dir, name), bytes);
      await assert.rejects(collect(fileSource(join(dir, name), name)), new RegExp(`^InputError: ${name.replace('.', '\\.')}: corrupt or truncated zlib data: `));
    }
  });

  it('decodes zstd by its magic bytes, as logrotate or `zstd` writes a .zst: from a file, byte by byte, and across frames and blocks', async () => {
    const path = join(dir, 'events.ndjson.zst');
    await writeFile(path, zstdFrame(content));
    assert.deepEqual(await texts(fileSource(path)), expected, 'from a file');
    assert.deepEqual(await texts(chunked('-', ...[...zstdFrame(content)].map((b) => [b]))), expected, 'byte by byte (stdin)');
    assert.deepEqual(await texts(chunked('-', Buffer.concat([zstdFrame('a\nb'), zstdFrame('c\n')]))), ['a', 'bc'], 'two frames, one text');
    const long = Array.from({ length: 20_000 }, (_, i) => `{"n":${i}}`).join('\n');
    assert.deepEqual(await texts(chunked('-', zstdFrame(long))), long.split('\n'), 'several blocks');
  });

  it('names a truncated zstd stream as such, after the lines decoded before the cut', async () => {
    const whole = zstdFrame(Array.from({ length: 20_000 }, (_, i) => `{"n":${i}}`).join('\n'));
    const path = join(dir, 'cut.ndjson.zst');
    await writeFile(path, whole.subarray(0, whole.length - 10));
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const line of readLines(fileSource(path, 'cut.ndjson.zst'))) if ('text' in line) seen.push(line.text);
      })(),
      /^InputError: cut\.ndjson\.zst: corrupt or truncated zstd data: /,
    );
    assert.equal(seen[0], '{"n":0}', 'the blocks before the cut are read');
  });

  it('reads text beginning with "x" as text: only a zlib header of a level written to files is taken', async () => {
    // "x^" is a valid zlib header (levels 2-5) but printable: such a line stays a line.
    assert.deepEqual(await texts(chunked('f', 'x^y\n', 'xx\n')), ['x^y', 'xx']);
  });

  it('throws unreadable for a directory or a vanished file', async () => {
    await rejectsUnreadable(fileSource(dir, 'a-directory'));
    await rejectsUnreadable(fileSource(join(dir, 'gone.ndjson')));
  });

  it('throws unreadable for any read error of the stream, such as EACCES', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const failing = new Readable({ read() { this.destroy(denied); } });
    await rejectsUnreadable({ name: 'denied.ndjson', open: () => failing });
  });

  const isRoot = process.getuid?.() === 0;
  it('throws unreadable for a file without read permission', { skip: isRoot && 'root reads any file' }, async () => {
    await rejectsUnreadable(fileSource(join(dir, 'locked.ndjson')));
  });

  it('yields nothing for an empty file', async () => {
    await writeFile(join(dir, 'empty.ndjson'), '');
    assert.deepEqual(await texts(fileSource(join(dir, 'empty.ndjson'))), []);
  });

  it('gives the same lines whether a file is read at once or streamed in reads', async () => {
    // Lines of 100 bytes (with their newline), so that files just under and over one read both end mid-line.
    const lineOf = (i: number) => `{"n":${String(i).padStart(8, '0')},"pad":"${'x'.repeat(78)}"}`;
    for (const size of [FILE_READ_BYTES - 1, FILE_READ_BYTES, 2 * FILE_READ_BYTES + 50]) {
      const count = Math.ceil(size / 100);
      const text = Array.from({ length: count }, (_, i) => lineOf(i)).join('\n').slice(0, size);
      const path = join(dir, `size-${size}.ndjson`);
      await writeFile(path, text);
      assert.deepEqual(await texts(fileSource(path)), text.split('\n'), `a file of ${size} bytes`);
    }
  });

  it('reads a small gzip file at once and a large one streamed to the same lines', async () => {
    const text = Array.from({ length: 30_000 }, (_, i) => `{"n":${i}}`).join('\n');
    const small = join(dir, 'small.ndjson.gz');
    const large = join(dir, 'large.ndjson.gz');
    await writeFile(small, gzipSync(text));
    await writeFile(large, Buffer.concat([gzipSync(text), gzipSync(Buffer.alloc(FILE_READ_BYTES, '\n'), { level: 0 })]));
    const fromSmall = await texts(fileSource(small));
    assert.deepEqual(fromSmall, text.split('\n'));
    assert.deepEqual((await texts(fileSource(large))).slice(0, 30_000), fromSmall);
  });

  it('reads a small file of several gzip members as one text, as the stream does', async () => {
    const path = join(dir, 'members.ndjson.gz');
    await writeFile(path, Buffer.concat([gzipSync('a\nb'), gzipSync('c\n')]));
    assert.deepEqual(await texts(fileSource(path)), ['a', 'bc']);
  });

  it('yields the lines before the damage of a small truncated gzip file, then fails, as the stream does', async () => {
    const text = Array.from({ length: 5_000 }, (_, i) => `{"n":${i},"pad":"${'y'.repeat(40)}"}`).join('\n');
    const whole = gzipSync(text);
    const cut = whole.subarray(0, whole.length >> 1);
    const path = join(dir, 'cut.ndjson.gz');
    await writeFile(path, cut);
    const before = async (source: InputSource) => {
      const got: string[] = [];
      await assert.rejects(async () => {
        for await (const line of readLines(source)) got.push('text' in line ? line.text : '');
      }, InputError);
      return got;
    };
    const fromFile = await before(fileSource(path));
    assert.ok(fromFile.length > 100, `lines before the damage: ${fromFile.length}`);
    assert.deepEqual(fromFile, await before(chunked('cut.ndjson.gz', cut)));
  });

  it('streams a small gzip file that inflates past what is inflated at once', async () => {
    const line = 'z'.repeat(999);
    const count = 17 * 1024; // 17 MiB of text from a few kilobytes
    const path = join(dir, 'bomb.ndjson.gz');
    await writeFile(path, gzipSync(Array.from({ length: count }, () => line).join('\n')));
    const lines = await texts(fileSource(path));
    assert.equal(lines.length, count);
    assert.ok(lines.every((l) => l === line));
  });

  // A named pipe (`convert <(zcat log.gz)`) has no size: it must be streamed as it is written, never
  // read at once (which would wait for the writer to finish, blocking the process meanwhile). The writer
  // is another process, which writes the rest of the second line only once the first line has been
  // read; after 5 s unasked, it writes something else, so a reader that waits fails rather than hangs.
  const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
  it('streams a named pipe as it is written', { skip: !hasMkfifo && 'no mkfifo here' }, async () => {
    const fifo = join(dir, 'live.fifo');
    const go = join(dir, 'live.go');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const writer = spawn(process.execPath, ['-e', PIPE_WRITER, fifo, go], { stdio: 'inherit' });
    const exited = new Promise((done) => writer.on('exit', done));
    const lines = readLines(fileSource(fifo));
    assert.deepEqual((await lines.next()).value, { file: fifo, line: 1, text: 'first' });
    await writeFile(go, '');
    assert.deepEqual((await lines.next()).value, { file: fifo, line: 2, text: 'second' });
    assert.equal((await lines.next()).done, true);
    assert.equal(await exited, 0);
  });
});

describe('readLines: chunking never changes the lines', () => {
  /** The specification, one line at a time over the whole input: split on LF, drop one CR before it, BOM only on line 1. */
  function reference(bytes: Buffer, max: number): string[] {
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      if (i === bytes.length && start === bytes.length) break;
      let line = bytes.subarray(start, i);
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      const content = out.length === 0 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf ? line.subarray(3) : line;
      if (line.length > max) out.push(`<too-long:${line.length}>`);
      else if (!isUtf8(content)) out.push(`<invalid-utf8:${line.length}>`);
      else out.push(content.toString('utf8'));
      start = i + 1;
    }
    return out;
  }

  it('matches the one-line-at-a-time reference for random bytes and random chunk boundaries', async () => {
    const alphabet = [0x0a, 0x0d, 0x61, 0x7b, 0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0xff, 0xe2, 0x82, 0xac];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 10 }),
        fc.integer({ min: 1, max: 12 }),
        async (bytes, cuts, max) => {
          const input = Buffer.from(bytes);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const c of cuts) {
            if (at >= input.length) break;
            chunks.push(input.subarray(at, at + c));
            at += c;
          }
          if (at < input.length) chunks.push(input.subarray(at));
          assert.deepEqual(await texts(chunked('p', ...chunks), { maxLineBytes: max }), reference(input, max));
        },
      ),
      { numRuns: 500 },
    );
  });
});
