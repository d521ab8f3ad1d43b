/**
 * Telling a trajectory by how its text begins, when it cannot be parsed (a truncated file) or need
 * not be read whole to be told from an event log (a HAR document of hundreds of megabytes).
 */

/** How much of an input's opening is looked at. */
export const OPENING_BYTES = 64 * 1024;

/**
 * Whether the text opens an ATIF trajectory: as far as its top-level object can be followed within its
 * first {@link OPENING_BYTES}, it has a `schema_version` key or an `agent` that is an object. No input
 * record has either (a hook record's `agent` is a name), and a trajectory has both: `convert` writes its
 * keys sorted, so it opens with `{"agent":{`, and other writers put `schema_version` first. The text
 * may end anywhere, even inside a string.
 */
export function beginsLikeTrajectory(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, OPENING_BYTES)).toString('utf8');
  let i = skipSpace(text, 0);
  if (text[i] !== '{') return false;
  i++;
  for (;;) {
    i = skipSpace(text, i);
    if (text[i] !== '"') return false;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return false;
    const key = text.slice(i + 1, keyEnd - 1);
    i = skipSpace(text, keyEnd);
    if (text[i] !== ':') return false;
    i = skipSpace(text, i + 1);
    if (key === 'schema_version' || (key === 'agent' && text[i] === '{')) return true;
    i = valueEnd(text, i);
    if (i < 0) return false;
    i = skipSpace(text, i);
    if (text[i] !== ',') return false;
    i++;
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}

/** Just past the string opening at `i`, or -1 when the text ends first. */
function stringEnd(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    if (text[k] === '\\') k++;
    else if (text[k] === '"') return k + 1;
  }
  return -1;
}

/** Just past the value starting at `i` (followed by depth, not checked), or -1 when the text ends first. */
function valueEnd(text: string, i: number): number {
  if (text[i] === '"') return stringEnd(text, i);
  if (text[i] !== '{' && text[i] !== '[') {
    while (i < text.length && !',}] \t\n\r'.includes(text[i])) i++;
    return i < text.length ? i : -1;
  }
  let depth = 0;
  for (let k = i; k < text.length; k++) {
    const c = text[k];
    if (c === '"') {
      k = stringEnd(text, k) - 1;
      if (k < 0) return -1;
    } else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return k + 1;
  }
  return -1;
}
