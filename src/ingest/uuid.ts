/**
 * UUID text as the reference reads it (the `uuid` crate's parser): hyphenated, simple (32 hex),
 * braced or `urn:uuid:` forms, any case. Returns the canonical lower-case hyphenated form.
 */
const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SIMPLE = /^[0-9a-fA-F]{32}$/;

export function parseUuid(text: string): string | undefined {
  let t = text;
  if (t.length === 45 && t.slice(0, 9).toLowerCase() === 'urn:uuid:') t = t.slice(9);
  else if (t.length === 38 && t.startsWith('{') && t.endsWith('}')) t = t.slice(1, -1);
  if (HYPHENATED.test(t)) return t.toLowerCase();
  if (SIMPLE.test(t)) {
    const h = t.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return undefined;
}
