import * as zlib from 'node:zlib';
import { decompress as fzstdDecompress } from 'fzstd';

/**
 * HTTP `content-encoding` decoding for captured bodies. Codings listed in one header were applied in
 * order, so they are undone last-first. zstd is decoded by zlib where the running Node has it, else
 * by fzstd (a pure-JS decoder): Codex sends its Responses request bodies zstd-compressed
 * (NeMo-Relay #452), and Node 20, the oldest Node this tool runs on, has no zstd in zlib.
 */
export type DecodeOutcome = { ok: true; bytes: Buffer } | { ok: false; message: string };

type Decoder = (bytes: Buffer) => Buffer;

/** zlib's zstd entry point on Node versions that ship one (added after Node 20), else fzstd's. */
const zlibZstd = (zlib as unknown as { zstdDecompressSync?: Decoder }).zstdDecompressSync;
const zstdDecompress: Decoder = zlibZstd ?? ((b) => {
  const out = fzstdDecompress(b);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
});

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
