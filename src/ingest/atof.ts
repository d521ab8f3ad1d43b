import { z } from 'zod';
import { isObject, JsonNumber, type Json, type JsonObject } from '../json/value.js';
import { fromEpochMicros, OUT_OF_RANGE, parseRfc3339, rfc3339Problem, type Nanos } from './time.js';
import { parseUuid } from './uuid.js';

/** Where an event came from, for messages and for `explain`. */
export interface Origin {
  file: string;
  line: number;
}

/**
 * One ATOF 0.1 event as the exporter sees it (the reference's `Event`). `data` and `metadata` are
 * undefined when absent or JSON `null` (serde reads an Option holding null as None).
 */
export interface AtofEvent {
  kind: 'scope' | 'mark';
  uuid: string;
  parentUuid?: string;
  ts: Nanos;
  name: string;
  data?: Json;
  metadata?: Json;
  scopeCategory?: 'start' | 'end';
  category?: string;
  categoryProfile?: JsonObject;
  /** The event as read, for the root `extra.observed_events`. */
  raw: JsonObject;
  /** The line's text, when read from NDJSON: written back verbatim instead of re-serialising the event. */
  rawText?: string;
  /** Position on the merged input timeline; breaks timestamp ties. */
  seq: number;
  origin?: Origin;
}

const uuidText = z.string().refine((s) => parseUuid(s) !== undefined, 'not a UUID');
const timestamp = z.union([
  z.string().refine((s) => parseRfc3339(s) !== undefined, { error: (issue) => rfc3339Problem(String(issue.input)) }),
  z
    .custom<number | JsonNumber>(
      (v) => (typeof v === 'number' && Number.isSafeInteger(v)) || (v instanceof JsonNumber && v.isIntegerLiteral),
      'not an integer of epoch microseconds',
    )
    .refine((v) => fromEpochMicros(BigInt(typeof v === 'number' ? v : v.text)) !== undefined, OUT_OF_RANGE),
]);
const optionalJson = z.unknown().optional();
/** `"MAJOR.MINOR"` with major 0: any 0.x is read; another major is not ATOF 0.1's format (spec §2: fail fast). */
const READABLE_VERSION = /^0\.\d+$/;

/** zod model of the ATOF 0.1 envelope; unknown keys are tolerated as the Rust reader does. */
export const atofEnvelopeSchema = z.looseObject({
  kind: z.enum(['scope', 'mark']),
  atof_version: z.string().refine((s) => READABLE_VERSION.test(s), 'unsupported ATOF version: this reads 0.x ("MAJOR.MINOR")'),
  uuid: uuidText,
  parent_uuid: uuidText.nullish(),
  timestamp,
  name: z.string(),
  data: optionalJson,
  // Rust's DataSchema struct: both fields strings, other keys ignored.
  data_schema: z.looseObject({ name: z.string(), version: z.string() }).nullish(),
  metadata: optionalJson,
  scope_category: z.enum(['start', 'end']).optional(),
  attributes: z.array(z.string()).nullish(),
  category: z.string().nullish(),
  category_profile: z.record(z.string(), z.unknown()).nullish(),
}).superRefine((v, ctx) => {
  for (const key of PROFILE_TEXT_KEYS) {
    if (v.category_profile && !nullish(v.category_profile[key]) && typeof v.category_profile[key] !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['category_profile', key], message: `${key} must be a string (or null)` });
    }
  }
  if (v.kind === 'scope' && v.scope_category === undefined) {
    ctx.addIssue({ code: 'custom', path: ['scope_category'], message: 'a scope event needs scope_category' });
  }
  if (v.kind === 'scope' && (v.category === undefined || v.category === null)) {
    ctx.addIssue({ code: 'custom', path: ['category'], message: 'a scope event needs category' });
  }
});

/** Profile keys the Rust reader types as strings (spec §3.3): another type fails the whole event there. */
const PROFILE_TEXT_KEYS = ['model_name', 'tool_call_id', 'subtype'] as const;

/** Detection: a line is meant as an ATOF event when it names an ATOF version and a kind. */
export function looksLikeAtof(v: Json): v is JsonObject {
  return isObject(v) && 'atof_version' in v && (v.kind === 'scope' || v.kind === 'mark');
}

export type DecodeResult = { ok: true; event: AtofEvent } | { ok: false; path: string; message: string };

export function decodeAtof(raw: JsonObject, seq: number, origin?: Origin): DecodeResult {
  // The common, valid case is checked by hand (each field parsed once); zod runs only to describe a
  // failure with its path. Both accept exactly the same events (test/ingest-atof-decode.test.ts).
  const event = fastDecode(raw, seq);
  if (event) {
    if (origin) event.origin = origin;
    return { ok: true, event };
  }
  const r = atofEnvelopeSchema.safeParse(raw);
  if (r.success) return { ok: false, path: '(root)', message: 'not an ATOF 0.1 event' };
  const issue = r.error.issues[0];
  return { ok: false, path: issue.path.join('.') || '(root)', message: issue.message };
}

const nullish = (v: unknown) => v === undefined || v === null;
const textOrUnset = (v: unknown) => v === undefined || v === null || typeof v === 'string';

function fastDecode(raw: JsonObject, seq: number): AtofEvent | undefined {
  const kind = raw.kind;
  if ((kind !== 'scope' && kind !== 'mark') || typeof raw.atof_version !== 'string' || !READABLE_VERSION.test(raw.atof_version) || typeof raw.name !== 'string') return undefined;
  if (typeof raw.uuid !== 'string') return undefined;
  const uuid = parseUuid(raw.uuid);
  if (uuid === undefined) return undefined;
  let parentUuid: string | undefined;
  if (!nullish(raw.parent_uuid)) {
    if (typeof raw.parent_uuid !== 'string') return undefined;
    parentUuid = parseUuid(raw.parent_uuid);
    if (parentUuid === undefined) return undefined;
  }
  const t = raw.timestamp;
  let ts: Nanos | undefined;
  if (typeof t === 'string') ts = parseRfc3339(t);
  else if (typeof t === 'number' && Number.isSafeInteger(t)) ts = fromEpochMicros(BigInt(t));
  else if (t instanceof JsonNumber && t.isIntegerLiteral) ts = fromEpochMicros(BigInt(t.text));
  if (ts === undefined) return undefined;
  const sc = raw.scope_category;
  if (kind === 'scope' ? sc !== 'start' && sc !== 'end' : sc !== undefined && sc !== 'start' && sc !== 'end') return undefined;
  const category = raw.category;
  if (kind === 'scope' ? typeof category !== 'string' : !nullish(category) && typeof category !== 'string') return undefined;
  const attributes = raw.attributes;
  if (!nullish(attributes) && !(Array.isArray(attributes) && attributes.every((a) => typeof a === 'string'))) return undefined;
  const profile = raw.category_profile;
  if (!nullish(profile) && !isObject(profile)) return undefined;
  if (isObject(profile) && (!textOrUnset(profile.model_name) || !textOrUnset(profile.tool_call_id) || !textOrUnset(profile.subtype))) return undefined;
  const schema = raw.data_schema;
  if (!nullish(schema) && !(isObject(schema) && typeof schema.name === 'string' && typeof schema.version === 'string')) return undefined;
  const event: AtofEvent = { kind, uuid, ts, name: raw.name, raw, seq };
  if (parentUuid !== undefined) event.parentUuid = parentUuid;
  if (!nullish(raw.data)) event.data = raw.data;
  if (!nullish(raw.metadata)) event.metadata = raw.metadata;
  if (kind === 'scope') event.scopeCategory = sc as 'start' | 'end';
  if (typeof category === 'string') event.category = category;
  if (isObject(profile)) event.categoryProfile = profile;
  return event;
}

/** `category_profile.model_name` when it is a string. */
export function profileModelName(e: AtofEvent): string | undefined {
  const m = e.categoryProfile?.model_name;
  return typeof m === 'string' ? m : undefined;
}

/** `category_profile.tool_call_id` when it is a string. */
export function profileToolCallId(e: AtofEvent): string | undefined {
  const id = e.categoryProfile?.tool_call_id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * `category_profile.tool_result_annotation`: the opaque annotation NeMo-Relay 0.8 (#575) puts on a
 * successful tool end beside its result. JSON null is no annotation (as the reference reads it).
 */
export function profileToolResultAnnotation(e: AtofEvent): Json | undefined {
  const a = e.categoryProfile?.tool_result_annotation;
  return a === undefined || a === null ? undefined : a;
}
