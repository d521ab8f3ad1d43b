import { z } from 'zod';
import { isNumber, numberValue, type JsonNumber } from '../../json/value.js';
import { parseRfc3339 } from '../time.js';

/** Building blocks shared by the gateway-record and HAR schemas. Numbers may arrive as JsonNumber. */

export const rfc3339 = z.string().refine((s) => parseRfc3339(s) !== undefined, 'not an RFC 3339 timestamp');

export const jsonNumber = z.custom<number | JsonNumber>((v) => isNumber(v), 'not a number');

export const httpStatus = z.custom<number | JsonNumber>((v) => {
  if (!isNumber(v)) return false;
  const n = numberValue(v);
  return Number.isInteger(n) && n >= 0 && n <= 999;
}, 'not an HTTP status code (an integer 0–999)');

/** A header value: a string, or several (first wins where one value is read). */
export const headerValues = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** At-most-one-of check for the alternative body fields of a record (a null field counts as absent). */
export function atMostOneOf(obj: Record<string, unknown>, keys: readonly string[], ctx: z.RefinementCtx): void {
  const present = keys.filter((k) => obj[k] !== undefined && obj[k] !== null);
  if (present.length > 1) {
    ctx.addIssue({ code: 'custom', path: [present[1]], message: `give only one of ${keys.join(', ')} (found ${present.join(' and ')})` });
  }
}
