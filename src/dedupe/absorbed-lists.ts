import { KeyUnionFind } from '../util/union-find.js';

/**
 * The absorbed lists of the chain pass (chain.ts): per span, the spans whose metrics it took, in the
 * order it took them, without repeats, where a list grows by appending what another span's list adds.
 *
 * In a group of k identical calls that overlap, every pair matches: k² / 2 suppressions, and each merge
 * walks a list of up to k spans — k³ steps (k = 2,000: 50 s) although almost every merge adds nothing.
 * Long lists are therefore also kept as bit sets over their span's component of the suppression graph
 * (a list only ever holds spans of its own component): a merge first asks, a word at a time, whether
 * the other list adds anything at all, and only walks it when it does. Short lists (most: a call seen by
 * a hook and the gateway) keep a plain set.
 */

/** Lists longer than this get a bit set. */
const SHORT = 32;

export class AbsorbedLists {
  /** Each span's component and its place in it: worked out when the first list gets long (most inputs: never). */
  private placed?: Map<string, Place>;
  private readonly members = new Map<string, Set<string> | Uint32Array>();

  /**
   * `lists`: the lists as they start (taken over: merges append to them). `edges`: every span with the
   * spans it is linked to (suppressed span → its suppressors); every span of a list must be linked.
   */
  constructor(
    readonly lists: Map<string, string[]>,
    private readonly edges: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** Whether `uuid` is in the list of `span`. */
  has(span: string, uuid: string): boolean {
    const m = this.membersOf(span);
    if (!(m instanceof Uint32Array)) return m.has(uuid);
    const at = this.place.get(uuid);
    return at !== undefined && at.component === this.place.get(span)!.component && hasBit(m, at.index);
  }

  /** Appends to the list of `span` the spans of the list of `from` that it lacks, in their order there. */
  merge(span: string, from: string): void {
    const adding = this.lists.get(from);
    if (!adding || adding.length === 0) return;
    const list = this.lists.get(span) ?? [];
    this.lists.set(span, list);
    let m = this.membersOf(span);
    if (m instanceof Uint32Array) {
      const other = this.membersOf(from);
      if (other instanceof Uint32Array && !addsAny(other, m)) return;
      for (const uuid of adding) {
        const i = this.indexOf(uuid);
        if (hasBit(m, i)) continue;
        m[i >>> 5] |= 1 << (i & 31);
        list.push(uuid);
      }
      return;
    }
    for (const uuid of adding) {
      if (m.has(uuid)) continue;
      m.add(uuid);
      list.push(uuid);
    }
    if (list.length > SHORT) {
      m = this.bits(span, list);
      this.members.set(span, m);
    }
  }

  private membersOf(span: string): Set<string> | Uint32Array {
    let m = this.members.get(span);
    if (!m) {
      const list = this.lists.get(span) ?? [];
      this.members.set(span, (m = list.length > SHORT ? this.bits(span, list) : new Set(list)));
    }
    return m;
  }

  private bits(span: string, list: readonly string[]): Uint32Array {
    const bits = new Uint32Array(Math.ceil(this.place.get(span)!.size / 32));
    for (const uuid of list) {
      const i = this.indexOf(uuid);
      bits[i >>> 5] |= 1 << (i & 31);
    }
    return bits;
  }

  private indexOf(uuid: string): number {
    return this.place.get(uuid)!.index;
  }

  private get place(): Map<string, Place> {
    return (this.placed ??= componentPlaces(this.edges));
  }
}

interface Place {
  component: number;
  size: number;
  index: number;
}

/** The components of the graph of `edges` (union–find), each span numbered within its component. */
function componentPlaces(edges: ReadonlyMap<string, readonly string[]>): Map<string, Place> {
  const sets = new KeyUnionFind();
  for (const [s, linked] of edges) {
    sets.add(s);
    for (const c of linked) sets.union(s, c);
  }
  const count = new Map<number, number>();
  const indexOf = new Map<string, [number, number]>();
  for (const [uuid, root] of sets.entries()) {
    const index = count.get(root) ?? 0;
    count.set(root, index + 1);
    indexOf.set(uuid, [root, index]);
  }
  const place = new Map<string, Place>();
  for (const [uuid, [root, index]] of indexOf) place.set(uuid, { component: root, size: count.get(root)!, index });
  return place;
}

const hasBit = (bits: Uint32Array, i: number) => (bits[i >>> 5] & (1 << (i & 31))) !== 0;

/** Whether `from` holds a bit that `into` lacks (both over one component). */
function addsAny(from: Uint32Array, into: Uint32Array): boolean {
  for (let w = 0; w < from.length; w++) if ((from[w] & ~into[w]) !== 0) return true;
  return false;
}
