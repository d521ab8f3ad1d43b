import { fstatSync, writeSync } from 'node:fs';
import type { CliIO } from './io.js';

/**
 * stdout for a run whose stdout is a regular file (`convert … > out.ndjson`), or undefined otherwise.
 * Node writes such a stdout with one `writeSync` per chunk and takes the chunk as written whatever
 * the call returned: on a disk with a few kilobytes left a write takes what fits, the rest is dropped,
 * and a run whose last write was cut short ended with exit 0 and a cut-off file. This one writes on
 * until every byte is, and hands a failure (the disk is full: ENOSPC; a file-size limit: EFBIG) to
 * `failed`, as process.stdout's 'error' event does.
 */
export function fileStdout(fd: number, failed: (err: NodeJS.ErrnoException) => void): CliIO['stdout'] | undefined {
  try {
    if (!fstatSync(fd).isFile()) return undefined;
  } catch {
    return undefined; // no stdout at all: process.stdout says so when written
  }
  return {
    write(chunk: string | Uint8Array): boolean {
      try {
        writeWhole(fd, chunk);
      } catch (err) {
        failed(err as NodeJS.ErrnoException);
      }
      return true;
    },
  };
}

function writeWhole(fd: number, chunk: string | Uint8Array): void {
  const first = typeof chunk === 'string' ? writeSync(fd, chunk) : writeSync(fd, chunk);
  const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
  if (first === bytes) return;
  // Rare: the chunk as bytes (a string's UTF-8), written on from where the short write stopped.
  const all = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  for (let done = first; done < bytes; ) {
    const n = writeSync(fd, all, done, bytes - done);
    if (n === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    done += n;
  }
}
