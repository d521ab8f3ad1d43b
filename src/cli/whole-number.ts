/**
 * A whole number as every option and setting that takes one reads it (`--jobs`, `--step`,
 * `RELAY_ATIF_HEAP_MB`, the `RELAY_ATIF_…_BYTES` settings): decimal digits, blanks around them aside.
 * Undefined for anything else, and past 2^53 (a double would change it). Number() takes far more:
 * `--jobs 0x2` ran 2 threads and `RELAY_ATIF_HEAP_MB=1e3` set 1000 MB, while the byte settings refused
 * such spellings (exit 2). This module imports nothing: heap-limit.ts reads with it before the CLI loads.
 */
export function wholeNumber(text: string): number | undefined {
  if (!/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
