/**
 * A Map that also files each key under a group computed from its entry (a child session under its
 * parent session, a task text under the subagent that owns it), so the keys of one group are found
 * without going through the whole map. Everything else is a Map's own behaviour: insertion order, and
 * a key that is set again keeps its place.
 *
 * The group is computed when an entry is set: a value must not be changed in place in a way that
 * changes its group (set it again instead).
 */
export class IndexedMap<V> extends Map<string, V> {
  /** Group → the keys filed under it. */
  private readonly groups = new Map<string, Set<string>>();
  /** Each key's place in the map's order (a counter that only grows), to give a group's keys in that order. */
  private readonly places = new Map<string, number>();
  private placed = 0;

  /** `groupOf` gives an entry's group; undefined: it is filed under none. */
  constructor(private readonly groupOf: (key: string, value: V) => string | undefined) {
    super();
  }

  override set(key: string, value: V): this {
    if (super.has(key)) this.unfile(key, super.get(key) as V);
    else this.places.set(key, this.placed++);
    super.set(key, value);
    const group = this.groupOf(key, value);
    if (group !== undefined) {
      const keys = this.groups.get(group);
      if (keys) keys.add(key);
      else this.groups.set(group, new Set([key]));
    }
    return this;
  }

  override delete(key: string): boolean {
    if (!super.has(key)) return false;
    this.unfile(key, super.get(key) as V);
    this.places.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.groups.clear();
    this.places.clear();
    super.clear();
  }

  /**
   * The keys filed under `group`, in the map's order. A copy: the map may be changed while they are
   * gone through.
   */
  keysIn(group: string): string[] {
    const keys = this.groups.get(group);
    if (keys === undefined) return [];
    // A key set again with a new group joins that group's set last, though it keeps its place in the map.
    return [...keys].sort((a, b) => (this.places.get(a) as number) - (this.places.get(b) as number));
  }

  private unfile(key: string, value: V): void {
    const group = this.groupOf(key, value);
    if (group === undefined) return;
    const keys = this.groups.get(group);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.groups.delete(group);
  }
}
