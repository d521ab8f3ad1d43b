import { asU64, type JsonNumber } from '../../json/value.js';

/**
 * Accumulators keyed by a provider `index` (a u64 in the reference, so possibly beyond 2^53) and
 * emitted in ascending index order, like the reference's `BTreeMap<u64, _>`.
 */
export class U64KeyedMap<V> {
  private readonly entries = new Map<string, { index: number | JsonNumber; value: V }>();

  getOrInsert(index: number | JsonNumber, make: () => V): V {
    const key = keyOf(index);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { index, value: make() };
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  lookup(index: number | JsonNumber): V | undefined {
    return this.entries.get(keyOf(index))?.value;
  }

  set(index: number | JsonNumber, value: V): void {
    this.entries.set(keyOf(index), { index, value });
  }

  get size(): number {
    return this.entries.size;
  }

  /** `[index, value]` pairs by ascending index. */
  sorted(): Array<[number | JsonNumber, V]> {
    return [...this.entries.entries()]
      .sort(([a], [b]) => compareBig(BigInt(a), BigInt(b)))
      .map(([, e]) => [e.index, e.value]);
  }
}

function keyOf(index: number | JsonNumber): string {
  return typeof index === 'number' ? String(index) : BigInt(index.text).toString();
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `as_u64` with the reference's `unwrap_or(0)` for a missing or unusable index. */
export function indexOrZero(v: unknown): number | JsonNumber {
  return asU64(v) ?? 0;
}
