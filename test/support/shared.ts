import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseJson } from '../../src/json/parse.js';
import { JsonNumber, isObject, type Json } from '../../src/json/value.js';

/** ../shared beside the repo (the steering repo's reference material); absent in a bare clone. */
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const CASES = join(SHARED, 'conformance', 'cases');
export const hasShared = existsSync(CASES);

export interface CaseOptions {
  session_id: string;
  agent_name: string;
  agent_version: string;
  model_name?: string | null;
}

export interface ConformanceCase {
  name: string;
  dir: string;
  options: CaseOptions;
}

export function conformanceCases(): ConformanceCase[] {
  if (!hasShared) return [];
  return readdirSync(CASES)
    .sort()
    .map((name) => {
      const dir = join(CASES, name);
      const meta = join(dir, 'meta.json');
      const options = existsSync(meta)
        ? (JSON.parse(readFileSync(meta, 'utf8')) as CaseOptions)
        : (JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as { options: CaseOptions }).options;
      return { name, dir, options };
    });
}

export function readJsonFile(path: string): Json {
  return parseJson(readFileSync(path, 'utf8'));
}

/**
 * JSON equality as the reference runner defines it: key order ignored, numbers compared by value
 * (1 == 1.0), everything else exact. Returns the first differing path, or undefined when equal.
 */
export function jsonDiff(a: Json | undefined, b: Json | undefined, path = '$'): string | undefined {
  const num = (v: unknown) => (typeof v === 'number' ? v : v instanceof JsonNumber ? v.value : undefined);
  if (num(a) !== undefined || num(b) !== undefined) return num(a) === num(b) ? undefined : `${path}: ${String(num(a))} != ${String(num(b))}`;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${path}: array vs non-array`;
    if (a.length !== b.length) return `${path}: length ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = jsonDiff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return `${path}: object vs non-object`;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      const d = jsonDiff(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}
