import { parseJson } from '../../json/parse.js';
import type { Json } from '../../json/value.js';
import { decodeContentEncoding } from './content-encoding.js';

/** A captured HTTP body in whichever form the record carried it. */
export type BodySource =
  | { form: 'json'; value: Json }
  | { form: 'text'; text: string }
  | { form: 'base64'; base64: string; contentEncoding?: string }
  | { form: 'none' };

export interface DecodedBody {
  /** The body parsed as JSON; undefined when absent, unreadable or not JSON. */
  json?: Json;
  /** The body as text (bytes that are not valid UTF-8 decoded lossily). */
  text?: string;
  /** Length in bytes of the (decoded) body, what the live gateway counts for a non-JSON response. */
  byteLength: number;
  /** Why the body could not be read at all (bad base64, undecodable content-encoding, not UTF-8). */
  readError?: string;
  /** Why the body is not JSON (absent, empty, or a parse error). */
  jsonError?: string;
}

/** Said of a capture that carries no body at all (a request without one replays with a null request). */
export const NO_BODY = 'no body';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export function decodeBody(source: BodySource): DecodedBody {
  switch (source.form) {
    case 'none':
      // No bytes to read: not JSON, so (like an empty body) a request replays as null.
      return { byteLength: 0, jsonError: NO_BODY };
    case 'json': {
      // The length is read only where a body is not JSON: printing a large request again for it is
      // left until (if ever) it is asked for.
      const value = source.value;
      let length: number | undefined;
      return {
        json: value,
        get byteLength() {
          return (length ??= Buffer.byteLength(JSON.stringify(value) ?? 'null'));
        },
      };
    }
    case 'text':
      return fromText(source.text, Buffer.byteLength(source.text));
    case 'base64': {
      const compact = source.base64.replace(/\s+/g, '');
      if (!BASE64.test(compact) && !BASE64URL.test(compact)) return { byteLength: 0, readError: 'body_base64 is not valid base64' };
      const raw = Buffer.from(compact, BASE64.test(compact) ? 'base64' : 'base64url');
      const decoded = decodeContentEncoding(raw, source.contentEncoding);
      if (!decoded.ok) return { byteLength: raw.length, readError: decoded.message };
      return fromBytes(decoded.bytes);
    }
  }
}

/**
 * Bytes that are not UTF-8 cannot be JSON (serde refuses them), but the live SSE decoder reads them
 * lossily, so the text is still kept, with U+FFFD for the bad sequences.
 */
function fromBytes(bytes: Buffer): DecodedBody {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    return { text: lossy, byteLength: bytes.length, readError: 'body is not valid UTF-8 (so not JSON)' };
  }
  return fromText(text, bytes.length);
}

/** The live gateway parses the body once; a body that is not JSON is carried as `null`, not refused. */
function fromText(text: string, byteLength: number): DecodedBody {
  try {
    return { json: parseJson(text), text, byteLength };
  } catch (error) {
    return { text, byteLength, jsonError: text === '' ? 'body is empty' : `body is not JSON: ${(error as Error).message}` };
  }
}

/** A response with its body's byte count, read from the decoded body only when asked for (see the json case). */
export function withBodyBytes<R extends object>(response: R, body: DecodedBody): R & { bodyBytes: number } {
  return Object.defineProperty(response, 'bodyBytes', { enumerable: true, configurable: true, get: () => body.byteLength }) as R & { bodyBytes: number };
}
