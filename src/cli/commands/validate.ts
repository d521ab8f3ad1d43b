import { chalkFor } from '../../explain/palette.js';
import { ATIF_VERSION_LABELS, hasErrors, isAtifVersionLabel, validateJson, type Finding } from '../../atif/validate/index.js';
import { EXIT, usageError, type ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { readTrajectoryDocuments } from '../trajectory-documents.js';

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
  const inputs = files.length > 0 ? files : io.stdinIsTTY ? [] : ['-'];
  if (inputs.length === 0) throw usageError('give the trajectory files to validate (or pipe them on stdin)');
  const reports: DocumentReport[] = [];
  for (const file of inputs) {
    for await (const doc of readTrajectoryDocuments(file, io)) {
      const findings = validateJson(doc.bytes, { requireVersion: flags.requireVersion });
      const failed = hasErrors(findings) || (flags.strict === true && findings.length > 0);
      reports.push({ file, ...(doc.line !== undefined ? { line: doc.line } : {}), valid: !failed, findings });
    }
  }
  const failed = reports.filter((r) => !r.valid).length;
  if (flags.json) {
    io.stdout.write(JSON.stringify({ valid: failed === 0, documents: reports }, null, 2) + '\n');
  } else {
    const c = chalkFor({ env: io.env, stdoutIsTTY: io.stdoutIsTTY, color: flags.color });
    for (const r of reports) {
      const where = r.line !== undefined ? `${r.file}:${r.line}` : r.file;
      for (const f of r.findings) {
        const level = f.level === 'error' ? c.red('error') : c.yellow('warning');
        io.stdout.write(`${where}: ${level}: ${f.path}: ${f.message} [${f.rule}]\n`);
      }
    }
    if (!flags.quiet) {
      io.stderr.write(`relay-atif: ${reports.length - failed} of ${reports.length} trajectories valid${flags.strict ? ' (strict: warnings fail)' : ''}\n`);
    }
  }
  return failed > 0 ? EXIT.PROBLEMS : EXIT.OK;
}
