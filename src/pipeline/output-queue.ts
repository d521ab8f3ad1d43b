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
  private readonly items: OutputItem[] = [];

  constructor(
    private readonly write: (item: OutputItem) => Promise<void>,
    private readonly limit: number,
  ) {}

  async add(items: OutputItem[]): Promise<void> {
    for (const item of items) this.items.push(item); // a loop: the scopes still open at the end of input may be many
    while (this.items.length > 0 && (this.items[0].ready || this.items.length > this.limit)) await this.write(this.items.shift()!);
  }

  async flush(): Promise<void> {
    while (this.items.length > 0) await this.write(this.items.shift()!);
  }
}
