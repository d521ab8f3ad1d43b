import type { ExportSummary, OutputItem } from '../output-queue.js';

/**
 * A group converted on a worker: the pieces of its text are pushed in as the worker prints them and
 * handed to the writer as they come, so that a large trajectory is neither held whole nor written only
 * after its last piece; `finish` brings the counts, `fail` a worker failure.
 */
export class RemoteOutput implements OutputItem {
  private readonly pieces: Uint8Array[] = [];
  private done?: ExportSummary;
  private failure?: Error;
  private waiters: Array<() => void> = [];

  constructor(readonly sessionId: string) {}

  get ready(): boolean {
    return this.done !== undefined;
  }

  push(piece: Uint8Array): void {
    this.pieces.push(piece);
    this.notify();
  }

  finish(summary: ExportSummary): void {
    this.done = summary;
    this.notify();
  }

  fail(err: Error): void {
    this.failure = err;
    this.notify();
  }

  async *text(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.failure) throw this.failure;
      const piece = this.pieces.shift();
      if (piece) yield piece;
      else if (this.done) return;
      else await this.next();
    }
  }

  /**
   * The counts, which come after the text. The text is left to its reader: the writer of `-o DIR/`
   * may still be reading it when the caller asks (a finished group's file is written beside others).
   */
  async summary(): Promise<ExportSummary> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.done) return this.done;
      await this.next();
    }
  }

  /** Resolves at the next piece, end or failure (every waiter: the text's reader and `summary` may both wait). */
  private next(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
