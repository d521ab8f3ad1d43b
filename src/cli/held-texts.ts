import { holdText, readText, TextSpill, type HeldText } from '../ingest/spill.js';

/**
 * The parts of a report that can only be printed once the input has ended (its JSON opens with what
 * all parts say together), each held as its text as it is made: past a memory budget, in an unlinked
 * temporary file, like raw records waiting for the replay. A report on a log of gigabytes then holds
 * a few dozen bytes per part, not the parts as objects.
 */
export class HeldTexts {
  /** Each part as its chunks (a part may be longer than one string may be). */
  private held: HeldText[][] = [];
  private added = 0;

  constructor(private readonly spill = new TextSpill(HELD_REPORT_BYTES)) {}

  add(text: string): void {
    this.addChunks([text]);
  }

  /** A part printed in chunks, held chunk by chunk. */
  addChunks(chunks: readonly string[]): void {
    this.held.push(chunks.map((chunk) => holdText(chunk, this.spill)));
    this.added++;
  }

  /** Texts added (read back or not). */
  get count(): number {
    return this.added;
  }

  /** The texts in the order they were added, each let go of once read. Once. */
  *texts(): Generator<string> {
    for (const chunks of this.chunks()) yield chunks.join('');
  }

  /** The parts as their chunks, in the order they were added, each let go of once read. Once. */
  *chunks(): Generator<string[]> {
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) {
      const chunks = held[i].map(readText);
      held[i] = [];
      yield chunks;
    }
  }

  /** Removes the temporary file (texts not yet read can no longer be). */
  close(): void {
    this.spill.close();
  }
}

/** Report text held in memory before the rest goes to a temporary file. */
const HELD_REPORT_BYTES = 64 * 1024 * 1024;
