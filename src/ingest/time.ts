import { daysFromCivil, daysInMonth } from '../util/civil-date.js';

/**
 * Timestamps are nanoseconds since the Unix epoch as BigInt: RFC 3339 strings carry up to 9
 * fractional digits, which a double cannot hold next to a 2026 epoch. Any offset is converted to UTC.
 */
// The zone is required, as RFC 3339 and the reference's reader (chrono's parse_from_rfc3339) require
// it: a local time written without one ('2026-06-01T12:00:00', Python's datetime.now().isoformat())
// read as UTC would move its record hours away from the UTC gateway captures beside it.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?(Z|z|[+-]\d{2}:?\d{2})$/;
/** The same text without its zone: it is refused saying so. */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;
export const NO_ZONE = 'not an RFC 3339 timestamp: it has no UTC offset (Z, or ±hh:mm), so the instant it names is unknown';

export type Nanos = bigint;

const dayMs = new Map<string, number>();

/**
 * Fast path for the form ATOF writers use (`2026-03-04T17:21:09.482913517+00:00` or `…Z`): fixed
 * positions, the day's epoch cached. Anything else goes through the full parser.
 */
function parseCanonicalUtc(t: string): Nanos | undefined {
  const n = t.length;
  let end: number;
  if (t.endsWith('+00:00')) end = n - 6;
  else if (t.endsWith('Z')) end = n - 1;
  else return undefined;
  if (t.charCodeAt(10) !== 84 /* T */ || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const day = t.slice(0, 10);
  let base = dayMs.get(day);
  if (base === undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
    const [y, m, d] = day.split('-').map(Number);
    if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
    base = daysFromCivil(y, m, d) * 86_400_000;
    if (dayMs.size > 10_000) dayMs.clear();
    dayMs.set(day, base);
  }
  const hh = digits2(t, 11);
  const mm = digits2(t, 14);
  const ss = digits2(t, 17);
  if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 59) return undefined;
  let frac = 0;
  if (end > 19) {
    if (t.charCodeAt(19) !== 46 /* . */ || end - 20 > 9 || end === 20) return undefined;
    for (let i = 20; i < end; i++) {
      const c = t.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      frac = frac * 10 + c;
    }
    frac *= POW10[9 - (end - 20)];
  } else if (end !== 19) return undefined;
  // Whole seconds fit a double exactly, and so do nanoseconds within a second: one BigInt step joins them.
  return BigInt(base / 1000 + (hh * 60 + mm) * 60 + ss) * 1_000_000_000n + BigInt(frac);
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

function digits2(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * What a timestamp may be: the years 0001–9999 in UTC, which ATIF's ISO 8601 timestamps (and every
 * reader of them) can hold. Past either end the output would not be valid: such input is refused.
 */
export const MIN_TIMESTAMP_NS: Nanos = BigInt(daysFromCivil(1, 1, 1)) * 86_400n * 1_000_000_000n;
export const MAX_TIMESTAMP_NS: Nanos = BigInt(daysFromCivil(10_000, 1, 1)) * 86_400n * 1_000_000_000n - 1n;
export const OUT_OF_RANGE = 'outside the years 0001–9999 (UTC) that an ATIF timestamp can hold';

/**
 * The last instant a raw record's time may be: the day before the last one. The replay derives later
 * times from record times (an end 1 µs after its start, an idle timeout, the shutdown after the last
 * record), which must stay within what an ATIF timestamp can hold too.
 */
export const MAX_RAW_TIMESTAMP_NS: Nanos = BigInt(daysFromCivil(9999, 12, 31)) * 86_400n * 1_000_000_000n - 1n;
export const RAW_OUT_OF_RANGE = 'outside 0001-01-01 – 9999-12-30 (UTC): a raw record needs a day of room for the times the replay derives from it';

/** A raw record's time ({@link parseRfc3339}, up to {@link MAX_RAW_TIMESTAMP_NS}), or why it is refused. */
export function rawRecordTime(text: string): { ns: Nanos } | { problem: string } {
  // Parsed once on the common path; only a refused text is looked at again, for its reason.
  const ns = parseRfc3339(text);
  if (ns === undefined) return { problem: rfc3339Problem(text)! };
  return ns > MAX_RAW_TIMESTAMP_NS ? { problem: RAW_OUT_OF_RANGE } : { ns };
}

const inRange = (ns: Nanos | undefined): Nanos | undefined => (ns !== undefined && ns >= MIN_TIMESTAMP_NS && ns <= MAX_TIMESTAMP_NS ? ns : undefined);

/** An RFC 3339 timestamp, or undefined when the text is none or its instant is out of range (see {@link rfc3339Problem}). */
export function parseRfc3339(text: string): Nanos | undefined {
  return inRange(parseCanonicalUtc(text) ?? parseAnyRfc3339(text));
}

/** Why {@link parseRfc3339} refuses a text, undefined when it does not: the message of an input check. */
export function rfc3339Problem(text: string): string | undefined {
  if (parseRfc3339(text) !== undefined) return undefined;
  if (parseAnyRfc3339(text) !== undefined) return OUT_OF_RANGE;
  return ZONELESS.test(text) ? NO_ZONE : 'not an RFC 3339 timestamp';
}

/** Integer epoch microseconds (ATOF's other wire form), undefined when out of range. */
export function fromEpochMicros(us: bigint): Nanos | undefined {
  return inRange(us * 1000n);
}

function parseAnyRfc3339(text: string): Nanos | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(Number(y), month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = (daysFromCivil(Number(y), month, day) * 86_400 + (hour * 60 + minute) * 60 + (second === 60 ? 59 : second)) * 1000;
  let offsetMinutes = 0;
  if (off !== undefined && off !== 'Z' && off !== 'z') {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const fracNs = frac ? BigInt(frac.padEnd(9, '0')) : 0n;
  const leap = second === 60 ? 1_000_000_000n : 0n;
  return (BigInt(ms) - BigInt(offsetMinutes) * 60_000n) * 1_000_000n + fracNs + leap;
}


const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Date's range (±100,000,000 days) in seconds. */
const MAX_DATE_SECS = 8.64e12;

/** The `YYYY-MM-DDT` prefix of the last day formatted: consecutive timestamps nearly always share it. */
let lastDay = NaN;
let lastDayText = '';

/**
 * chrono's `to_rfc3339()` for a UTC time: no fraction when whole seconds, else 3, 6 or 9 digits,
 * and `+00:00` instead of `Z`.
 */
export function formatRfc3339(ns: Nanos): string {
  let secsBig = ns / 1_000_000_000n;
  let subBig = ns % 1_000_000_000n;
  if (subBig < 0n) {
    subBig += 1_000_000_000n;
    secsBig -= 1n;
  }
  // Seconds (within Date's range) and nanoseconds are exact doubles: the rest is Number arithmetic.
  const secs = Number(secsBig);
  const sub = Number(subBig);
  let frac = '';
  if (sub !== 0) {
    if (sub % 1_000_000 === 0) frac = '.' + pad(sub / 1_000_000, 3);
    else if (sub % 1000 === 0) frac = '.' + pad(sub / 1000, 6);
    else frac = '.' + pad(sub, 9);
  }
  // Outside Date's range every field has always printed as NaN; such output stays as it was.
  if (!(Math.abs(secs) <= MAX_DATE_SECS)) return `0NaN-NaN-NaNTNaN:NaN:NaN${frac}+00:00`;
  const day = Math.floor(secs / 86_400);
  if (day !== lastDay) {
    const date = new Date(day * 86_400_000);
    lastDayText = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T`;
    lastDay = day;
  }
  const s = secs - day * 86_400;
  const hms = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  return `${lastDayText}${hms}${frac}+00:00`;
}

/** Unix seconds with millisecond precision (floor to whole ms), as the invocation extras carry them. */
export function epochSecondsMillis(ns: Nanos): number {
  let ms = ns / 1_000_000n;
  if (ns < 0n && ns % 1_000_000n !== 0n) ms -= 1n;
  return Number(ms) / 1000;
}
