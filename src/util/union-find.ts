/**
 * The connected components of a graph over string keys (union–find with path halving). Keys are
 * numbered in the order first met; each set is named by the number of one of its keys, which only
 * tells sets apart.
 */
export class KeyUnionFind {
  private readonly ids = new Map<string, number>();
  private readonly parent: number[] = [];

  /** Meets `key` (a set of its own until joined); returns its number. */
  add(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      this.ids.set(key, (id = this.parent.length));
      this.parent.push(id);
    }
    return id;
  }

  /** Joins the sets of `a` and `b`, meeting either if it is new. */
  union(a: string, b: string): void {
    const x = this.root(this.add(a));
    const y = this.root(this.add(b));
    if (x !== y) this.parent[x] = y;
  }

  /** The set of a key already met. */
  setOf(key: string): number {
    return this.root(this.ids.get(key)!);
  }

  /** Every key met, in the order first met, with its set. */
  *entries(): Generator<[key: string, set: number]> {
    for (const [key, id] of this.ids) yield [key, this.root(id)];
  }

  private root(id: number): number {
    const parent = this.parent;
    while (parent[id] !== id) id = parent[id] = parent[parent[id]];
    return id;
  }
}
