/**
 * JSON paths in the reference validator's notation: `$`, then `.key` for identifier-like keys,
 * `["key"]` (Python `json.dumps`, ASCII-escaped) for any other key and `[3]` for array indexes.
 */
export type PathSegment = string | number;
export type JsonPath = readonly PathSegment[];

/** Python's `re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key)`; `$` there also matches before a final newline. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*\n?$/;

export function formatPath(path: JsonPath): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${pyJsonString(segment)}]`;
  }
  return out;
}

/** Python's `json.dumps(str)` with its default `ensure_ascii=True`. */
export function pyJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const ch = value[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    // Everything else, surrogate halves included, as a \uXXXX escape of its UTF-16 code unit.
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out + '"';
}
