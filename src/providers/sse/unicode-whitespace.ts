/**
 * Rust's notion of whitespace (`char::is_whitespace`, the Unicode `White_Space` property), which
 * `str::trim` and `str::split_whitespace` use. JavaScript's `trim()` differs on two code points: it
 * strips U+FEFF (not White_Space) and keeps U+0085 NEXT LINE (White_Space), so reproducing the
 * reference's trims with `String.prototype.trim` would be subtly wrong.
 */

/**
 * Whether a UTF-16 code unit is White_Space: tab to carriage return, space, U+0085, U+00A0, U+1680,
 * U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (every one is in the BMP, so a code unit is a
 * whole character here). The one spelling of the class: the trims and the split below walk with it.
 */
export function isRustWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/**
 * `str::trim`. The ends are found by walking in from each side, not with a `\s+$` pattern: the regex
 * engine tries that pattern at every whitespace character of a run and reads the rest of the run each
 * time, so a run of n spaces inside the text (a JSON-mode answer padded with whitespace, repeated in a
 * stream's final snapshot) cost n² / 2 steps: 80,000 spaces took five seconds per trim.
 */
export function trimRust(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isRustWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isRustWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** `str::trim_start`. */
export function trimRustStart(text: string): string {
  let start = 0;
  while (start < text.length && isRustWhitespace(text.charCodeAt(start))) start++;
  return start === 0 ? text : text.slice(start);
}

/** `str::split_whitespace`: the non-empty pieces between runs of whitespace. */
export function splitRustWhitespace(text: string): string[] {
  const pieces: string[] = [];
  let start = -1; // where the current piece began, or -1 between pieces
  for (let i = 0; i < text.length; i++) {
    if (isRustWhitespace(text.charCodeAt(i))) {
      if (start >= 0) pieces.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) pieces.push(text.slice(start));
  return pieces;
}
