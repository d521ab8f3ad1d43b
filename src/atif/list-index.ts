/**
 * Lists this short are scanned: most steps have a few tool calls, and an index per list (its maps, and
 * the weak map's entry, which the garbage collector must visit) cost more than scanning them.
 */
const SCAN_UP_TO = 16;

/**
 * Lookups by key into lists that the step builder only appends to (a step's tool calls, the ids an
 * agent step knows, an observation's results), kept up to date as the list grows. A scan per lookup
 * is quadratic in the list: an agent step with thousands of parallel tool calls did millions of scans.
 *
 * The index of a list is made on its first lookup past {@link SCAN_UP_TO} items and extended by the
 * items appended since the last one. The lists must only grow: an item replaced in place, or removed
 * and another appended in its stead, would go unnoticed (a list found shorter than indexed is indexed
 * again, the one change that can be seen cheaply). Lists are held weakly: a step's index goes with
 * its step.
 */
export class ListIndex<T> {
  private readonly indexes = new WeakMap<readonly T[], { seen: number; first: Map<string, number>; count: Map<string, number> }>();

  constructor(private readonly keyOf: (item: T) => string | undefined) {}

  /** The first item whose key is `key`, as `list.find` finds it. */
  find(list: readonly T[], key: string): T | undefined {
    const at = this.indexOf(list, key);
    return at < 0 ? undefined : list[at];
  }

  /** Whether an item has the key `key`. */
  has(list: readonly T[], key: string): boolean {
    return this.indexOf(list, key) >= 0;
  }

  /** The position of the first item whose key is `key`, or -1. */
  indexOf(list: readonly T[], key: string): number {
    if (list.length <= SCAN_UP_TO) {
      for (let i = 0; i < list.length; i++) if (this.keyOf(list[i]) === key) return i;
      return -1;
    }
    return this.of(list).first.get(key) ?? -1;
  }

  /** How many items have the key `key`. */
  count(list: readonly T[], key: string): number {
    if (list.length <= SCAN_UP_TO) {
      let n = 0;
      for (const item of list) if (this.keyOf(item) === key) n++;
      return n;
    }
    return this.of(list).count.get(key) ?? 0;
  }

  private of(list: readonly T[]) {
    let index = this.indexes.get(list);
    if (!index || index.seen > list.length) this.indexes.set(list, (index = { seen: 0, first: new Map(), count: new Map() }));
    for (; index.seen < list.length; index.seen++) {
      const key = this.keyOf(list[index.seen]);
      if (key === undefined) continue;
      if (!index.first.has(key)) index.first.set(key, index.seen);
      index.count.set(key, (index.count.get(key) ?? 0) + 1);
    }
    return index;
  }
}
