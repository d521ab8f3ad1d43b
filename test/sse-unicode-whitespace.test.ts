/**
 * Rust's trims (`str::trim`, `str::trim_start`) walk in from the ends instead of using a `\s+$`
 * pattern, which the regex engine reads in time quadratic in a run of whitespace inside the text. They
 * must trim exactly as the patterns do, on any mix of White_Space code points, the two that
 * JavaScript's `trim()` treats otherwise (U+0085, U+FEFF) and their neighbours.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isRustWhitespace, splitRustWhitespace, trimRust, trimRustStart } from '../src/providers/sse/unicode-whitespace.js';

const CLASS = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const LEADING = new RegExp(`^${CLASS}+`);
const TRAILING = new RegExp(`${CLASS}+$`);
const WHITE_SPACE = new RegExp(CLASS);
const RUNS = new RegExp(`${CLASS}+`);

/** The trims as the patterns read them. */
const oracleTrim = (text: string) => text.replace(LEADING, '').replace(TRAILING, '');
const oracleTrimStart = (text: string) => text.replace(LEADING, '');

/** White_Space code points, the ones next to them, and JavaScript-only whitespace. */
const NEAR = [
  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x1f, 0x20, 0x21, 0x84, 0x85, 0x86, 0x9f, 0xa0, 0xa1, 0x167f, 0x1680, 0x1681, 0x1fff, 0x2000, 0x2005, 0x200a,
  0x200b, 0x2027, 0x2028, 0x2029, 0x202a, 0x202e, 0x202f, 0x2030, 0x205e, 0x205f, 0x2060, 0x2fff, 0x3000, 0x3001, 0xfeff, 0xd83d, 0xde00,
];
const char = fc.oneof(fc.constantFrom(...NEAR.map((c) => String.fromCharCode(c))), fc.constantFrom('a', 'x', '{', '"'));
const text = fc.array(char, { maxLength: 40 }).map((cs) => cs.join(''));

test('isRustWhitespace is the White_Space class, on every UTF-16 code unit', () => {
  for (let code = 0; code <= 0xffff; code++) assert.equal(isRustWhitespace(code), WHITE_SPACE.test(String.fromCharCode(code)), `U+${code.toString(16)}`);
});

test('trimRust, trimRustStart and splitRustWhitespace trim and split as the patterns do', () => {
  fc.assert(
    fc.property(text, (t) => {
      assert.equal(trimRust(t), oracleTrim(t));
      assert.equal(trimRustStart(t), oracleTrimStart(t));
      assert.deepEqual(splitRustWhitespace(t), t.split(RUNS).filter((piece) => piece.length > 0));
    }),
    { numRuns: 5000 },
  );
});

test('a long run of whitespace inside the text is trimmed in linear time', () => {
  const t = `{${' '.repeat(2_000_000)}}  \u3000\n`;
  const started = performance.now();
  assert.equal(trimRust(t), t.slice(0, -4));
  // The pattern took minutes on this; a walk from the ends takes microseconds.
  assert.ok(performance.now() - started < 1000);
});
