import { createHash } from 'node:crypto';

/**
 * Where the adapters get the UUIDs for ids a hook did not carry (`hook-<uuid>` sessions,
 * `tool-<uuid>` tool calls). Live, these are fresh UUIDv7s; offline they must be reproducible, so
 * the caller supplies the source.
 */
export interface UuidSource {
  /** A new UUID in canonical lower-case hyphenated text; every call returns a different one. */
  next(): string;
}

const MAX_UNIX_MS = 2 ** 48 - 1;

/**
 * UUIDv7-shaped ids derived from `seed`: the 48-bit time field is `unixMs` (the record's arrival
 * time, so ids sort like the live ones would), and the remaining bits come from SHA-256 of the
 * seed and a call counter. Same seed and time → same sequence. Give every hook record its own seed
 * (for example file, line and arrival time): two identical id-less hooks must still get different
 * synthetic sessions, as they do live.
 */
export function seededUuids(seed: string, unixMs = 0): UuidSource {
  if (!Number.isSafeInteger(unixMs) || unixMs < 0 || unixMs > MAX_UNIX_MS) {
    throw new RangeError(`UUIDv7 time must be a whole number of milliseconds in [0, 2^48), got ${unixMs}`);
  }
  let counter = 0;
  return {
    next(): string {
      const bytes = createHash('sha256').update(`${seed}\u0000${counter++}`).digest().subarray(0, 16);
      let time = unixMs;
      for (let i = 5; i >= 0; i--) {
        bytes[i] = time % 256;
        time = Math.floor(time / 256);
      }
      bytes[6] = 0x70 | (bytes[6] & 0x0f); // version 7
      bytes[8] = 0x80 | (bytes[8] & 0x3f); // RFC 4122 variant
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}
