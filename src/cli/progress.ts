import type { SingleBar } from 'cli-progress';
import { Transform } from 'node:stream';
import { WholeFile, type InputSource } from '../ingest/inputs.js';
import { sizeSetting, type CliIO } from './io.js';
import type { StatusLine } from './status-line.js';

/** Inputs below this size finish before a bar would be worth drawing (RELAY_ATIF_PROGRESS_AFTER_BYTES changes it). */
export const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

const FORMAT = 'relay-atif |{bar}| {percentage}% {done}/{size} MB, {doing} ({duration_formatted})';

/**
 * A progress bar on the command's status line (bytes read and events per second, then what the
 * command does after reading) — only when the command asks for one (see StreamOptions.progress),
 * stderr is a terminal, and the inputs are files large enough to know their size and to take a while.
 * Otherwise every method is a no-op, so callers need not care. The command's end clears it (see
 * StatusLine).
 */
export class Progress {
  private drawn?: { bar: SingleBar; status: StatusLine };
  private total = 0;
  private bytes = 0;
  private events = 0;
  /** Once every byte is read: what the bar says the run still does. */
  private doing?: string;
  private readonly started = Date.now();

  /**
   * Every rule of when a bar is drawn, in one place. `total`: the inputs' size in bytes, undefined when
   * unknown (stdin); `wanted`: the command asks for one (not --quiet, --json or --no-progress);
   * `stdoutFree`: stdout carries no data, so a bar beside it on one terminal garbles nothing.
   */
  static start(total: number | undefined, io: CliIO, { wanted, stdoutFree }: { wanted: boolean; stdoutFree: boolean }): Progress {
    const p = new Progress();
    // Read first: a bad setting is refused on every run, not only on a terminal where a bar may be drawn.
    const after = sizeSetting(io, 'RELAY_ATIF_PROGRESS_AFTER_BYTES', PROGRESS_MIN_BYTES);
    const beside = io.stdoutIsTTY === true && !stdoutFree; // stdout's text would run through the bar
    if (!wanted || beside || !io.status || !io.stderrIsTTY || total === undefined || total < after) return p;
    p.total = total;
    p.drawn = { bar: io.status.bar(FORMAT, total, { done: '0', size: megabytes(total), doing: '0 events/s' }), status: io.status };
    return p;
  }

  /** Wraps a source so that the bytes it yields advance the bar. */
  track(source: InputSource): InputSource {
    if (!this.drawn) return source;
    return {
      ...source,
      open: () => {
        const input = source.open();
        // A file read at once is counted at once, and passed on as it is (its reader may use its bytes).
        if (input instanceof WholeFile) {
          this.read(input.bytes.length);
          return input;
        }
        const counter = new Transform({
          transform: (chunk: Buffer, _enc, done) => {
            this.read(chunk.length);
            done(null, chunk);
          },
        });
        input.on('error', (err: Error) => counter.destroy(err)); // pipe() alone would not pass errors on
        return input.pipe(counter);
      },
    };
  }

  private read(bytes: number): void {
    this.bytes += bytes;
    // The last bytes: what their lines complete (a long session's conversion, often) runs before the
    // bar is asked again, so it says so now.
    if (this.bytes >= this.total) this.phase(FINISHING);
  }

  event(): void {
    // Once reading is over (see phase), the bar says what the run does, not how fast it read.
    if (!this.drawn || this.doing !== undefined || ++this.events % 2048 !== 0) return;
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    this.drawn.bar.update(this.bytes, { done: megabytes(this.bytes), doing: `${Math.round(this.events / seconds)} events/s` });
  }

  /**
   * Reading is over; the bar stays, full, and says what the command is doing now (`doing`), until the
   * command ends: the replay of raw records, or converting the trajectories still open, may take as
   * long as the reading did.
   */
  phase(doing: string): void {
    if (!this.drawn || this.doing === doing) return;
    this.doing = doing;
    this.drawn.bar.update(this.total, { done: megabytes(this.total), doing });
    this.drawn.status.redraw();
  }
}

const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/** What the bar says once every byte is read, while the run completes what is still open. */
export const FINISHING = 'finishing';
