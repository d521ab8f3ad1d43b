/** Items grouped by key, each group in the items' order; an item without a key (undefined) is in no group. */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K | undefined): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) pushTo(groups, k, item);
  }
  return groups;
}

/** Appends `value` to the list of `key`, starting the list when there is none. */
export function pushTo<K, V>(lists: Map<K, V[]>, key: K, value: V): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}
