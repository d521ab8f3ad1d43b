import { chalkFor } from '../../explain/palette.js';
import { ATIF_VERSION_LABELS, hasErrors, isAtifVersionLabel, validateJson, type Finding } from '../../atif/validate/index.js';
import { CliError, EXIT, usageError, type ExitCode } from '../exit-codes.js';
import { printable } from '../printable.js';
import type { CliIO } from '../io.js';
import { writeOut } from '../output.js';
import { readTrajectoryDocuments } from '../trajectory-documents.js';
import { inputFailure } from '../load.js';
import { expandFilePatterns } from '../../ingest/inputs.js';

export interface ValidateFlags {
  strict?: boolean;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  requireVersion?: string;
}

interface DocumentReport {
  file: string;
  /** 1-based line for NDJSON inputs (one trajectory per line); absent for a JSON document. */
  line?: number;
  valid: boolean;
  findings: Finding[];
}

/** `relay-atif validate FILES...`: every violation with a JSON path and a rule id, collected, not fail-fast. */
export async function validateCommand(files: string[], flags: ValidateFlags, io: CliIO): Promise<ExitCode> {
  if (flags.requireVersion !== undefined && !isAtifVersionLabel(flags.requireVersion)) {
    throw usageError(`--require-version must be one of ${ATIF_VERSION_LABELS.join(', ')} (got '${flags.requireVersion}')`);
  }
  // A quoted pattern is expanded here, as convert expands its inputs (see expandFilePatterns).
  const inputs = files.length > 0 ? await expandFilePatterns(files, io.cwd).catch(inputFailure) : io.stdinIsTTY ? [] : ['-'];
  if (inputs.length === 0) throw usageError('give the trajectory files to validate (or pipe them on stdin)');
  // Text findings are written as each document is checked (a log of many trajectories is not held);
  // the JSON report opens with whether all are valid, so it waits for the last one.
  const c = chalkFor({ env: io.env, stdoutIsTTY: io.stdoutIsTTY, color: flags.color });
  const reports: DocumentReport[] = [];
  let documents = 0;
  let failed = 0;
  // An input that cannot be read (exit 3) does not stop the others from being checked: every finding
  // is collected, and the first such error is raised once they all were.
  let unreadable: CliError | undefined;
  for (const file of inputs) {
    try {
      await validateFile(file);
    } catch (err) {
      if (!(err instanceof CliError && err.exitCode === EXIT.UNREADABLE)) throw err;
      unreadable ??= err;
      if (!flags.json) io.stderr.write(`relay-atif: ${printable(err.message, true)}\n`);
    }
  }
  async function validateFile(file: string): Promise<void> {
    for await (const doc of readTrajectoryDocuments(file, io)) {
      const findings = validateJson(doc.scanned ?? doc.bytes, { requireVersion: flags.requireVersion });
      const invalid = hasErrors(findings) || (flags.strict === true && findings.length > 0);
      documents++;
      if (invalid) failed++;
      if (flags.json) {
        reports.push({ file, ...(doc.line !== undefined ? { line: doc.line } : {}), valid: !invalid, findings });
        continue;
      }
      const where = doc.line !== undefined ? `${file}:${doc.line}` : file;
      for (const f of findings) {
        const level = f.level === 'error' ? c.red('error') : c.yellow('warning');
        await writeOut(io, `${where}: ${level}: ${f.path}: ${f.message} [${f.rule}]\n`);
      }
    }
  }
  if (unreadable) {
    // What was read is reported (the JSON report too); the run's outcome is the unreadable input's.
    if (flags.json) await writeOut(io, JSON.stringify({ valid: false, documents: reports, unreadable: unreadable.message }, null, 2) + '\n');
    else if (!flags.quiet && documents > 0) io.stderr.write(`relay-atif: ${documents - failed} of ${documents} trajectories valid; an input could not be read\n`);
    return EXIT.UNREADABLE;
  }
  // Nothing to validate is a failure, not a pass: `convert logs/ | relay-atif validate` after an upstream
  // that printed nothing must not look like a check that succeeded (an empty file fails as no JSON too).
  const valid = failed === 0 && documents > 0;
  if (flags.json) {
    await writeOut(io, JSON.stringify({ valid, documents: reports }, null, 2) + '\n');
  } else if (documents === 0) {
    io.stderr.write(`relay-atif: no trajectory to validate: ${printable(inputs.join(', '))} held none\n`);
  } else if (!flags.quiet) {
    io.stderr.write(`relay-atif: ${documents - failed} of ${documents} trajectories valid${flags.strict ? ' (strict: warnings fail)' : ''}\n`);
  }
  return valid ? EXIT.OK : EXIT.PROBLEMS;
}
