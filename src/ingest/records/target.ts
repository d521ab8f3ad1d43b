/**
 * Splits a captured request target (`/v1/responses?x=1` or an absolute URL) into the path the
 * gateway routes on and the query. Done by hand rather than with `new URL`, which would normalise
 * dot segments and percent-encoding: the live router matches the path exactly as sent.
 */
export interface RequestTarget {
  path: string;
  /** Without the `?`; undefined when the target has no query. */
  query?: string;
}

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

export function splitRequestTarget(target: string): RequestTarget {
  let rest = target;
  const origin = ABSOLUTE.exec(rest);
  if (origin) rest = rest.slice(origin[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const out: RequestTarget = { path: path === '' ? '/' : path };
  if (q >= 0) out.query = rest.slice(q + 1);
  return out;
}

export function isAbsoluteUrl(target: string): boolean {
  return ABSOLUTE.test(target);
}
