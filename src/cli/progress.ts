import { SingleBar } from 'cli-progress';
import { Transform } from 'node:stream';
import type { InputSource } from '../ingest/inputs.js';
import { sizeSetting, type CliIO } from './io.js';

/** Inputs below this size finish before a bar would be worth drawing (RELAY_ATIF_PROGRESS_AFTER_BYTES changes it). */
export const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

/**
 * A progress bar on stderr (bytes read and events per second) — only when stderr is a terminal, the
 * run is not quiet or JSON, and the inputs are files large enough to know their size and to take a
 * while. Otherwise every method is a no-op, so callers need not care.
 */
export class Progress {
  private bar?: SingleBar;
  private bytes = 0;
  private events = 0;
  private readonly started = Date.now();

  /** `total`: the inputs' size in bytes, undefined when unknown (stdin). */
  static start(total: number | undefined, io: CliIO, enabled: boolean): Progress {
    const p = new Progress();
    if (!enabled || !io.stderrIsTTY || total === undefined || total < sizeSetting(io, 'RELAY_ATIF_PROGRESS_AFTER_BYTES', PROGRESS_MIN_BYTES)) return p;
    p.bar = new SingleBar(
      {
        stream: io.stderr as unknown as NodeJS.WritableStream,
        format: 'relay-atif |{bar}| {percentage}% {done}/{size} MB, {eps} events/s',
        hideCursor: true,
        clearOnComplete: true,
        noTTYOutput: false,
      },
    );
    p.bar.start(total, 0, { done: '0', size: (total / 2 ** 20).toFixed(0), eps: '0' });
    return p;
  }

  /** Wraps a source so that the bytes it yields advance the bar. */
  track(source: InputSource): InputSource {
    if (!this.bar) return source;
    return {
      name: source.name,
      open: () => {
        const counter = new Transform({
          transform: (chunk: Buffer, _enc, done) => {
            this.bytes += chunk.length;
            done(null, chunk);
          },
        });
        const input = source.open();
        input.on('error', (err: Error) => counter.destroy(err)); // pipe() alone would not pass errors on
        return input.pipe(counter);
      },
    };
  }

  event(): void {
    if (!this.bar || ++this.events % 2048 !== 0) return;
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    this.bar.update(this.bytes, { done: (this.bytes / 2 ** 20).toFixed(0), eps: Math.round(this.events / seconds).toString() });
  }

  stop(): void {
    this.bar?.stop();
  }
}
