import type { AtofEvent } from '../ingest/atof.js';
import { epochSecondsMillis, type Nanos } from '../ingest/time.js';
import { getOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import type { Ancestry, Invocation } from './types.js';

/*
 * The objects built here (and the steps, tool calls and metrics built elsewhere) get their keys in
 * sorted order: the printer then writes them as they are instead of copying each into sorted order.
 */

/** One level of ancestry: the event and its parent (named only when the parent's start was collected). */
export function buildAncestry(e: AtofEvent, starts: ReadonlyMap<string, AtofEvent>): Ancestry {
  const a: Ancestry = { function_id: e.uuid, function_name: e.name };
  if (e.parentUuid !== undefined) {
    a.parent_id = e.parentUuid;
    const parentName = starts.get(e.parentUuid)?.name;
    if (parentName !== undefined) a.parent_name = parentName;
  }
  return a;
}

/** Invocation info; both timestamps only when the start is known (they come as a pair or not at all). */
export function buildInvocation(startTs: Nanos | undefined, endTs: Nanos, invocationId: string): Invocation {
  if (startTs === undefined) return { framework: 'nemo_relay', invocation_id: invocationId, status: 'completed' };
  return {
    end_timestamp: epochSecondsMillis(endTs),
    framework: 'nemo_relay',
    invocation_id: invocationId,
    start_timestamp: epochSecondsMillis(startTs),
    status: 'completed',
  };
}

/** Result / tool-call `extra` describing the source event. */
export function eventExtra(e: AtofEvent): JsonObject {
  const extra: JsonObject = { event_name: e.name, event_uuid: e.uuid };
  if (e.metadata !== undefined) extra.metadata = e.metadata;
  if (e.parentUuid !== undefined) extra.parent_event_uuid = e.parentUuid;
  return extra;
}

const DELEGATION_KEYS = [
  'tool_call_id', 'toolCallId', 'source_call_id', 'sourceCallId', 'delegation_tool_call_id', 'delegationToolCallId',
  'parent_tool_call_id', 'parentToolCallId',
];

/** The tool-call id a child agent's start names as its delegation, from the known key list. */
export function delegationToolCallId(v: Json | undefined): string | undefined {
  if (!isObject(v)) return undefined;
  for (const k of DELEGATION_KEYS) {
    const x = getOwn(v, k);
    if (typeof x === 'string') return x;
  }
  const extra = getOwn(v, 'extra');
  if (isObject(extra)) {
    for (const k of DELEGATION_KEYS) {
      const x = getOwn(extra, k);
      if (typeof x === 'string') return x;
    }
  }
  return undefined;
}

