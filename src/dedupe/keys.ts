import { isObject, stringAt, type Json } from '../json/value.js';
import { unwrapLlmRequest } from '../providers/content.js';
import { pushTo } from '../util/group-by.js';

/** Paths that carry a request id; all share the `request:` namespace. */
const REQUEST_PATHS = [
  'api_call_id', 'apiCallId', 'request_id', 'requestId', 'request.id', 'metadata.request_id', 'metadata.requestId',
  'extra.api_call_id', 'extra.apiCallId', 'extra.request_id', 'extra.requestId', 'llm_correlation_request_id',
];
/** Paths that carry a generation id (`generation:` namespace; never matches a request id). */
const GENERATION_PATHS = [
  'generation_id', 'generationId', 'generation.id', 'metadata.generation_id', 'metadata.generationId',
  'extra.generation_id', 'extra.generationId', 'llm_correlation_generation_id',
];

export interface KeyOrigin {
  event: 'start' | 'end';
  source: 'metadata' | 'data' | 'unwrapped';
  path: string;
}

/** Correlation keys (`request:<id>` / `generation:<id>`) with every place each was found. */
export type CorrelationKeys = Map<string, KeyOrigin[]>;

export function collectKeys(event: 'start' | 'end', metadata: Json | undefined, data: Json | undefined, into: CorrelationKeys): void {
  if (metadata !== undefined) scan(metadata, event, 'metadata', into);
  if (data !== undefined) {
    scan(data, event, 'data', into);
    const unwrapped = unwrapLlmRequest(data);
    // Without an envelope the reference scans the same value twice; once gives the same key set.
    if (unwrapped !== data) scan(unwrapped, event, 'unwrapped', into);
  }
}

/**
 * Paths grouped by their first key, so a scan only looks up the paths whose first key the object
 * has; `rank` keeps the order of the full list, which decides the order of recorded origins.
 */
type PathEntry = { kind: 'request' | 'generation'; path: string; rank: number };
const BY_FIRST_KEY = new Map<string, PathEntry[]>();
[...REQUEST_PATHS.map((path) => ({ kind: 'request' as const, path })), ...GENERATION_PATHS.map((path) => ({ kind: 'generation' as const, path }))].forEach((entry, rank) => {
  const first = entry.path.split('.')[0];
  BY_FIRST_KEY.set(first, [...(BY_FIRST_KEY.get(first) ?? []), { ...entry, rank }]);
});

// Runs six times per LLM span, and usually finds one first key or none: `for…in` walks the keys
// without a list, and the paths of a single first key are used as they are (already in rank order).
function scan(value: Json, event: KeyOrigin['event'], source: KeyOrigin['source'], into: CorrelationKeys): void {
  if (!isObject(value)) return;
  let hits: PathEntry[] | undefined;
  let merged = false;
  for (const key in value) {
    const entries = BY_FIRST_KEY.get(key);
    if (!entries) continue;
    if (!hits) hits = entries;
    else {
      hits = [...hits, ...entries];
      merged = true;
    }
  }
  if (!hits) return;
  if (merged) hits.sort((a, b) => a.rank - b.rank);
  for (const { kind, path } of hits) {
    const v = stringAt(value, path);
    if (v === undefined || v === '') continue;
    const key = `${kind}:${v}`;
    pushTo(into, key, { event, source, path });
  }
}

export function sharedKeys(a: CorrelationKeys, b: CorrelationKeys): string[] {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  return [...small.keys()].filter((k) => big.has(k)).sort();
}

/** Whether two key sets share a key ({@link sharedKeys} non-empty, without building the list). */
export function shareKey(a: CorrelationKeys, b: CorrelationKeys): boolean {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const k of small.keys()) if (big.has(k)) return true;
  return false;
}
