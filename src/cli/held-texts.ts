import { holdText, readText, TextSpill, type HeldText } from '../ingest/spill.js';

/**
 * The parts of a report that can only be printed once the input has ended (its JSON opens with what
 * all parts say together), each held as its text as it is made: past a memory budget, in an unlinked
 * temporary file, like raw records waiting for the replay. A report on a log of gigabytes then holds
 * a few dozen bytes per part, not the parts as objects.
 */
export class HeldTexts {
  private held: HeldText[] = [];
  private added = 0;

  constructor(private readonly spill = new TextSpill(HELD_REPORT_BYTES)) {}

  add(text: string): void {
    this.held.push(holdText(text, this.spill));
    this.added++;
  }

  /** Texts added (read back or not). */
  get count(): number {
    return this.added;
  }

  /** The texts in the order they were added, each let go of once read. Once. */
  *texts(): Generator<string> {
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) {
      const text = readText(held[i]);
      held[i] = '';
      yield text;
    }
  }

  /** Removes the temporary file (texts not yet read can no longer be). */
  close(): void {
    this.spill.close();
  }
}

/** Report text held in memory before the rest goes to a temporary file. */
const HELD_REPORT_BYTES = 64 * 1024 * 1024;
