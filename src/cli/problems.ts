import { LineAccounting, type Problem } from '../ingest/accounting.js';
import { INPUT_FILE_NAMES, namesSample } from '../ingest/inputs.js';
import { CliError, EXIT } from './exit-codes.js';
import { printable } from './printable.js';
import type { CliIO } from './io.js';

/** Problem kinds a run summary names without --verbose. */
const KINDS_SHOWN = 5;

/**
 * The problem lines of a run under its summary, one kind per line with its count and first line (file,
 * line, schema path, message): the first five kinds, or every kind with `verbose`. Every command that
 * reads input says the same.
 */
export function writeProblems(problems: readonly Problem[], opts: { verbose?: boolean; hasReport: boolean }, io: CliIO): void {
  const shown = opts.verbose ? problems : problems.slice(0, KINDS_SHOWN);
  for (const p of shown) io.stderr.write(`  ${printable(describeProblem(p))}\n`);
  // Only commands that take --report point to it.
  if (shown.length < problems.length) io.stderr.write(`  … ${problems.length - shown.length} more kinds (--verbose${opts.hasReport ? ', --report FILE' : ''})\n`);
}

function describeProblem(p: Problem): string {
  const first = p.examples[0];
  const at = first ? ` (first at ${first.file}:${first.line}${first.path ? ` at ${first.path}` : ''}${first.message ? `: ${first.message}` : ''})` : '';
  return `${p.bucket} ${p.reason}: ${p.count} line(s)${at}`;
}

/**
 * The summary line of the files directory walks passed over, when there were any: no line of theirs
 * is counted, so without it a `logs/events.json` beside the logs would go unread unsaid.
 */
export function passedOverNotes(accounting: LineAccounting): string[] {
  const files = accounting.passedOver();
  if (files.length === 0) return [];
  const which = files.length === 1 ? 'file' : 'files';
  return [`passed over ${files.length} ${which} in the directories given, not named as inputs (${INPUT_FILE_NAMES}): ${namesSample(files)}; name a file to read it whatever its name`];
}

/** "N skipped, M rejected" for a run summary; blank lines, which no problem line lists, are said apart. */
export function skipCounts(accounting: LineAccounting): string {
  const blank = accounting.skippedCount('blank');
  return `${accounting.skippedCount()} skipped${blank > 0 ? ` (${blank} blank)` : ''}, ${accounting.rejectedCount()} rejected`;
}

/**
 * The line accounting of a command that converts what it reads (convert, events): with --strict the
 * first problem line stops the run and is named (exit 1); lenient runs count problems and go on.
 */
export function runAccounting(strict: boolean | undefined): LineAccounting {
  return new LineAccounting({
    onProblem: strict
      ? (p) => {
          // Printed keeping line breaks (as every error message): the parts quoted from the input are escaped here.
          throw new CliError(EXIT.PROBLEMS, printable(`--strict: ${p.file}:${p.line}: ${p.bucket} (${p.reason})${p.path ? ` at ${p.path}` : ''}${p.message ? `: ${p.message}` : ''}`));
        }
      : undefined,
  });
}
