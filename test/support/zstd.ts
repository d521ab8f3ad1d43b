/**
 * A zstd frame as RFC 8878 §3.1.1 lays it out, built by hand (Node 20's zlib has no zstd compressor):
 * the magic number, a frame header of only a window descriptor (128 KiB), then raw blocks (type 0) of
 * at most 128 KiB, the last one flagged. The `zstd` tool decodes it to the same bytes.
 */
export function zstdFrame(text: string | Buffer): Buffer {
  const bytes = Buffer.from(text);
  const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  let at = 0;
  do {
    const block = bytes.subarray(at, at + 128 * 1024);
    at += block.length;
    const header = (at >= bytes.length ? 1 : 0) | (block.length << 3);
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, header >> 16]), block);
  } while (at < bytes.length);
  return Buffer.concat(parts);
}
