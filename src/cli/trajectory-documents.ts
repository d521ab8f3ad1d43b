import { scanJsonText } from '../atif/validate/json-scan.js';

/** One trajectory to validate: its bytes and, in an NDJSON input, its 1-based line. */
export interface TrajectoryDocument {
  line?: number;
  bytes: Uint8Array;
}

const LF = 0x0a;

/**
 * The trajectories of one `validate` input, read chunk by chunk. What the first non-blank line says
 * decides the form: a complete JSON value there means NDJSON (what `convert -o -` writes), one
 * trajectory per non-blank line, each checked on its own, so a broken line is reported at its line
 * and the others are still checked, and no more than one line is held at a time. Otherwise the input
 * is one JSON document (a pretty-printed trajectory file), held whole, as its validation needs.
 * An NDJSON input of a single line is reported as a document (no line number), as a file is.
 */
export async function* trajectoryDocuments(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<TrajectoryDocument> {
  // A field, not a local: the line handler below changes it, which narrowing of a local would not see.
  const input = { form: 'undecided' as 'undecided' | 'ndjson' | 'document' };
  const isDocument = () => input.form === 'document';
  const whole: Buffer[] = [];
  let carry: Buffer[] = [];
  let lineNo = 0;
  let first: TrajectoryDocument | undefined;
  let count = 0;

  // Returns the documents a completed line yields (none for a blank line or a document's line).
  const completeLine = (bytes: Buffer): TrajectoryDocument[] => {
    lineNo++;
    if (input.form === 'document') return [];
    if (isBlank(bytes)) return [];
    if (input.form === 'undecided') input.form = isJsonValue(bytes) ? 'ndjson' : 'document';
    if (input.form === 'document') return [];
    count++;
    const doc = { line: lineNo, bytes };
    if (count === 1) {
      first = doc;
      return [];
    }
    return count === 2 ? [first!, doc] : [doc];
  };

  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (input.form !== 'ndjson') whole.push(chunk);
    if (input.form === 'document') continue;
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
      const piece = chunk.subarray(start, lf);
      const line = carry.length > 0 ? Buffer.concat([...carry, piece]) : piece;
      carry = [];
      start = lf + 1;
      yield* completeLine(line);
      if (isDocument()) break;
    }
    if (input.form === 'ndjson') whole.length = 0;
    if (!isDocument() && start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (input.form !== 'document' && carry.length > 0) yield* completeLine(Buffer.concat(carry));
  if (input.form === 'ndjson') {
    if (count === 1) yield { bytes: first!.bytes };
    return;
  }
  // One document, or an input with no non-blank line (reported as not JSON, as the reference does).
  yield { bytes: Buffer.concat(whole) };
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/** Whether the line is a JSON value by itself, as the validator reads JSON (NaN and Infinity included). */
function isJsonValue(bytes: Buffer): boolean {
  return scanJsonText(bytes.toString('utf8').trim()) !== undefined;
}
