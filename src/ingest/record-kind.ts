import { hasOwn, isObject, type Json } from '../json/value.js';
import { looksLikeAtof } from './atof.js';
import { looksLikeGatewayRecord } from './records/gateway.js';
import { isHarDocument, looksLikeHarEntry } from './records/har.js';

/** What kind of input record (input-records.md) a parsed line is, from its fields alone. */

export type RecordKindClass = 'atof' | 'hook' | 'bare-hook' | 'gateway' | 'har-entry' | 'har-document' | 'unknown';

/** The record kind of a parsed line, from its fields alone. A `record` naming no known kind is unknown. */
export function classifyRecordKind(value: Json): RecordKindClass {
  if (looksLikeAtof(value)) return 'atof';
  if (!isObject(value)) return 'unknown';
  if (hasOwn(value, 'record')) return value.record === 'hook' ? 'hook' : looksLikeGatewayRecord(value) ? 'gateway' : 'unknown';
  if (looksLikeHarEntry(value)) return 'har-entry';
  if (isHarDocument(value)) return 'har-document';
  if (hasOwn(value, 'hook_event_name')) return 'bare-hook';
  return 'unknown';
}

/** What each record kind is called in messages. */
export const RECORD_NAMES: Record<Exclude<RecordKindClass, 'unknown'>, string> = {
  atof: 'ATOF event',
  hook: 'hook record',
  'bare-hook': 'hook payload',
  gateway: 'gateway capture',
  'har-entry': 'HAR entry',
  'har-document': 'HAR document',
};
