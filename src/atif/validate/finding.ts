import { formatPath, type JsonPath } from './path.js';

export type FindingLevel = 'error' | 'warning';

/**
 * One problem in a document. `rule` uses the ids of the reference validator (atif_validate.py);
 * `path` uses its JSON path notation, e.g. `$.steps[2].tool_calls[0].arguments`.
 */
export interface Finding {
  level: FindingLevel;
  path: string;
  rule: string;
  message: string;
}

export function error(path: JsonPath, rule: string, message: string): Finding {
  return { level: 'error', path: formatPath(path), rule, message };
}

export function warning(path: JsonPath, rule: string, message: string): Finding {
  return { level: 'warning', path: formatPath(path), rule, message };
}

/**
 * Appends every item (findings can number in the hundreds of thousands: one per step of a long
 * trajectory; a spread into `push` would overflow the call stack).
 */
export function appendAll<T>(into: T[], items: Iterable<T>): void {
  for (const item of items) into.push(item);
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.level === 'error');
}

/** Strict mode: SHOULD-level rules count as violations, so their warnings are reported as errors. */
export function promoteWarnings(findings: readonly Finding[]): Finding[] {
  return findings.map((f) => (f.level === 'warning' ? { ...f, level: 'error' } : f));
}

/** Python-style repr of a string for messages (`'value'`). */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
