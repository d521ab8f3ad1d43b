import { formatRfc3339, type Nanos } from '../ingest/time.js';
import { canonicalJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';

const UNITS: Array<[bigint, string]> = [
  [1_000_000_000n, 's'],
  [1_000_000n, 'ms'],
  [1_000n, 'µs'],
];

/** A nanosecond span as short text (`3ms`, `1.5s`, `250ns`), exact: BigInt arithmetic, no rounding. */
export function formatDuration(ns: Nanos): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  for (const [unit, name] of UNITS) {
    if (abs < unit) continue;
    const frac = (abs % unit).toString().padStart(unit.toString().length - 1, '0').replace(/0+$/, '');
    return `${sign}${abs / unit}${frac ? '.' + frac : ''}${name}`;
  }
  return `${sign}${abs}ns`;
}

/** A window as JSON-safe values: RFC 3339 ends (chrono's form) and the length in ns as a string. */
export function windowJson(start: Nanos, end: Nanos): { start: string; end: string; duration_ns: string } {
  return { start: formatRfc3339(start), end: formatRfc3339(end), duration_ns: (end - start).toString() };
}

/** Compact JSON of a value, cut to `max` characters with the full length noted. */
export function shortJson(value: Json | undefined, max = 96): string {
  return truncate(canonicalJson(value), max);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}… (${text.length} chars)`;
}
