import type { FixName } from '../../profiles/fixes.js';
import type { AgentInfo } from '../../atif/types.js';
import type { AgentField } from '../../atif/export.js';
import type { OutputFormat } from '../exported.js';
import type { ExportSummary } from '../output-queue.js';

/**
 * Messages between the main thread and the export workers of `--jobs`. Events travel as their JSON
 * text (a worker parses it again: cheaper than cloning parsed objects, and exact), grouped per batch.
 */

/** What every worker is started with (the conversion options, in a form that survives cloning). */
export interface WorkerInit {
  agent: AgentInfo;
  agentFromSession?: AgentField[];
  fixes: FixName[];
  observedEvents: boolean;
  dedupe: boolean;
  /** Fix `image-parts`: image files can be written (ConvertOptions.imageFiles). */
  imageFiles?: boolean;
  format: OutputFormat;
  validate: boolean;
  /**
   * What a completed group becomes beyond its conversion, for the worker entry to read (it is the
   * caller's: `explain` asks for its overview part); undefined: the trajectory, printed in `format`.
   */
  task?: unknown;
}

/**
 * The script a worker runs: its module (the built one, or the TypeScript one when running from the
 * sources, loaded through tsx). Given by the command that starts workers: the worker runs that
 * command's task, which this stage does not know.
 */
export interface WorkerEntry {
  url: URL;
  typescript: boolean;
}

/**
 * Events on the wire, a batch at a time, column by column (cheaper to clone than an object per
 * event): the group each belongs to, its text — the line it was read from, or, for an event the
 * replay built, its canonical JSON — its input position and its origin.
 */
export interface WireBatch {
  groups: number[];
  texts: string[];
  seqs: number[];
  /** Origin per event; an empty file name means none. */
  files: string[];
  lines: number[];
}

export type ToWorker =
  | { type: 'events'; batch: WireBatch; chars: number }
  /** The group is complete: convert it (sorting by `seq` first when `resort`). */
  | { type: 'close'; group: number; sessionId: string; resort: boolean };


export type FromWorker =
  /** A batch was parsed; `chars` of input text no longer wait in the worker's queue. */
  | { type: 'read'; chars: number }
  /**
   * A chunk of a group's printed text (UTF-8), sent as soon as it is printed, its memory transferred,
   * not copied: a worker never holds a large trajectory's whole text, and the main thread writes the
   * bytes as they come (encoding them there, from a string sent across, cost the busier thread more).
   */
  | { type: 'text'; group: number; piece: Uint8Array }
  /** The group's counts, after the last piece of its text. */
  | { type: 'done'; group: number; exported: ExportSummary }
  | { type: 'failed'; message: string; stack?: string };
