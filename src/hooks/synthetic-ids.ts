import { hash } from 'node:crypto';

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
  const timeHex = unixMs.toString(16).padStart(12, '0');
  const time = timeHex.slice(0, 8);
  const time4 = timeHex.slice(8, 12);
  return {
    next(): string {
      // The first 16 bytes of the digest, in hex, with the time field and the version and variant bits set.
      const hex = hash('sha256', `${seed}\u0000${counter++}`, 'hex');
      const variant = (0x8 | (parseInt(hex[16], 16) & 0x3)).toString(16);
      return `${time}-${time4}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
  };
}
