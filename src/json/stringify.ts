import { JsonNumber, isObject, type Json } from './value.js';

/**
 * Key order of serde_json's sorted maps: byte order of the UTF-8 encoding. UTF-16 code-unit order
 * agrees except for astral characters against U+E000–U+FFFF, so only that case needs care.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function numberText(v: number | JsonNumber): string {
  if (v instanceof JsonNumber) return v.text;
  return Number.isFinite(v) ? JSON.stringify(v) : 'null';
}

/** Canonical JSON (the reference's `json_to_string`): compact, every object's keys sorted. */
export function canonicalJson(v: Json | undefined): string {
  if (v === undefined) return 'null';
  const parts: string[] = [];
  write(v, parts, '', '');
  return parts.join('');
}

/** Pretty JSON with sorted keys and 2-space indent (the reference plugin's file format). */
export function prettyJson(v: Json): string {
  const parts: string[] = [];
  write(v, parts, '  ', '\n');
  return parts.join('');
}

function write(v: Json, out: string[], indent: string, pad: string): void {
  if (v === null) out.push('null');
  else if (typeof v === 'string') out.push(JSON.stringify(v));
  else if (typeof v === 'number' || v instanceof JsonNumber) out.push(numberText(v));
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (Array.isArray(v)) {
    if (v.length === 0) return void out.push('[]');
    const inner = pad + indent;
    out.push('[');
    v.forEach((item, i) => {
      if (i > 0) out.push(',');
      if (indent) out.push(inner);
      write(item === undefined ? null : item, out, indent, inner);
    });
    if (indent) out.push(pad);
    out.push(']');
  } else if (isObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(compareKeys);
    if (keys.length === 0) return void out.push('{}');
    const inner = pad + indent;
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      if (indent) out.push(inner);
      out.push(JSON.stringify(k), indent ? ': ' : ':');
      write(v[k] as Json, out, indent, inner);
    });
    if (indent) out.push(pad);
    out.push('}');
  } else {
    out.push('null');
  }
}
