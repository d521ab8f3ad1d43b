/** The shortest prefix of a uuid that still names one span; never shorter than this. */
const MIN_SHORT = 13;

/**
 * Short forms that `--span` accepts back: for each uuid the shortest prefix that no other uuid in
 * the set shares, never ending on a hyphen and never shorter than 13 characters (a UUIDv7's
 * millisecond timestamp), so short forms line up. UUIDv7s of one millisecond share those 13
 * characters, so the short form grows where it has to instead of colliding.
 */
export function shortIds(uuids: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(uuids)].sort();
  const out = new Map<string, string>();
  sorted.forEach((u, i) => {
    const common = Math.max(commonPrefix(u, sorted[i - 1]), commonPrefix(u, sorted[i + 1]));
    let len = Math.max(MIN_SHORT, common + 1);
    if (u[len - 1] === '-') len++;
    out.set(u, u.slice(0, Math.min(len, u.length)));
  });
  return out;
}

function commonPrefix(a: string, b: string | undefined): number {
  if (b === undefined) return 0;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

export type IdMatch = { kind: 'one'; uuid: string } | { kind: 'ambiguous'; uuids: string[] } | { kind: 'unknown' };

/** A full uuid or a prefix of one (any case; hyphens optional) against the known span uuids. */
export function matchSpanId(query: string, known: Iterable<string>): IdMatch {
  const q = compactId(query);
  const hits = [...new Set(known)].filter((u) => compactId(u).startsWith(q)).sort();
  if (q === '' || hits.length === 0) return { kind: 'unknown' };
  const exact = hits.find((u) => compactId(u) === q);
  if (exact) return { kind: 'one', uuid: exact };
  return hits.length === 1 ? { kind: 'one', uuid: hits[0] } : { kind: 'ambiguous', uuids: hits };
}

/** A span id as queries are compared with it: lower case, without hyphens. */
export const compactId = (s: string) => s.toLowerCase().replace(/-/g, '');
