import { formatRfc3339, type Nanos } from '../ingest/time.js';
import { canonicalJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';

const UNITS: Array<[bigint, string]> = [
  [1_000_000_000n, 's'],
  [1_000_000n, 'ms'],
  [1_000n, 'µs'],
];

/** A nanosecond span as short text (`3ms`, `1.5s`, `250ns`), exact: integer arithmetic, no rounding. */
export function formatDuration(ns: Nanos): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  // Spans up to 104 days fit a double exactly, and its arithmetic is many times quicker than BigInt's
  // (the overview formats one per span). `%` of integers is exact, and so is dividing the multiple.
  if (abs <= MAX_SAFE) {
    const n = Number(abs);
    for (const [unit, name, digits] of NUMBER_UNITS) {
      if (n < unit) continue;
      const rest = n % unit;
      return `${sign}${(n - rest) / unit}${fraction(String(rest), digits)}${name}`;
    }
    return `${sign}${n}ns`;
  }
  for (const [unit, name] of UNITS) {
    if (abs < unit) continue;
    return `${sign}${abs / unit}${fraction((abs % unit).toString(), unit.toString().length - 1)}${name}`;
  }
  return `${sign}${abs}ns`;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const NUMBER_UNITS = UNITS.map(([unit, name]) => [Number(unit), name, unit.toString().length - 1] as const);

/** The digits after the point of a remainder (`digits` wide), without trailing zeros; nothing for 0. */
function fraction(rest: string, digits: number): string {
  const frac = rest.padStart(digits, '0').replace(/0+$/, '');
  return frac ? '.' + frac : '';
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
