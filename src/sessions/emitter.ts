import type { UuidSource } from '../hooks/index.js';
import { mergeJson } from '../hooks/index.js';
import type { LineRef } from '../ingest/accounting.js';
import type { AtofEvent } from '../ingest/atof.js';
import { formatRfc3339, type Nanos } from '../ingest/time.js';
import type { Json, JsonObject } from '../json/value.js';

/**
 * Emits ATOF 0.1 events in the exact wire shape NeMo-Relay's runtime writes (relay-cli.md §3.1,
 * atof-0.1-spec.md §2–§3), as `AtofEvent` values whose `raw` is that wire object. Uuids and
 * timestamps come from the replay's current {@link Moment} instead of the wall clock.
 */

/** Where the replay stands: the record time, the id source for this timeline point, and its input line. */
export interface Moment {
  atNs: Nanos;
  ids: UuidSource;
  origin?: LineRef;
}

export type ScopeCategoryName = 'agent' | 'llm' | 'tool';

/** A scope the runtime has opened: what its end event must repeat. */
export interface ScopeHandle {
  uuid: string;
  /** Always set: the runtime falls back to the top of the session's stack (ultimately its unemitted root). */
  parentUuid: string;
  name: string;
  category: ScopeCategoryName;
  attributes: string[];
  metadata: Json;
  categoryProfile: JsonObject | null;
  startNs: Nanos;
}

export interface ScopeStart {
  parentUuid: string;
  name: string;
  category: ScopeCategoryName;
  attributes?: string[];
  data: Json;
  metadata: Json;
  categoryProfile?: JsonObject | null;
  /** A uuid chosen by the caller (gateway LLM spans get theirs before the start is emitted). */
  uuid?: string;
}

export interface ScopeEnd {
  data: Json;
  /** Tool and LLM ends merge this over the start metadata (`merge_json`); other scopes repeat the start's. */
  metadata?: Json;
  /** Replaces the start's profile (an LLM end adds `annotated_response`). */
  categoryProfile?: JsonObject;
}

const ONE_MICROSECOND = 1000n;

export class AtofEmitter {
  moment: Moment;
  /** Timestamps never go backwards: the live clock only advances, and the exporter orders by timestamp. */
  private lastNs: Nanos | undefined;
  private seq: number;

  constructor(
    private readonly sink: (event: AtofEvent) => void,
    initial: Moment,
    firstSeq = 0,
  ) {
    this.moment = initial;
    this.seq = firstSeq;
  }

  newUuid(): string {
    return this.moment.ids.next();
  }

  startScope(start: ScopeStart): ScopeHandle {
    const handle: ScopeHandle = {
      uuid: start.uuid ?? this.newUuid(),
      parentUuid: start.parentUuid,
      name: start.name,
      category: start.category,
      attributes: [...new Set(start.attributes ?? [])].sort(),
      metadata: start.metadata,
      categoryProfile: start.categoryProfile ?? null,
      startNs: this.stamp(),
    };
    this.emitScope(handle, 'start', handle.startNs, start.data, handle.metadata, handle.categoryProfile);
    return handle;
  }

  /** The end of `handle`, strictly after its start (start + 1 µs when the clock did not advance). */
  endScope(handle: ScopeHandle, end: ScopeEnd): void {
    const at = this.stamp(handle.startNs + ONE_MICROSECOND);
    const metadata = handle.category === 'agent' ? handle.metadata : (mergeJson(handle.metadata, end.metadata) ?? null);
    this.emitScope(handle, 'end', at, end.data, metadata, end.categoryProfile ?? handle.categoryProfile);
  }

  /** An input ATOF event passed through unchanged, numbered on the same timeline as the emitted ones. */
  passThrough(event: AtofEvent): void {
    event.seq = this.seq++;
    this.sink(event);
  }

  mark(parentUuid: string, name: string, data: Json, metadata: Json): void {
    const uuid = this.newUuid();
    const ts = this.stamp();
    // Keys in sorted order, the order they are printed in: the printer then reuses the object as it is.
    const raw: JsonObject = {
      atof_version: '0.1',
      category: null,
      category_profile: null,
      data,
      data_schema: null,
      kind: 'mark',
      metadata,
      name,
      parent_uuid: parentUuid,
      timestamp: formatRfc3339(ts),
      uuid,
    };
    this.push({ kind: 'mark', uuid, parentUuid, ts, name, raw }, data, metadata);
  }

  private emitScope(handle: ScopeHandle, phase: 'start' | 'end', ts: Nanos, data: Json, metadata: Json, profile: JsonObject | null): void {
    // Keys in sorted order (see mark).
    const raw: JsonObject = {
      atof_version: '0.1',
      attributes: handle.attributes,
      category: handle.category,
      category_profile: profile,
      data,
      data_schema: null,
      kind: 'scope',
      metadata,
      name: handle.name,
      parent_uuid: handle.parentUuid,
      scope_category: phase,
      timestamp: formatRfc3339(ts),
      uuid: handle.uuid,
    };
    const event: Omit<AtofEvent, 'seq'> = { kind: 'scope', uuid: handle.uuid, parentUuid: handle.parentUuid, ts, name: handle.name, raw, scopeCategory: phase, category: handle.category };
    if (profile) event.categoryProfile = profile;
    this.push(event, data, metadata);
  }

  /** Fills the fields `decodeAtof` would read from `raw` (a JSON null is absent) and hands the event on. */
  private push(event: Omit<AtofEvent, 'seq'>, data: Json, metadata: Json): void {
    const full = event as AtofEvent;
    if (data !== null) full.data = data;
    if (metadata !== null) full.metadata = metadata;
    full.seq = this.seq++;
    if (this.moment.origin) full.origin = this.moment.origin;
    this.sink(full);
  }

  private stamp(atLeast?: Nanos): Nanos {
    let ts = this.moment.atNs;
    if (this.lastNs !== undefined && this.lastNs > ts) ts = this.lastNs;
    if (atLeast !== undefined && atLeast > ts) ts = atLeast;
    this.lastNs = ts;
    return ts;
  }
}
