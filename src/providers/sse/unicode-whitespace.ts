/**
 * Rust's notion of whitespace (`char::is_whitespace`, the Unicode `White_Space` property), which
 * `str::trim` and `str::split_whitespace` use. JavaScript's `trim()` differs on two code points: it
 * strips U+FEFF (not White_Space) and keeps U+0085 NEXT LINE (White_Space), so reproducing the
 * reference's trims with `String.prototype.trim` would be subtly wrong.
 */
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const LEADING = new RegExp(`^${WHITE_SPACE.source}+`);
const TRAILING = new RegExp(`${WHITE_SPACE.source}+$`);
const RUNS = new RegExp(`${WHITE_SPACE.source}+`);

/** `str::trim`. */
export function trimRust(text: string): string {
  return text.replace(LEADING, '').replace(TRAILING, '');
}

/** `str::trim_start`. */
export function trimRustStart(text: string): string {
  return text.replace(LEADING, '');
}

/** `str::split_whitespace`: the non-empty pieces between runs of whitespace. */
export function splitRustWhitespace(text: string): string[] {
  return text.split(RUNS).filter((piece) => piece.length > 0);
}
