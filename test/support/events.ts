import { decodeAtof, type AtofEvent } from '../../src/ingest/atof.js';
import { parseJson } from '../../src/json/parse.js';
import type { Json, JsonObject } from '../../src/json/value.js';
import { readFileSync } from 'node:fs';

/** Builds ATOF events for tests; timestamps are `t+<ms>` after 2026-01-01. */
export const P = '01970000-0000-7000-8000-000000000001';
export const uuid = (n: number) => `01970000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
export const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

let seq = 0;
export function ev(fields: Record<string, unknown>): AtofEvent {
  const raw = { kind: 'scope', atof_version: '0.1', attributes: [], ...fields } as JsonObject;
  const r = decodeAtof(raw, seq++);
  if (!r.ok) throw new Error(`bad test event: ${r.path}: ${r.message}`);
  return r.event;
}

export interface SpanSpec {
  uuid: string;
  parent?: string;
  start: number;
  end: number;
  name?: string;
  model?: string;
  startMeta?: Json;
  endMeta?: Json;
  request: Json;
  response: Json;
}

/** An LLM span as a start and an end event. */
export function llmSpan(s: SpanSpec): [AtofEvent, AtofEvent] {
  const common = { category: 'llm', uuid: s.uuid, parent_uuid: s.parent ?? null, name: s.name ?? 'llm', category_profile: s.model ? { model_name: s.model } : {} };
  return [
    ev({ ...common, scope_category: 'start', timestamp: at(s.start), data: s.request, metadata: s.startMeta ?? null }),
    ev({ ...common, scope_category: 'end', timestamp: at(s.end), data: s.response, metadata: s.endMeta ?? null }),
  ];
}

export function readNdjsonEvents(path: string): AtofEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const r = decodeAtof(parseJson(line) as JsonObject, i);
      if (!r.ok) throw new Error(`${path}:${i + 1}: ${r.message}`);
      return r.event;
    });
}
