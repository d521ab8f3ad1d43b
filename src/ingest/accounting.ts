/**
 * Where every input line went. Each line read ends in exactly one bucket, so the run summary,
 * `--report` and `--strict` can show that nothing vanished: `used` (by record kind), `skipped` (by
 * reason: not an error by itself, but under `--strict` anything other than a blank line is) or
 * `rejected` (a record of a known kind that failed validation, with the schema path at fault).
 */

/** Record kinds the reader recognises; only `atof` is read so far, the others arrive with their readers. */
export type RecordKind = 'atof' | 'hook' | 'gateway' | 'har';

export type SkipReason =
  | 'blank'
  | 'not-json'
  | 'invalid-utf8'
  | 'too-long'
  | 'unknown-record'
  | 'unsupported-route'
  | 'duplicate-event'
  | 'duplicate-record'
  | 'event-copy'
  | 'late-event';

/** A rejection names the kind the line was recognised as and failed to be. */
export type RejectReason = `invalid-${RecordKind}`;

export interface LineRef {
  file: string;
  line: number;
}

/** One remembered instance of a reason; `path` is the schema path at fault (rejections only). */
export interface Example extends LineRef {
  path?: string;
  message?: string;
}

export interface ReasonSummary {
  count: number;
  /** The first few occurrences in input order; fewer than `count` once the cap is reached. */
  examples: Example[];
}

export interface Problem extends ReasonSummary {
  bucket: 'skipped' | 'rejected';
  reason: SkipReason | RejectReason;
}

/** One problem line as it is counted. */
export interface LineProblem extends Example {
  bucket: 'skipped' | 'rejected';
  reason: SkipReason | RejectReason;
}

/**
 * The `--report` shape, in snake_case like every key of the report. Reasons and kinds are listed in
 * name order so reports diff cleanly.
 */
export interface AccountingReport {
  total: number;
  used: { total: number; by_kind: Partial<Record<RecordKind, number>> };
  skipped: { total: number; by_reason: Partial<Record<SkipReason, ReasonSummary>> };
  rejected: { total: number; by_reason: Partial<Record<RejectReason, ReasonSummary>> };
  /** Files a directory walk did not read (their names are not input names): the first few, and how many. */
  passed_over_files?: { count: number; files: string[] };
}

export const DEFAULT_EXAMPLES_PER_REASON = 20;

export class LineAccounting {
  private readonly used = new Map<RecordKind, number>();
  private readonly skipped = new Map<SkipReason, ReasonSummary>();
  private readonly rejected = new Map<RejectReason, ReasonSummary>();
  private readonly examplesPerReason: number;
  private readonly onProblem?: (problem: LineProblem) => void;
  /** Files found in directories and not read (see passOver): no line of theirs is counted. */
  private readonly passed: string[] = [];

  /**
   * With `onProblem` (a run that stops at its first problem line), the lines counted as read that
   * no later stage has looked at yet, in reading order: reading runs ahead of grouping by a chunk of
   * input, so when grouping finds a problem line (a late or repeated event), the lines read after it
   * are taken back out of the counts — a stopped run's counts end at the line it stopped at.
   */
  private readonly readAhead?: ReadAhead;

  /** `onProblem` sees every skip (except blank lines) and rejection as it is counted: `--strict` stops there. */
  constructor(options: { examplesPerReason?: number; onProblem?: (problem: LineProblem) => void } = {}) {
    this.examplesPerReason = options.examplesPerReason ?? DEFAULT_EXAMPLES_PER_REASON;
    this.onProblem = options.onProblem;
    if (this.onProblem) this.readAhead = new ReadAhead();
  }

  use(kind: RecordKind, where: LineRef): void {
    this.used.set(kind, (this.used.get(kind) ?? 0) + 1);
    this.readAhead?.push(where, kind);
  }

  skip(reason: SkipReason, where: LineRef, message?: string): void {
    this.note(this.skipped, reason, exampleOf(where, undefined, message));
    if (reason === 'blank') this.readAhead?.push(where, 'blank');
    else this.onProblem?.({ bucket: 'skipped', reason, ...exampleOf(where, undefined, message) });
  }

  /**
   * A file a directory walk found and did not read, its name not being an input file's
   * (`logs/events.json`): none of its lines is read, so none is counted; the run says it passed it
   * over, not that it skipped lines (`--strict` does not fail on it: the file was never an input).
   */
  passOver(file: string): void {
    this.passed.push(file);
  }

  /** The files passed over (see passOver), in the order the walks found them. */
  passedOver(): readonly string[] {
    return this.passed;
  }

  /** Every line counted so far has been through every stage: none can be taken back any more. */
  settle(): void {
    this.readAhead?.clear();
  }

  reject(reason: RejectReason, where: LineRef, fault: { path: string; message: string }): void {
    this.note(this.rejected, reason, exampleOf(where, fault.path, fault.message));
    this.onProblem?.({ bucket: 'rejected', reason, ...exampleOf(where, fault.path, fault.message) });
  }

  /**
   * Moves a line already counted as used into `skipped`, for stages that find out later that a record
   * adds nothing (an event after its trajectory was written, or one repeating an event already read in
   * it: fix skip-duplicate-events), keeping the one-bucket-per-line invariant.
   */
  reclassifyAsSkipped(kind: RecordKind, reason: SkipReason, where: LineRef, message?: string): void {
    const count = this.used.get(kind) ?? 0;
    if (count === 0) throw new Error(`accounting: no used '${kind}' line to reclassify (${where.file}:${where.line})`);
    this.used.set(kind, count - 1);
    // A stop here: the lines read after this one were not looked at, and are not counted.
    if (reason !== 'blank' && this.readAhead) for (const later of this.readAhead.takeAfter(where)) this.uncount(later);
    this.skip(reason, where, message);
  }

  /** Takes one line back out of the counts, as if it had not been read (a kind or reason left at 0 is gone). */
  private uncount(what: RecordKind | 'blank'): void {
    if (what !== 'blank') {
      const count = this.used.get(what)! - 1;
      if (count > 0) this.used.set(what, count);
      else this.used.delete(what);
      return;
    }
    const blank = this.skipped.get('blank')!;
    if (--blank.count === 0) this.skipped.delete('blank');
    else if (blank.examples.length > blank.count) blank.examples.pop();
  }

  usedCount(kind?: RecordKind): number {
    return kind === undefined ? sum(this.used.values()) : (this.used.get(kind) ?? 0);
  }

  skippedCount(reason?: SkipReason): number {
    return reason === undefined ? sumCounts(this.skipped) : (this.skipped.get(reason)?.count ?? 0);
  }

  rejectedCount(reason?: RejectReason): number {
    return reason === undefined ? sumCounts(this.rejected) : (this.rejected.get(reason)?.count ?? 0);
  }

  /** Lines accounted for; equals the number of lines read when every line was recorded once. */
  total(): number {
    return this.usedCount() + this.skippedCount() + this.rejectedCount();
  }

  /** What `--strict` fails on: every rejection and every skip except blank lines; rejections first. */
  problems(): Problem[] {
    const rejected = sortedEntries(this.rejected).map(([reason, s]) => ({ bucket: 'rejected' as const, reason, ...copy(s) }));
    const skipped = sortedEntries(this.skipped)
      .filter(([reason]) => reason !== 'blank')
      .map(([reason, s]) => ({ bucket: 'skipped' as const, reason, ...copy(s) }));
    return [...rejected, ...skipped];
  }

  toJSON(): AccountingReport {
    return {
      total: this.total(),
      used: { total: this.usedCount(), by_kind: Object.fromEntries(sortedEntries(this.used)) },
      skipped: { total: this.skippedCount(), by_reason: summaries(this.skipped) },
      rejected: { total: this.rejectedCount(), by_reason: summaries(this.rejected) },
      ...(this.passed.length > 0 ? { passed_over_files: { count: this.passed.length, files: this.passed.slice(0, this.examplesPerReason) } } : {}),
    };
  }

  private note<R extends string>(bucket: Map<R, ReasonSummary>, reason: R, example: Example): void {
    let summary = bucket.get(reason);
    if (!summary) {
      summary = { count: 0, examples: [] };
      bucket.set(reason, summary);
    }
    summary.count++;
    if (summary.examples.length < this.examplesPerReason) summary.examples.push(example);
  }
}

function exampleOf(where: LineRef, path: string | undefined, message: string | undefined): Example {
  const example: Example = { file: where.file, line: where.line };
  if (path !== undefined) example.path = path;
  if (message !== undefined) example.message = message;
  return example;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function sumCounts(bucket: Map<string, ReasonSummary>): number {
  let total = 0;
  for (const s of bucket.values()) total += s.count;
  return total;
}

function sortedEntries<K extends string, V>(map: Map<K, V>): [K, V][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Copies so that a caller holding a report cannot alter the live tallies. */
function copy(s: ReasonSummary): ReasonSummary {
  return { count: s.count, examples: s.examples.map((e) => ({ ...e })) };
}

function summaries<R extends string>(bucket: Map<R, ReasonSummary>): Partial<Record<R, ReasonSummary>> {
  return Object.fromEntries(sortedEntries(bucket).map(([reason, s]) => [reason, copy(s)])) as Partial<Record<R, ReasonSummary>>;
}

/** The lines a run that stops at its first problem has counted and not yet settled (see LineAccounting.readAhead). */
class ReadAhead {
  private readonly fileIndex = new Map<string, number>();
  private files: number[] = [];
  private lines: number[] = [];
  private counted: Array<RecordKind | 'blank'> = [];

  push(where: LineRef, what: RecordKind | 'blank'): void {
    let file = this.fileIndex.get(where.file);
    if (file === undefined) this.fileIndex.set(where.file, (file = this.fileIndex.size));
    this.files.push(file);
    this.lines.push(where.line);
    this.counted.push(what);
  }

  /** What was counted after the last line counted at `where` (newest first), taken out; none when `where` is not held. */
  takeAfter(where: LineRef): Array<RecordKind | 'blank'> {
    const file = this.fileIndex.get(where.file);
    let i = this.lines.length - 1;
    while (i >= 0 && !(this.files[i] === file && this.lines[i] === where.line)) i--;
    if (i < 0) return [];
    const after = this.counted.slice(i + 1).reverse();
    this.files.length = this.lines.length = this.counted.length = i + 1;
    return after;
  }

  clear(): void {
    this.files = [];
    this.lines = [];
    this.counted = [];
  }
}
