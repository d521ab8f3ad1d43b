import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Trajectory } from '../atif/types.js';
import { canonicalJson, prettyJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import type { CliIO } from './io.js';

export type OutputTarget = { kind: 'stdout' } | { kind: 'dir'; path: string } | { kind: 'file'; path: string };

/** `-` → stdout; an existing directory or a path ending in `/` → directory; anything else → one file. */
export async function resolveOutput(output: string, cwd: string): Promise<OutputTarget> {
  if (output === '-') return { kind: 'stdout' };
  const path = resolve(cwd, output);
  if (output.endsWith('/') || output.endsWith('\\')) return { kind: 'dir', path };
  const st = await stat(path).catch(() => undefined);
  return st?.isDirectory() ? { kind: 'dir', path } : { kind: 'file', path };
}

const MAX_NAME_PART = 120;

/** A session id made safe as one path segment: no separators, NUL, dot-only names, or unbounded length. */
export function safeNamePart(value: string): string {
  let s = value.replace(/[^A-Za-z0-9._-]/g, '_');
  if (s.length > MAX_NAME_PART) s = s.slice(0, MAX_NAME_PART);
  if (s === '' || /^\.+$/.test(s)) s = s.replace(/\./g, '_') || '_';
  return s;
}

export function checkTemplate(template: string): void {
  if (!template.includes('{session_id}')) throw usageError(`--filename-template must contain {session_id} (got '${template}')`);
  if (template.includes('/') || template.includes('\\')) throw usageError('--filename-template must be a file name, not a path');
}

/** Writes text to `path` through a temp file and a rename, so a reader never sees a partial file. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new CliError(EXIT.OUTPUT, `cannot write ${path}: ${(err as Error).message}`);
  }
}

/** Writes trajectories to the target; returns the paths written (empty for stdout). */
export async function writeTrajectories(target: OutputTarget, trajectories: Trajectory[], template: string, io: CliIO): Promise<string[]> {
  if (target.kind === 'stdout') {
    for (const t of trajectories) io.stdout.write(canonicalJson(t as unknown as Json) + '\n');
    return [];
  }
  if (target.kind === 'file') {
    if (trajectories.length !== 1) {
      throw usageError(`-o ${target.path} names one file but the input holds ${trajectories.length} trajectories; give a directory (ending in '/') instead`);
    }
    await writeAtomic(target.path, prettyJson(trajectories[0] as unknown as Json) + '\n');
    return [target.path];
  }
  checkTemplate(template);
  await mkdir(target.path, { recursive: true }).catch((err: Error) => {
    throw new CliError(EXIT.OUTPUT, `cannot create output directory ${target.path}: ${err.message}`);
  });
  const used = new Set<string>();
  const written: string[] = [];
  for (const t of trajectories) {
    let name = template.replaceAll('{session_id}', safeNamePart(t.session_id));
    // Two session ids that sanitise to the same name get numbered, in output order.
    for (let n = 2; used.has(name); n++) name = template.replaceAll('{session_id}', `${safeNamePart(t.session_id)}-${n}`);
    used.add(name);
    const path = join(target.path, name);
    await writeAtomic(path, prettyJson(t as unknown as Json) + '\n');
    written.push(path);
  }
  return written;
}
