import * as zlib from 'node:zlib';

/**
 * HTTP `content-encoding` decoding for captured bodies. Codings listed in one header were applied in
 * order, so they are undone last-first. zstd is decoded only where the running Node has it in zlib
 * (Node 20 does not); otherwise the failure names the coding so the record can say why its body is
 * unreadable.
 */
export type DecodeOutcome = { ok: true; bytes: Buffer } | { ok: false; message: string };

type Decoder = (bytes: Buffer) => Buffer;

/** zlib's zstd entry point on Node versions that ship one (added after Node 20). */
const zstdDecompress = (zlib as unknown as { zstdDecompressSync?: Decoder }).zstdDecompressSync;

const DECODERS: Record<string, Decoder | undefined> = {
  identity: (b) => b,
  gzip: (b) => zlib.gunzipSync(b),
  'x-gzip': (b) => zlib.gunzipSync(b),
  // `deflate` is meant to be zlib-wrapped, but some servers send a raw deflate stream.
  deflate: (b) => {
    try {
      return zlib.inflateSync(b);
    } catch {
      return zlib.inflateRawSync(b);
    }
  },
  br: (b) => zlib.brotliDecompressSync(b),
  zstd: zstdDecompress,
};

export function decodeContentEncoding(bytes: Buffer, header: string | undefined): DecodeOutcome {
  if (header === undefined) return { ok: true, bytes };
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  let out = bytes;
  for (const coding of codings.reverse()) {
    if (!Object.prototype.hasOwnProperty.call(DECODERS, coding)) {
      return { ok: false, message: `unsupported content-encoding "${coding}"` };
    }
    const decode = DECODERS[coding];
    if (!decode) {
      return { ok: false, message: `content-encoding "${coding}" cannot be decoded: Node ${process.versions.node} zlib has no ${coding} support` };
    }
    try {
      out = decode(out);
    } catch (error) {
      return { ok: false, message: `content-encoding "${coding}" body failed to decode: ${(error as Error).message}` };
    }
  }
  return { ok: true, bytes: out };
}
