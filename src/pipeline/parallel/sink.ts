import type { AtofEvent } from '../../ingest/atof.js';
import { convertGroup, heldForConversion, keepsLineText, UNSCOPED_SESSION_ID, type ConvertOptions, type GroupTask } from '../convert.js';
import { exportConverted, type ExportedTrajectory, type OutputFormat } from '../exported.js';
import type { GroupSink } from '../stream.js';
import { localOutput, type OutputItem } from '../output-queue.js';
import { WorkerPool } from './pool.js';
import type { WorkerEntry } from './protocol.js';
import { isEnvelope } from '../../ingest/read-records.js';
import { withPayload } from './wire.js';

export interface ParallelOptions {
  convert: ConvertOptions;
  format: OutputFormat;
  validate: boolean;
  /**
   * Threads at work (at least 2; one thread is what the in-process sink is for): this one, which reads,
   * routes, replays raw records and writes, and `jobs - 1` export workers. Measured on 2 cores, one
   * worker beside the main thread is faster than two (100 MB stream: 4.2 s against 4.8 s; ATOF only:
   * 2.8 s against 3.0 s): the main thread is busy itself, and every thread has its own compiler and heap.
   */
  jobs: number;
  /**
   * Input size from which workers are worth starting: an input known to be this large starts them as
   * soon as a second group opens (the first is converted here anyway), one of unknown size once this
   * much text has been routed. Groups opened before then are converted here: on a small input, starting
   * threads would cost more than it saves.
   */
  startAfterChars: number;
  /**
   * While the input is read, the text the workers may have left to read (posted to them, not yet
   * taken) before a new group stays in this thread instead: then they are the slower side (pretty
   * output costs them about three times NDJSON's), and this thread would otherwise wait for them.
   */
  keepAfterBacklogChars: number;
  /** The script the workers run (it serves groups with the task below). */
  worker: WorkerEntry;
  /**
   * What a completed group becomes, here and (by `task`, which the worker entry reads) on the workers:
   * by default its conversion, printed in `format`; `explain` makes its overview part, `diff` its
   * dedupe diff.
   */
  here?: GroupTask<ExportedTrajectory>;
  task?: unknown;
}

type Placement = { where: 'here'; events: AtofEvent[] } | { where: 'worker'; slot: number; group: number; chars: number };

/**
 * The sink of `--jobs N`: every top-level group goes, when it opens, to the least-loaded worker (or
 * stays in this thread while the input is still small), and its result is an {@link OutputItem} that the
 * writer writes in closing order — so the output does not depend on N or on timing. Once the workers
 * run, events arrive here without their payload (`envelopeOnly` reading): it is read again from the
 * line text where the group is converted.
 */
export class ParallelSink implements GroupSink<OutputItem> {
  private pool?: WorkerPool;
  private routedChars = 0;
  /** The input is known to be large enough for workers (see expectInput). */
  private large = false;
  private nextGroup = 0;
  private readonly groups = new Map<string, Placement>();
  /**
   * The first group stays in this thread, read in full while it is open: workers only pay when there
   * are several groups to convert at once, and a log that is one long session (a common case, and the
   * one where routing costs most) is then converted exactly as with --jobs 1.
   */
  private first?: { root: string; open: boolean };

  constructor(private readonly opts: ParallelOptions) {}

  add(root: string, e: AtofEvent): void {
    let placement = this.groups.get(root);
    if (!placement) {
      placement = this.first ? this.place(e) : { where: 'here', events: [] };
      this.first ??= { root, open: true };
      this.groups.set(root, placement);
    }
    this.routedChars += e.rawText?.length ?? 0;
    // An event converted here keeps its line text only to print it back (see keepsLineText), or, an
    // envelope, to read its payload again from it when its group is converted. A routed one travels as it.
    if (placement.where === 'here') placement.events.push(heldForConversion(e, keepsLineText(this.opts.convert) || isEnvelope(e)));
    else this.send(placement, e);
  }

  close(root: string, resort: boolean): OutputItem {
    const placement = this.groups.get(root);
    this.groups.delete(root);
    if (this.first?.root === root) this.first.open = false;
    if (placement?.where === 'worker') return this.closeRemote(placement, root, resort);
    const events = placement?.events ?? [];
    if (resort) events.sort((a, b) => a.seq - b.seq);
    return this.convertHere(events, root);
  }

  unscoped(events: AtofEvent[]): OutputItem {
    const placement = this.place();
    if (placement.where === 'here') return this.convertHere(events, UNSCOPED_SESSION_ID);
    for (const e of events) this.send(placement, e);
    return this.closeRemote(placement, UNSCOPED_SESSION_ID, false);
  }

  /**
   * The total input size when known (files), before the first event: a large input starts the workers
   * with its second group. (Not before: a log that is one long session never needs them, and a worker
   * idling beside it would still cost its start-up, its compiler and its heap.)
   */
  expectInput(bytes: number | undefined): void {
    if (bytes !== undefined && bytes >= this.opts.startAfterChars) this.large = true;
  }

  /** Whether events go to workers from now on (so this thread needs only their envelopes). */
  get routing(): boolean {
    return this.pool !== undefined && !this.first?.open;
  }

  /** Undefined while reading may go on; else resolves once the workers have caught up with the input. */
  ready(): Promise<void> | undefined {
    return this.pool?.ready();
  }

  async shutdown(): Promise<void> {
    await this.pool?.shutdown();
  }

  /** Where a new group goes; `opener` is its first event (none for the unscoped remainder). */
  private place(opener?: AtofEvent): Placement {
    if (this.large || this.routedChars >= this.opts.startAfterChars) this.startPool();
    if (!this.pool) return { where: 'here', events: [] };
    // Workers well behind the reading keep a group here (see keepAfterBacklogChars). Not a group of
    // the replay (its opener was built, not read: it has no line text): the replay runs alone on this
    // thread at the end of input, and converting its groups here too would lengthen it.
    if (opener?.rawText !== undefined && this.pool.backlog > this.opts.keepAfterBacklogChars) return { where: 'here', events: [] };
    return { where: 'worker', slot: this.pool.leastLoaded(), group: this.nextGroup++, chars: 0 };
  }

  private startPool(): void {
    if (this.pool) return;
    const { convert, format, validate, task } = this.opts;
    this.pool = new WorkerPool(this.opts.jobs - 1, { agent: convert.agent, agentFromSession: convert.agentFromSession ? [...convert.agentFromSession] : undefined, fixes: [...convert.fixes], observedEvents: convert.observedEvents, dedupe: convert.dedupe, imageFiles: convert.imageFiles, format, validate, task }, this.opts.worker);
  }

  private send(p: Extract<Placement, { where: 'worker' }>, e: AtofEvent): void {
    p.chars += this.pool!.send(p.slot, e, p.group);
  }

  private closeRemote(p: Extract<Placement, { where: 'worker' }>, sessionId: string, resort: boolean): OutputItem {
    return this.pool!.close(p.slot, p.group, sessionId, resort, p.chars);
  }

  private convertHere(events: AtofEvent[], sessionId: string): OutputItem {
    const full = events.map(withPayload);
    if (this.opts.here) return localOutput(this.opts.here(full, sessionId));
    return localOutput(exportConverted(convertGroup(full, sessionId, this.opts.convert, true), this.opts.format, this.opts.validate));
  }
}
