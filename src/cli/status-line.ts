import { MultiBar, type SingleBar } from 'cli-progress';
import type { CliIO } from './io.js';

/**
 * The bottom line of a terminal's stderr during one command: at most one progress bar, drawn from
 * when a long read starts until the command ends (its tail — the replay, the trajectories still open
 * — included, so a run never looks idle), then cleared. While it is drawn, whatever the command writes
 * to stderr goes above it, whole lines, instead of through it.
 */
export class StatusLine {
  private multi?: MultiBar;

  /** Status lines with a bar drawn: an interrupted run clears them (see {@link StatusLine.clearAll}). */
  private static readonly drawn = new Set<StatusLine>();

  constructor(private readonly target: CliIO['stderr']) {}

  /** The stderr a command writes to: straight through, or above the bar while one is drawn. */
  readonly stderr: CliIO['stderr'] = {
    write: (chunk: string) => {
      if (!this.multi) return this.target.write(chunk);
      this.multi.log(chunk);
      // Drawn now, not at the next tick: the run may be busy for seconds, or about to end.
      this.multi.update();
      return true;
    },
  };

  /** Draws a bar (on the real stderr, which must be a terminal); `format` names the payload's fields. */
  bar(format: string, total: number, payload: Record<string, string>): SingleBar {
    if (this.multi) throw new Error('status line: one bar at a time');
    this.multi = new MultiBar({
      stream: this.target as unknown as NodeJS.WritableStream,
      format,
      clearOnComplete: true,
      // The cursor stays visible: a run stopped by ^C leaves no hidden cursor behind.
      hideCursor: false,
      noTTYOutput: false,
      // Drawn on every redraw, changed or not: a line written above moves the bar down a line.
      forceRedraw: true,
    });
    StatusLine.drawn.add(this);
    const bar = this.multi.create(total, 0, payload);
    this.multi.update();
    return bar;
  }

  /** Redraws the bar now (the event loop may not get to its timer before a long computation). */
  redraw(): void {
    this.multi?.update();
  }

  /** Clears the bar, if one was drawn; stderr goes straight through again. */
  stop(): void {
    this.multi?.stop();
    this.multi = undefined;
    StatusLine.drawn.delete(this);
  }

  /**
   * Clears every bar still drawn, for a run that ends early (Ctrl-C): a bar turns the terminal's line
   * wrapping off while it is drawn, and clearing it turns wrapping on again.
   */
  static clearAll(): void {
    for (const line of [...StatusLine.drawn]) line.stop();
  }
}
