/**
 * Captured HTTP headers. Names are case-insensitive, so they are lower-cased. `first` answers
 * "the value of header X" the way the reference's `HeaderMap::get` does (first value of a repeated
 * header); `list` keeps every value in capture order for the places that iterate all of them.
 * Values are kept exactly as captured: trimming and validity checks are the reader's business
 * (see `src/gateway/headers.ts`), so `explain` can show what was really sent.
 */
export interface HeaderSet {
  first: ReadonlyMap<string, string>;
  list: ReadonlyArray<readonly [string, string]>;
}

/** From the compact record form: `{name: value}` or `{name: [value, …]}`. */
export function headersFromObject(obj: Readonly<Record<string, string | readonly string[]>> | undefined): HeaderSet {
  const pairs: Array<[string, string]> = [];
  for (const name of Object.keys(obj ?? {})) {
    const value = (obj as Record<string, string | readonly string[]>)[name];
    for (const v of typeof value === 'string' ? [value] : value) pairs.push([name, v]);
  }
  return headersFromPairs(pairs);
}

/** From HAR's `[{name, value}]` list. */
export function headersFromPairs(pairs: Iterable<readonly [string, string]>): HeaderSet {
  const first = new Map<string, string>();
  const list: Array<readonly [string, string]> = [];
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    // HTTP/2 pseudo-headers (`:authority`, `:path`) appear in HAR files; they are not headers.
    if (name.startsWith(':')) continue;
    if (!first.has(name)) first.set(name, value);
    list.push([name, value]);
  }
  return { first, list };
}

/** `text/event-stream`, with or without parameters: the body is a raw event stream. */
export function isEventStreamType(contentType: string | undefined): boolean {
  return /^\s*text\/event-stream\s*(;|$)/i.test(contentType ?? '');
}
