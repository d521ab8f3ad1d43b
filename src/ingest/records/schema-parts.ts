import { z } from 'zod';
import { isNumber, isObject, numberValue, type JsonNumber } from '../../json/value.js';
import { rawRecordTime } from '../time.js';

/** Building blocks shared by the gateway-record and HAR schemas. Numbers may arrive as JsonNumber. */

/** A raw record's RFC 3339 time (the test of {@link rfc3339}, for hand-written checks too): see rawRecordTime. */
export const isRfc3339 = (v: unknown): v is string => typeof v === 'string' && 'ns' in rawRecordTime(v);

export const rfc3339 = z.string().refine(isRfc3339, { error: (issue) => problemOf(rawRecordTime(String(issue.input))) });

const problemOf = (r: ReturnType<typeof rawRecordTime>) => ('problem' in r ? r.problem : undefined);

export const jsonNumber = z.custom<number | JsonNumber>((v) => isNumber(v), 'not a number');

/** An HTTP status code: an integer 0–999 (the test of {@link httpStatus}, for hand-written checks too). */
export function isHttpStatusCode(v: unknown): v is number | JsonNumber {
  if (!isNumber(v)) return false;
  const n = numberValue(v);
  return Number.isInteger(n) && n >= 0 && n <= 999;
}

export const httpStatus = z.custom<number | JsonNumber>(isHttpStatusCode, 'not an HTTP status code (an integer 0–999)');

/** A header value: a string, or several (first wins where one value is read). */
export const headerValues = z.record(z.string(), z.union([z.string(), z.array(z.string())], { error: 'a header value must be a string or an array of strings' }));

/** Header names zod's record parse skips or reads through (`__proto__`, a `constructor` it calls plain). */
const SPECIAL_HEADER_NAMES = ['__proto__', 'constructor'];

/**
 * What a hand-written check of a record may accept as {@link headerValues}: an object of strings and
 * lists of strings, with no name that zod reads in its own way (those are left to zod).
 */
export function isPlainHeaderValues(h: unknown): h is Record<string, string | string[]> {
  if (!isObject(h)) return false;
  for (const name of Object.keys(h)) {
    if (SPECIAL_HEADER_NAMES.includes(name)) return false;
    const v = h[name];
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return false;
  }
  return true;
}

/** Which of the alternative body fields `keys` a record gives (a null field counts as absent). */
export function givenOf(obj: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((k) => obj[k] !== undefined && obj[k] !== null);
}

/** At-most-one-of check for the alternative body fields of a record (a null field counts as absent). */
export function atMostOneOf(obj: Record<string, unknown>, keys: readonly string[], ctx: z.RefinementCtx): void {
  const present = givenOf(obj, keys);
  if (present.length > 1) {
    ctx.addIssue({ code: 'custom', path: [present[1]], message: `give only one of ${keys.join(', ')} (found ${present.join(' and ')})` });
  }
}
