import { JsonNumber, type Json } from './value.js';

/**
 * Lossless JSON parsing. The fast path is `JSON.parse`; only text holding a number literal that a
 * double would misrepresent for our purposes takes the slow path, where those literals are swapped
 * for sentinel strings before `JSON.parse` and turned into {@link JsonNumber}s by a reviver. That keeps
 * V8's parser (and its tolerance of deep nesting) for the structure.
 */
// A number in value position (after `:`, `[` or `,`) that is an integral float (`12.0`, `1e3`), has
// 16+ digits, or has a fraction and 17+ digits in all (`0.99999999999999999999`: a double rounds it to 1,
// so without the exact text it would pass for an integer; a lookbehind over the literal just read costs
// nothing measurable, where a lookahead before every number cost a third more). Strings can match too
// (`"a:1.0,"`); that only costs the slow path, never correctness.
// A text that is a bare number (or may start with one after whitespace) is checked with `^` too; the
// common text, an object, skips that alternative, which makes the scan about a quarter faster.
const RISKY_INNER = /[:[,]\s*-?\d+(?:\.\d*0\s*(?:[,}\]]|$)|(?:\.\d+)?[eE]|\d{15}|\.\d+(?<=[\d.]{18}))/;
const RISKY_ANYWHERE = /(?:^|[:[,])\s*-?\d+(?:\.\d*0\s*(?:[,}\]]|$)|(?:\.\d+)?[eE]|\d{15}|\.\d+(?<=[\d.]{18}))/;

function mayHoldRiskyNumber(text: string): boolean {
  const first = text.charCodeAt(0);
  return first === 123 /* { */ || first === 91 /* [ */ ? RISKY_INNER.test(text) : RISKY_ANYWHERE.test(text);
}
/**
 * What a marked number's string starts with. A per-process nonce (as the printer's placeholders carry):
 * a fixed prefix could be spelt by a string of the input, which would come out as a number.
 */
const SENTINEL = `\u0000${Math.random().toString(36).slice(2, 10)}#`;

/**
 * The value of a JSON text, numbers kept exact. It accepts exactly the texts JSON.parse accepts (marking
 * a number swaps one token for another) and rejects the others with JSON.parse's own error for the
 * text as given: the marked text is longer, so its error would name the wrong position.
 */
export function parseJson(text: string): Json {
  if (!mayHoldRiskyNumber(text)) return JSON.parse(text) as Json;
  const marked = markRiskyNumbers(text);
  if (marked === text) return JSON.parse(text) as Json;
  let value: Json;
  try {
    value = JSON.parse(marked) as Json;
  } catch (err) {
    JSON.parse(text); // throws the error of the text as given
    throw err; // not reached while both reject the same texts
  }
  return reviveSentinels(value);
}

/** Turns sentinel strings back into JsonNumbers, walking with an explicit stack (no depth limit). */
function reviveSentinels(root: Json): Json {
  const revive = (v: Json): Json => (typeof v === 'string' && v.startsWith(SENTINEL) ? new JsonNumber(v.slice(SENTINEL.length)) : v);
  const top = revive(root);
  const stack: Json[] = [top];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        v[i] = revive(v[i]);
        if (typeof v[i] === 'object' && v[i] !== null) stack.push(v[i]);
      }
    } else if (v !== null && typeof v === 'object' && !(v instanceof JsonNumber)) {
      const o = v as Record<string, Json>;
      for (const k of Object.keys(o)) {
        const x = revive(o[k]);
        if (x !== o[k]) Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
        if (typeof x === 'object' && x !== null) stack.push(x);
      }
    }
  }
  return top;
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** True when a number literal must be kept as text to stay exact / keep its integral-float form. */
function needsLossless(lit: string): boolean {
  // Malformed literals stay in place so that JSON.parse rejects them.
  if (!JSON_NUMBER.test(lit)) return false;
  if (!Number.isFinite(Number(lit))) return true; // 1e400: a double would turn it into Infinity
  if (/[.eE]/.test(lit)) return Number.isInteger(Number(lit));
  return !Number.isSafeInteger(Number(lit));
}

function markRiskyNumbers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) i++;
        else break;
      }
      const lit = text.slice(start, i);
      if (needsLossless(lit)) {
        out += text.slice(last, start) + JSON.stringify(SENTINEL + lit);
        last = i;
      }
    } else {
      i++;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}
