import { LineAccounting } from '../ingest/accounting.js';
import type { AtofEvent } from '../ingest/atof.js';
import type { ParallelSink } from '../pipeline/parallel/sink.js';
import { OrderedQueue, type OutputItem } from '../pipeline/output-queue.js';
import { TopLevelGrouper, type GroupSink, type ScopesBeforeParentTally } from '../pipeline/stream.js';
import { CliError, EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';
import { skipsDuplicates } from '../pipeline/duplicates.js';
import { accountDuplicateEvents, accountLateEvents, type LateTally } from './late-events.js';
import type { CopiesTally, LateEventNote } from '../pipeline/raw.js';
import { streamEventBatches, type Loaded, type StreamedInput, type StreamOptions } from './load.js';

/** What a grouped run read: the events filed into groups, and the rebuilt events that came too late for theirs. */
export interface GroupedRun {
  events: number;
  lateReconstructed: number;
  /** The first of those, which the run summary names. */
  firstLateReconstructed?: LateEventNote;
  /** Rebuilt events that repeat events already read after their scope was written: copies, said apart. */
  reconstructedCopies: CopiesTally;
  /** Top-level scopes read before their parent (input out of order): each a trajectory of its own. */
  scopesBeforeParent: ScopesBeforeParentTally;
}

/**
 * The inputs grouped per top-level scope as they are read (raw records replayed at the end), each
 * completed group made into an item by `sink` — `parallel` when workers may take groups (this thread
 * then reads only the envelopes of what it routes to them) — and the items handed to `write` in the
 * order their scopes closed, whatever thread made them. Shared by `convert`, the `explain` overview,
 * `--span`, `--step` and `--request`, and the dedupe `diff` of event logs. `onLate` receives the events that
 * came after their top-level scope was written (in no group, so not in the output), and whether they
 * are a copy of an event read before (Pushed.copy).
 */
export async function runGrouped(
  inputs: string[],
  io: CliIO,
  accounting: LineAccounting,
  stream: Omit<StreamOptions, 'inputBytes'>,
  sink: { parallel: ParallelSink; jobs: number } | GroupSink<OutputItem>,
  write: (item: OutputItem) => Promise<void>,
  onLate?: (late: readonly AtofEvent[], copy: boolean) => void,
): Promise<GroupedRun> {
  const parallel = 'parallel' in sink ? sink.parallel : undefined;
  const grouper = new TopLevelGrouper<OutputItem>(parallel ?? (sink as GroupSink<OutputItem>), grouperOptions(stream));
  const queue = new OrderedQueue(write, RESULTS_AHEAD * ('jobs' in sink ? sink.jobs : 1));
  const count = new EventCount(accounting, onLate);
  try {
    const batches = streamEventBatches(inputs, io, accounting, {
      ...stream,
      read: { ...stream.read, envelopeOnly: () => parallel?.routing ?? false },
      inputBytes: (bytes) => parallel?.expectInput(bytes),
    });
    for await (const batch of batches) {
      for (const e of batch) {
        const done = count.file(grouper, e);
        if (done.length > 0) await queue.add(done);
      }
      const caughtUp = parallel?.ready();
      if (caughtUp) await caughtUp;
    }
    const { done } = grouper.finish();
    await queue.add(done);
    await queue.flush();
  } catch (err) {
    // A run stopped by its input (--strict, an unreadable source) still writes what closed before
    // the stop, as it does without workers; a failing output is not written to again, nor one
    // that refused what it was given (a usage error: a second trajectory for -o FILE).
    if (err instanceof CliError && err.exitCode !== EXIT.OUTPUT && err.exitCode !== EXIT.USAGE) await queue.flush();
    throw err;
  } finally {
    await parallel?.shutdown();
  }
  return { events: count.events, lateReconstructed: count.lateReconstructed, firstLateReconstructed: count.late.first, reconstructedCopies: { count: count.late.copies ?? 0, first: count.late.firstCopy }, scopesBeforeParent: count.scopesBeforeParent };
}

/** How the events of a read are grouped: the fixes decide whether repeated events are skipped. */
const grouperOptions = (stream: Pick<StreamOptions, 'fixes'>) => ({ skipDuplicates: stream.fixes !== undefined && skipsDuplicates(stream.fixes) });

/**
 * `convert`'s accounting of the events it files: an event counts once filed; a late one is in no
 * trajectory: an input line becomes a skip, a reconstructed event is counted apart. (It may be one
 * pushed earlier, which waited for its parent until now.) `onLate` sees the late events too. A
 * duplicate (fix skip-duplicate-events) is not filed: its line becomes a skip.
 */
class EventCount {
  events = 0;
  lateReconstructed = 0;
  /** The first late reconstructed event, named by the run summary. */
  readonly late: LateTally = {};
  readonly scopesBeforeParent: ScopesBeforeParentTally = { count: 0 };

  constructor(
    private readonly accounting: LineAccounting,
    private readonly onLate?: (late: readonly AtofEvent[], copy: boolean) => void,
  ) {}

  /** Files `e`; returns what the groups it completed became. */
  file<R>(grouper: TopLevelGrouper<R>, e: AtofEvent): R[] {
    const { done, late, duplicate, copy, scopesBeforeParent } = grouper.push(e);
    if (scopesBeforeParent) {
      this.scopesBeforeParent.count += scopesBeforeParent.count;
      this.scopesBeforeParent.first ??= scopesBeforeParent;
    }
    if (duplicate) {
      accountDuplicateEvents(this.accounting, [e]);
      return done;
    }
    this.events += 1 - late.length;
    if (late.length > 0) {
      this.lateReconstructed += accountLateEvents(this.accounting, late, this.late, copy === true);
      this.onLate?.(late, copy === true);
    }
    return done;
  }
}

/**
 * {@link runGrouped} for a report (the `explain` overview and `--span`, the dedupe `diff`): with its own
 * line accounting, and what the replay did — what the report's run summary says.
 */
export async function runGroupedReport(
  inputs: string[],
  io: CliIO,
  stream: Omit<StreamOptions, 'inputBytes' | 'replay'>,
  sink: Parameters<typeof runGrouped>[4],
  write: (item: OutputItem) => Promise<void>,
  onLate?: (late: readonly AtofEvent[], copy: boolean) => void,
): Promise<StreamedInput> {
  const accounting = new LineAccounting();
  let replay: Loaded['replay'];
  const { events, lateReconstructed, firstLateReconstructed, reconstructedCopies, scopesBeforeParent } = await runGrouped(inputs, io, accounting, { ...stream, replay: (r) => (replay = r) }, sink, write, onLate);
  return { accounting, replay, events, lateReconstructed, firstLateReconstructed, reconstructedCopies, scopesBeforeParent };
}

/**
 * Finished results kept waiting behind an unfinished one, per job: enough that a slow group does
 * not stall the reading (and so the other workers), bounded so that memory stays bounded.
 */
const RESULTS_AHEAD = 64;
