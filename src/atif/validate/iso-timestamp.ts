import { daysInMonth, isLeapYear } from '../../util/civil-date.js';

/**
 * Timestamps are accepted when the reference would accept them: replace every `Z` with `+00:00`,
 * then CPython ≥ 3.11 `datetime.fromisoformat`. That parser is far more lenient than RFC 3339
 * (date-only, naive, basic format, week dates, comma fractions, any single separator character), so
 * it is re-implemented here step by step on the string's UTF-8 bytes, the way CPython's C
 * implementation reads them; a byte past the end reads as NUL, like a C string.
 */

/** What producers should write: RFC 3339 date-time with an explicit offset. */
const RFC3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$/;

export function isRfc3339DateTime(value: string): boolean {
  return RFC3339.test(value);
}

export function isPythonIsoTimestamp(value: string): boolean {
  const bytes = utf8OfSanitized(value.replaceAll('Z', '+00:00'));
  return bytes !== undefined && parsesAsDatetime(bytes);
}

const DASH = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const DOT = 0x2e;
const COMMA = 0x2c;
const UPPER_W = 0x57;
const UPPER_Z = 0x5a;

/**
 * CPython replaces a lone surrogate in one of the possible separator positions (7, 8, 10) with `T`;
 * any other lone surrogate makes the UTF-8 conversion, and so the parse, fail.
 */
function utf8OfSanitized(value: string): Uint8Array | undefined {
  const codePoints = Array.from(value);
  for (let i = 0; i < codePoints.length; i++) {
    if (!isLoneSurrogate(codePoints[i]!)) continue;
    if (i === 7 || i === 8 || i === 10) codePoints[i] = 'T';
    else return undefined;
  }
  return new TextEncoder().encode(codePoints.join(''));
}

function isLoneSurrogate(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return ch.length === 1 && code >= 0xd800 && code <= 0xdfff;
}

interface Cursor {
  bytes: Uint8Array;
  at(index: number): number;
}

function cursor(bytes: Uint8Array): Cursor {
  return { bytes, at: (index) => (index < bytes.length ? bytes[index]! : 0) };
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** Exactly `count` ASCII digits at `start`, or undefined. */
function digits(c: Cursor, start: number, count: number): number | undefined {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const byte = c.at(start + i);
    if (!isDigit(byte)) return undefined;
    value = value * 10 + (byte - 0x30);
  }
  return value;
}

function parsesAsDatetime(bytes: Uint8Array): boolean {
  if (bytes.length < 7) return false;
  const c = cursor(bytes);
  const separator = separatorIndex(c);
  if (separator < 0) return false;
  const date = parseDate(c, separator);
  if (!date) return false;
  let time: TimeOfDay = { hour: 0, minute: 0, second: 0, offsetMicros: 0 };
  if (bytes.length > separator) {
    const parsed = parseTimeAndOffset(c, separator + utf8Width(c.at(separator)), bytes.length);
    if (!parsed) return false;
    time = parsed;
  }
  return (
    date.year >= 1 &&
    date.year <= 9999 &&
    time.hour < 24 &&
    time.minute < 60 &&
    time.second < 60 &&
    Math.abs(time.offsetMicros) < 86_400_000_000
  );
}

function utf8Width(leadByte: number): number {
  if ((leadByte & 0x80) === 0) return 1;
  if ((leadByte & 0xf0) === 0xe0) return 3;
  if ((leadByte & 0xf0) === 0xf0) return 4;
  return 2;
}

/**
 * Where the date ends: YYYY-MM-DD (10), YYYYMMDD (8), YYYY-Www (8), YYYY-Www-D (10), YYYYWww (7),
 * YYYYWwwD (8). The character at that index is the separator, whatever it is.
 */
function separatorIndex(c: Cursor): number {
  const len = c.bytes.length;
  if (len === 7) return 7;
  if (c.at(4) === DASH) {
    if (c.at(5) !== UPPER_W) return 10;
    if (len < 8) return -1;
    if (len > 8 && c.at(8) === DASH) {
      if (len === 9) return -1;
      // YYYY-Www-## is read as a week date followed by a '-' separator and a time.
      if (len > 10 && isDigit(c.at(10))) return 8;
      return 10;
    }
    return 8;
  }
  if (c.at(4) === UPPER_W) {
    let end = 7;
    while (end < len && isDigit(c.at(end))) end++;
    if (end < 9) return end;
    return end % 2 === 0 ? 7 : 8;
  }
  return 8;
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

function parseDate(c: Cursor, length: number): CalendarDate | undefined {
  const year = digits(c, 0, 4);
  if (year === undefined) return undefined;
  const dashed = c.at(4) === DASH;
  let p = dashed ? 5 : 4;
  if (c.at(p) === UPPER_W) {
    const week = digits(c, p + 1, 2);
    if (week === undefined) return undefined;
    p += 3;
    let weekday = 1;
    if (p < length) {
      if (dashed && c.at(p++) !== DASH) return undefined;
      const parsed = digits(c, p, 1);
      if (parsed === undefined) return undefined;
      weekday = parsed;
    }
    return isoWeekDate(year, week, weekday);
  }
  const month = digits(c, p, 2);
  if (month === undefined) return undefined;
  p += 2;
  if (dashed && c.at(p++) !== DASH) return undefined;
  const day = digits(c, p, 2);
  if (day === undefined) return undefined;
  return isValidDate(year, month, day) ? { year, month, day } : undefined;
}

function isValidDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** A UTC date that, unlike `Date.UTC`, does not map years 0–99 to 1900–1999. */
function utcDate(year: number, month: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  return d;
}

/** ISO week date to calendar date; week 53 exists only in years starting on a Thursday (or leap years starting on a Wednesday). */
function isoWeekDate(year: number, week: number, weekday: number): CalendarDate | undefined {
  const mondayBased = (d: Date) => (d.getUTCDay() + 6) % 7;
  if (week <= 0 || week >= 53) {
    const jan1 = mondayBased(utcDate(year, 0, 1));
    const isLeap = isLeapYear(year);
    if (!(week === 53 && (jan1 === 3 || (jan1 === 2 && isLeap)))) return undefined;
  }
  if (weekday <= 0 || weekday >= 8) return undefined;
  const jan4 = utcDate(year, 0, 4);
  const week1Monday = utcDate(year, 0, 4 - mondayBased(jan4));
  const date = new Date(week1Monday.getTime() + ((week - 1) * 7 + weekday - 1) * 86_400_000);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
  offsetMicros: number;
}

function parseTimeAndOffset(c: Cursor, start: number, end: number): TimeOfDay | undefined {
  // The offset starts at the first 'Z', '+' or '-' (the first byte is looked at even when the time is empty).
  let tz = start;
  do {
    const byte = c.at(tz);
    if (byte === UPPER_Z || byte === PLUS || byte === DASH) break;
  } while (++tz < end);
  const time = parseClock(c, start, tz);
  if (time.status < 0) return undefined;
  const [hour, minute, second] = time.values;
  if (tz === end) return time.status === 1 ? undefined : { hour, minute, second, offsetMicros: 0 };
  if (c.at(tz) === UPPER_Z) return c.at(tz + 1) !== 0 ? undefined : { hour, minute, second, offsetMicros: 0 };
  const sign = c.at(tz) === DASH ? -1 : 1;
  const offset = parseClock(c, tz + 1, end);
  if (offset.status !== 0) return undefined;
  const [oh, om, os] = offset.values;
  const offsetMicros = sign * ((oh * 3600 + om * 60 + os) * 1_000_000 + offset.micros);
  return { hour, minute, second, offsetMicros };
}

interface Clock {
  /** Negative: malformed; 1: text follows the clock; 0: the clock ends the string. */
  status: number;
  values: [number, number, number];
  micros: number;
}

/** `HH[:?MM[:?SS]][{.,}fraction]`, with CPython's tolerance for a dangling separator before the offset. */
function parseClock(c: Cursor, start: number, end: number): Clock {
  const values: [number, number, number] = [0, 0, 0];
  const fail = (status: number): Clock => ({ status, values, micros: 0 });
  let p = start;
  let colons = true;
  for (let i = 0; i < 3; i++) {
    const value = digits(c, p, 2);
    if (value === undefined) return fail(-3);
    values[i] = value;
    p += 2;
    const next = c.at(p++);
    if (i === 0) colons = next === COLON;
    if (p >= end) return { status: next !== 0 ? 1 : 0, values, micros: 0 };
    if (colons && next === COLON) continue;
    if (next === DOT || next === COMMA) break;
    if (colons) return fail(-4);
    p--;
  }
  const toParse = Math.min(end - p, 6);
  const fraction = digits(c, p, toParse);
  if (fraction === undefined) return fail(-3);
  p += toParse;
  const micros = fraction * 10 ** (6 - toParse);
  while (isDigit(c.at(p))) p++;
  return { status: c.at(p) !== 0 ? 1 : 0, values, micros };
}
