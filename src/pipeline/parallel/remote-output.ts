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
  private wake?: () => void;

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
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async summary(): Promise<ExportSummary> {
    // The counts come after the text: whatever of it was not consumed is passed over.
    const rest = this.text();
    while (!(await rest.next()).done);
    return this.done!;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
