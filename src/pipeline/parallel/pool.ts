import { Worker } from 'node:worker_threads';
import type { AtofEvent } from '../../ingest/atof.js';
import type { FromWorker, ToWorker, WorkerEntry, WorkerInit } from './protocol.js';
import { RemoteOutput } from './remote-output.js';
import { BatchBuilder } from './wire.js';

/** Events are posted in batches of about this many characters (one message per event would cost more than the event). */
const BATCH_CHARS = 256 * 1024;
/** The main thread reads ahead of the workers by at most this many characters of posted, unparsed text. */
const MAX_UNREAD_CHARS = 64 * 1024 * 1024;

interface Slot {
  worker: Worker;
  batch: BatchBuilder;
  /** Text of groups assigned here and not finished: what the least-loaded choice weighs. */
  load: number;
}

/**
 * A worker running `entry`: the built module, or — running from the TypeScript sources (tests, a
 * checkout before its build) — the TypeScript one, loaded after registering tsx in the new thread (a
 * worker does not inherit the loader of the thread that starts it).
 */
function startWorker(init: WorkerInit, entry: WorkerEntry): Worker {
  if (!entry.typescript) return new Worker(entry.url, { workerData: init });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(entry.url.href)}); })`, { eval: true, workerData: init });
}

/**
 * The export workers: batches events to them, hands out groups to the least-loaded one, and turns
 * their replies into promises. A failure in any worker fails every pending and later call.
 */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, { output: RemoteOutput; slot: Slot; chars: number }>();
  private unread = 0;
  private drained: Array<() => void> = [];
  private failure?: Error;
  private stopping = false;

  constructor(size: number, init: WorkerInit, entry: WorkerEntry) {
    this.slots = Array.from({ length: size }, () => {
      const worker = startWorker(init, entry);
      const slot: Slot = { worker, batch: new BatchBuilder(), load: 0 };
      worker.on('message', (msg: FromWorker) => this.receive(msg));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.stopping) this.fail(new Error(`an export worker exited with code ${code}`));
      });
      return slot;
    });
  }

  /** The slot with the least unfinished work, for a new group. */
  leastLoaded(): number {
    let best = 0;
    for (let i = 1; i < this.slots.length; i++) if (this.slots[i].load < this.slots[best].load) best = i;
    return best;
  }

  /** Queues an event of `group` for its slot; returns the length of its text. */
  send(slotIndex: number, e: AtofEvent, group: number): number {
    this.check();
    const slot = this.slots[slotIndex];
    const chars = slot.batch.add(e, group);
    slot.load += chars;
    if (slot.batch.chars >= BATCH_CHARS) this.flush(slot);
    return chars;
  }

  /** Converts group `group` on its slot; its text and counts arrive in the returned output. */
  close(slotIndex: number, group: number, sessionId: string, resort: boolean, chars: number): RemoteOutput {
    this.check();
    const slot = this.slots[slotIndex];
    this.flush(slot);
    const output = new RemoteOutput(sessionId);
    this.pending.set(group, { output, slot, chars });
    this.post(slot, { type: 'close', group, sessionId, resort });
    return output;
  }

  /** Characters of text posted to the workers and not yet read by them: how far behind the reading they are. */
  get backlog(): number {
    return this.unread;
  }

  /** Undefined when reading may go on; else a promise that resolves once the workers have caught up. */
  ready(): Promise<void> | undefined {
    this.check();
    if (this.unread <= MAX_UNREAD_CHARS) return undefined;
    return new Promise((resolve) => this.drained.push(resolve));
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private flush(slot: Slot): void {
    if (slot.batch.isEmpty) return;
    const chars = slot.batch.chars;
    this.unread += chars;
    this.post(slot, { type: 'events', batch: slot.batch.take(), chars });
  }

  private post(slot: Slot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  private receive(msg: FromWorker): void {
    if (msg.type === 'read') {
      this.unread -= msg.chars;
      if (this.unread <= MAX_UNREAD_CHARS) for (const wake of this.drained.splice(0)) wake();
    } else if (msg.type === 'text') {
      this.pending.get(msg.group)?.output.push(msg.piece);
    } else if (msg.type === 'done') {
      const p = this.pending.get(msg.group);
      if (!p) return;
      this.pending.delete(msg.group);
      p.slot.load -= p.chars;
      p.output.finish(msg.exported);
    } else {
      const err = new Error(`export worker: ${msg.message}`);
      if (msg.stack) err.stack = msg.stack;
      this.fail(err);
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.values()) p.output.fail(err);
    this.pending.clear();
    for (const wake of this.drained.splice(0)) wake();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
