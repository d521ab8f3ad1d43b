import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where raw-record text waits for the replay at the end of input (see held-records.ts). The first
 * `memoryBytes` of it stay in memory; the rest goes to a temporary file, so that the text of a log of
 * many gigabytes of hook and gateway records takes about that much memory (and a few dozen bytes per
 * record for where its text is), not its own size. The file is unlinked as soon as it is open (Linux, macOS): nothing is
 * left behind, however the process ends. Where that cannot be done, or a write fails (a full disk),
 * the text simply stays in memory.
 */
export class TextSpill {
  private fd?: number;
  /** Bytes written to the file so far (the offset of the next write). */
  private written = 0;
  /** Text not yet written, gathered into one write: it starts at offset `written`. */
  private readonly pending: Buffer;
  private pendingBytes = 0;
  /** The last stretch of the file read back, served from memory. */
  private window?: { offset: number; bytes: Buffer };
  private inMemory = 0;
  /** False once the file cannot be used: text is then kept in memory. */
  private usable = true;

  /**
   * `chunkBytes`: text is written to the file this much at a time, and read back as much at a time
   * (the replay reads in about the order it was written).
   */
  constructor(
    private readonly memoryBytes: number,
    private readonly directory: string = tmpdir(),
    private readonly chunkBytes = 1 << 20,
  ) {
    this.pending = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** The text's bytes, in memory or in the file. */
  hold(bytes: Buffer): Buffer | SpilledText {
    if (this.inMemory + bytes.length <= this.memoryBytes || !this.open()) return this.keep(bytes);
    const at = this.written + this.pendingBytes;
    if (this.pendingBytes + bytes.length > this.pending.length) {
      this.flush();
      if (!this.usable) return this.keep(bytes);
    }
    if (bytes.length > this.pending.length) {
      // Nothing is pending now: a text longer than the gathering buffer is written on its own.
      this.write(bytes);
      if (!this.usable) return this.keep(bytes);
    } else {
      bytes.copy(this.pending, this.pendingBytes);
      this.pendingBytes += bytes.length;
    }
    return new SpilledText(this, at, bytes.length);
  }

  /** The bytes of text held in the file. */
  read(at: number, length: number): Buffer {
    if (at >= this.written) return Buffer.from(this.pending.subarray(at - this.written, at - this.written + length));
    const w = this.window;
    if (w && at >= w.offset && at + length <= w.offset + w.bytes.length) return w.bytes.subarray(at - w.offset, at - w.offset + length);
    const bytes = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, length));
    const n = readSync(this.fd!, bytes, 0, Math.min(bytes.length, this.written - at), at);
    if (n < length) throw new Error(`internal: held text at byte ${at} of the spill file could not be read back (${n} of ${length} bytes)`);
    this.window = { offset: at, bytes: bytes.subarray(0, n) };
    return this.window.bytes.subarray(0, length);
  }

  /** Bytes of text given to the file (written or about to be). */
  get spilledBytes(): number {
    return this.written + this.pendingBytes;
  }

  /** Closes the file; held text that was spilled can no longer be read. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.usable = false;
  }

  /** Keeps text in memory (below the budget, or when the file cannot be used). */
  private keep(bytes: Buffer): Buffer {
    this.inMemory += bytes.length;
    return bytes;
  }

  /** Opens (once) the unlinked temporary file; false when there is none to use. */
  private open(): boolean {
    if (this.fd !== undefined || !this.usable) return this.usable;
    let dir: string | undefined;
    let file: string | undefined;
    try {
      dir = mkdtempSync(join(this.directory, 'relay-atif-held-'));
      file = join(dir, 'raw-records');
      this.fd = openSync(file, 'w+', 0o600);
      unlinkSync(file);
      rmdirSync(dir);
      return true;
    } catch {
      // No temporary directory, or a platform that cannot unlink an open file: keep text in memory.
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      for (const clean of [() => file && unlinkSync(file), () => dir && rmdirSync(dir)]) {
        try {
          clean();
        } catch {
          // already gone
        }
      }
      this.usable = false;
      return false;
    }
  }

  /** Writes the pending text; when that fails, it stays pending (and readable), and no more is taken. */
  private flush(): void {
    if (this.pendingBytes === 0) return;
    this.write(this.pending.subarray(0, this.pendingBytes));
    if (this.usable) this.pendingBytes = 0;
  }

  /** Appends bytes to the file; on failure, the file is no longer used for new text. */
  private write(bytes: Buffer): void {
    if (!this.usable) return;
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd!, bytes, done, bytes.length - done, this.written + done);
      this.written += bytes.length;
    } catch {
      this.usable = false;
    }
  }
}

/** Text held in a {@link TextSpill}'s file: where it is. */
export class SpilledText {
  constructor(
    private readonly spill: TextSpill,
    private readonly at: number,
    private readonly length: number,
  ) {}

  toString(): string {
    return this.spill.read(this.at, this.length).toString('utf8');
  }
}

/**
 * A text as held (raw records and events in held-records.ts, report parts printed at the end): its
 * UTF-8 bytes, outside the JavaScript heap. A line's text is a slice of the whole chunk it was read
 * from, which holding the string would keep alive (with every other line of the chunk); the bytes are
 * a copy of this text alone. Text that UTF-8 cannot carry unchanged (a lone surrogate) is kept as it is.
 */
export type HeldText = Buffer | SpilledText | string;

/** The text as held: past the spill's memory budget, in its file. */
export function holdText(text: string, spill: TextSpill | undefined): HeldText {
  // String.prototype.isWellFormed is in Node 20, not yet in the ES2022 library typings.
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return text;
  const bytes = Buffer.from(text, 'utf8');
  return spill ? spill.hold(bytes) : bytes;
}

/** A held text, read back. */
export function readText(held: HeldText): string {
  if (typeof held === 'string') return held;
  return held instanceof SpilledText ? held.toString() : held.toString('utf8');
}
