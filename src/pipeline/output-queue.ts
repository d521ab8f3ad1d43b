import type { ExportedTrajectory } from './exported.js';

/** What the run report keeps of a trajectory once it is written. */
export type ExportSummary = Omit<ExportedTrajectory, 'text'> & { written: boolean };

/**
 * A trajectory on its way to the output: converted here (all of it at hand), or on a worker (its text
 * arriving piece by piece, its counts at the end). The queue writes its text as it comes.
 */
export interface OutputItem {
  readonly sessionId: string;
  /** Everything is here: writing it will not wait. */
  readonly ready: boolean;
  /** The printed text, piece by piece; nothing for an empty trajectory that is not written. Iterated once. */
  text(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** The counts, complete once the text has been consumed. */
  summary(): Promise<ExportSummary>;
}

/** A trajectory converted in this thread. */
export function localOutput(x: ExportedTrajectory): OutputItem {
  const { text, ...counts } = x;
  return {
    sessionId: x.sessionId,
    ready: true,
    text: () => text ?? [],
    summary: async () => ({ ...counts, written: text !== undefined }),
  };
}

/**
 * Items written strictly in the order they were added. While input is still being read, only items
 * that are ready are written (so reading, and the other workers, never wait on a slow one), unless
 * more than `limit` are outstanding; at the end, each is written as its text arrives.
 */
export class OrderedQueue {
  /**
   * Waiting items from `head` on. Taken by moving `head`, not by `shift()`: past a few thousand items
   * V8 moves the whole array for each shift, and the scopes still open at the end of input (all
   * added at once) may be hundreds of thousands (200,000: 64 s, most of it shifting).
   */
  private items: OutputItem[] = [];
  private head = 0;

  constructor(
    private readonly write: (item: OutputItem) => Promise<void>,
    private readonly limit: number,
  ) {}

  async add(items: OutputItem[]): Promise<void> {
    for (const item of items) this.items.push(item); // a loop: the scopes still open at the end of input may be many
    while (this.waiting > 0 && (this.items[this.head].ready || this.waiting > this.limit)) await this.write(this.take());
  }

  async flush(): Promise<void> {
    while (this.waiting > 0) await this.write(this.take());
  }

  private get waiting(): number {
    return this.items.length - this.head;
  }

  private take(): OutputItem {
    const item = this.items[this.head];
    this.items[this.head++] = undefined as never; // written items are let go of at once
    // The taken slots are dropped when the queue empties, or once they are most of a long array.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
