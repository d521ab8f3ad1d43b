import { parseJson } from '../json/parse.js';
import { canonicalJson } from '../json/stringify.js';
import { getOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import type { RecordKind } from './accounting.js';
import { decodeAtof, type AtofEvent } from './atof.js';
import type { GatewayRecord, HookRecord } from './read-records.js';
import type { DecodeExchangeResult } from './records/exchange.js';
import { decodeGatewayRecord } from './records/gateway.js';
import { decodeHarEntry } from './records/har.js';
import { holdText, readText, type HeldText, type TextSpill } from './spill.js';

/**
 * Raw records held until the replay at the end of input (`holdRaw`): a hook or gateway record keeps
 * its text and its place on the timeline, not its decoded payload, which is read again from the text
 * — by the same decoders, so exactly as it was read — when the replay asks for it. Decoded payloads
 * are several times the size of their text: a log with hundreds of megabytes of hook and gateway
 * records would otherwise be held decoded in full.
 */

/** A gateway capture or HAR entry, decoded; `fallbackId` names the capture when it has no id of its own. */
export function decodeExchange(kind: Extract<RecordKind, 'gateway' | 'har'>, value: JsonObject, fallbackId: string): DecodeExchangeResult {
  return kind === 'gateway' ? decodeGatewayRecord(value, { fallbackId }) : decodeHarEntry(value, { fallbackId });
}

/**
 * A hook record whose payload is read again from its text at each use (the replay reads it once): a
 * hook record line (`record`) holds it under `payload`, a bare payload line (`bare`) is the payload.
 */
export function heldHook(record: Omit<HookRecord, 'payload'>, text: string, form: 'record' | 'bare', spill?: TextSpill): HookRecord {
  return new HeldHook(record, holdText(text, spill), form === 'bare');
}

/**
 * A gateway record whose exchange, prepared start and outcome are decoded again from its text when
 * first asked for, and kept while the record is (the replay lets go of a record after its last point).
 */
export function heldGateway(record: GatewayPlace, text: string, kind: Extract<RecordKind, 'gateway' | 'har'>, fallbackId: string, spill?: TextSpill): GatewayRecord {
  return new HeldGateway(record, holdText(text, spill), kind, fallbackId);
}

/** What places a gateway record on the timeline: all a held one keeps besides its text. */
export type GatewayPlace = Omit<GatewayRecord, 'kind' | 'exchange'>;

/**
 * An ATOF event held until the end of input as the canonical JSON that `events` prints for it (in
 * memory, or past the spill's budget in its file), with the envelope that places it on the timeline.
 * Its payload is not kept (`raw` is empty): the printed text is the whole event.
 */
export function printedEvent(e: AtofEvent, spill?: TextSpill): AtofEvent {
  return new PrintedEvent(e.ts, e.seq, holdText(canonicalJson(e.raw), spill));
}

/** The canonical JSON of an event, as `events` prints it: for a held one ({@link printedEvent}), its text. */
export function eventJson(e: AtofEvent): string {
  return e instanceof PrintedEvent ? readText(e.printed) : canonicalJson(e.raw);
}

const NO_PAYLOAD: JsonObject = Object.freeze({}) as JsonObject;

// Classes, not objects with their own getters: one shape for all, a few dozen bytes per record.

class HeldHook implements HookRecord {
  readonly kind = 'hook';
  readonly agent: HookRecord['agent'];
  readonly headers: HookRecord['headers'];
  readonly atNs: HookRecord['atNs'];
  readonly timed: boolean;
  readonly timeProblem?: string;
  readonly timelessFile?: true;
  readonly bare: boolean;
  readonly seed: string;
  readonly order: number;
  readonly origin: HookRecord['origin'];

  constructor(
    record: Omit<HookRecord, 'payload'>,
    private readonly text: HeldText,
    private readonly isPayload: boolean,
  ) {
    ({ agent: this.agent, headers: this.headers, atNs: this.atNs, timed: this.timed, bare: this.bare, seed: this.seed, order: this.order, origin: this.origin } = record);
    if (record.timeProblem !== undefined) this.timeProblem = record.timeProblem;
    if (record.timelessFile) this.timelessFile = true;
  }

  get payload(): Json {
    const value = parseJson(readText(this.text));
    return this.isPayload ? value : (getOwn(value as JsonObject, 'payload') as Json);
  }
}

class HeldGateway implements GatewayRecord {
  readonly kind = 'gateway';
  readonly seed: string;
  readonly order: number;
  readonly origin: GatewayRecord['origin'];
  readonly arrivalNs: GatewayRecord['arrivalNs'];
  readonly completionNs?: GatewayRecord['completionNs'];
  private decoded?: GatewayRecord['exchange'];

  constructor(
    record: GatewayPlace,
    private readonly text: HeldText,
    private readonly source: Extract<RecordKind, 'gateway' | 'har'>,
    private readonly fallbackId: string,
  ) {
    ({ seed: this.seed, order: this.order, origin: this.origin, arrivalNs: this.arrivalNs } = record);
    if (record.completionNs !== undefined) this.completionNs = record.completionNs;
  }

  get exchange(): GatewayRecord['exchange'] {
    return this.decode();
  }

  private decode(): GatewayRecord['exchange'] {
    if (this.decoded) return this.decoded;
    const value = parseJson(readText(this.text));
    const result = isObject(value) ? decodeExchange(this.source, value, this.fallbackId) : undefined;
    // The same text decoded the same way when it was read: anything else is a bug, not bad input.
    if (!result?.ok) throw new Error(`internal: the held gateway record at input position ${this.order} no longer decodes`);
    return (this.decoded = result.exchange);
  }
}

class PrintedEvent implements AtofEvent {
  readonly raw = NO_PAYLOAD;

  constructor(
    readonly ts: AtofEvent['ts'],
    public seq: number,
    readonly printed: HeldText,
  ) {}

  // Only the time places the event; the rest of its envelope is read again from its text if asked for
  // (nothing on the way to the output asks), so that a held event costs a few dozen bytes.
  get kind(): AtofEvent['kind'] {
    return this.envelope().kind;
  }

  get uuid(): string {
    return this.envelope().uuid;
  }

  get name(): string {
    return this.envelope().name;
  }

  private envelope(): AtofEvent {
    const value = parseJson(readText(this.printed));
    const decoded = isObject(value) ? decodeAtof(value, this.seq) : undefined;
    if (!decoded?.ok) throw new Error(`internal: a held ATOF event (input position ${this.seq}) no longer decodes`);
    return decoded.event;
  }
}
