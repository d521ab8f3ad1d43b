import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Chalk } from 'chalk';
import { ATIF_VERSION_LABELS, hasErrors, isAtifVersionLabel, validateJson, type Finding } from '../../atif/validate/index.js';
import { CliError, EXIT, usageError, type ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { trajectoryDocuments, type TrajectoryDocument } from '../trajectory-documents.js';
import { contentChunks } from '../../ingest/lines.js';

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

/** The chunks of one input ('-': stdin), after checking that a named file can be read. */
async function openInput(name: string, io: CliIO): Promise<NodeJS.ReadableStream> {
  if (name === '-') return io.stdin;
  const path = resolve(io.cwd, name);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw usageError(`no such file: ${name}`);
  if (st.isDirectory()) throw usageError(`${name} is a directory; give the trajectory files`);
  return createReadStream(path);
}

async function* documentsOf(name: string, io: CliIO): AsyncGenerator<TrajectoryDocument> {
  try {
    // Gzip is recognised by its magic bytes, as convert reads its inputs.
    yield* trajectoryDocuments(contentChunks(await openInput(name, io)));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(EXIT.UNREADABLE, `cannot read ${name}: ${(err as Error).message}`);
  }
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
    for await (const doc of documentsOf(file, io)) {
      const findings = validateJson(doc.bytes, { requireVersion: flags.requireVersion });
      const failed = hasErrors(findings) || (flags.strict === true && findings.length > 0);
      reports.push({ file, ...(doc.line !== undefined ? { line: doc.line } : {}), valid: !failed, findings });
    }
  }
  const failed = reports.filter((r) => !r.valid).length;
  if (flags.json) {
    io.stdout.write(JSON.stringify({ valid: failed === 0, documents: reports }, null, 2) + '\n');
  } else {
    const c = new Chalk({ level: flags.color === false || io.env.NO_COLOR || !io.stdoutIsTTY ? 0 : 1 });
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
