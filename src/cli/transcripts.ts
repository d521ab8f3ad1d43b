import { closeSync, openSync, readSync } from 'node:fs';
import type { TranscriptReader } from '../sessions/index.js';

/** A first line longer than this is not a session header: not read (Codex writes a few KiB there). */
const MAX_FIRST_LINE_BYTES = 4 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

/**
 * `--read-transcripts`: the first line of each transcript file, read once per path (a session's hooks
 * all name the same file) and only as far as its first newline, since a rollout file grows to
 * hundreds of MB. Undefined, counted by the replay, when the file cannot be read or has no line.
 */
export function transcriptFirstLines(): TranscriptReader {
  const read = new Map<string, string | undefined>();
  return (path) => {
    if (!read.has(path)) read.set(path, firstLine(path));
    return read.get(path);
  };
}

function firstLine(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < MAX_FIRST_LINE_BYTES) {
      const chunk = Buffer.alloc(CHUNK_BYTES);
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, total);
      if (n === 0) break;
      const newline = chunk.subarray(0, n).indexOf(0x0a);
      chunks.push(chunk.subarray(0, newline === -1 ? n : newline));
      total += n;
      if (newline !== -1) return Buffer.concat(chunks).toString('utf8');
    }
    // A file of one line without a final newline is still its first line.
    return total > 0 && total < MAX_FIRST_LINE_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
