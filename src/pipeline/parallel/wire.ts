import { decodeAtof, type AtofEvent } from '../../ingest/atof.js';
import { isEnvelope } from '../../ingest/read-records.js';
import { parseJson } from '../../json/parse.js';
import { canonicalJson } from '../../json/stringify.js';
import { isObject } from '../../json/value.js';
import type { WireBatch } from './protocol.js';

/** A batch being filled on the main thread. */
export class BatchBuilder {
  private batch: WireBatch = emptyBatch();
  /** Text queued so far. */
  chars = 0;

  get isEmpty(): boolean {
    return this.batch.texts.length === 0;
  }

  add(e: AtofEvent, group: number): number {
    const b = this.batch;
    const text = e.rawText ?? canonicalJson(e.raw);
    b.groups.push(group);
    b.texts.push(text);
    b.seqs.push(e.seq);
    b.files.push(e.origin?.file ?? '');
    b.lines.push(e.origin?.line ?? 0);
    this.chars += text.length;
    return text.length;
  }

  /** The batch so far, leaving this builder empty. */
  take(): WireBatch {
    const b = this.batch;
    this.batch = emptyBatch();
    this.chars = 0;
    return b;
  }
}

function emptyBatch(): WireBatch {
  return { groups: [], texts: [], seqs: [], files: [], lines: [] };
}

/**
 * The full events of a batch, read again from their text. The main thread decoded the same text
 * before routing it, so a failure here is a bug, not bad input.
 */
export function* eventsOf(b: WireBatch): Generator<{ group: number; event: AtofEvent }> {
  for (let i = 0; i < b.texts.length; i++) {
    const origin = b.files[i] === '' ? undefined : { file: b.files[i], line: b.lines[i] };
    yield { group: b.groups[i], event: decodeText(b.texts[i], b.seqs[i], origin) };
  }
}

/**
 * The event of one wire text, which it keeps as its `rawText`: for a line, the line; for an event the
 * replay built, its canonical JSON — exactly what printing it would give (the text was printed from
 * the event), so that its observed copy is not printed a second time.
 */
function decodeText(text: string, seq: number, origin: AtofEvent['origin']): AtofEvent {
  let value;
  try {
    value = parseJson(text);
  } catch (err) {
    throw new Error(`internal: a routed event (input position ${seq}) no longer parses: ${(err as Error).message}`);
  }
  const decoded = isObject(value) ? decodeAtof(value, seq, origin) : undefined;
  if (!decoded?.ok) throw new Error(`internal: a routed event (input position ${seq}) no longer decodes`);
  decoded.event.rawText = text;
  return decoded.event;
}

/** The full event of one read with its payload left behind (`envelopeOnly`): read again from its line. */
export function withPayload(e: AtofEvent): AtofEvent {
  return isEnvelope(e) ? decodeText(e.rawText!, e.seq, e.origin) : e;
}
