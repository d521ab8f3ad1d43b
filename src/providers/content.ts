import { canonicalJson } from '../json/stringify.js';
import { getOwn, hasOwn, isObject, type Json } from '../json/value.js';

/** ATIF image media types the reference accepts inside a content part. */
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** An array in which every element is an ATIF text or image part (an empty array qualifies). */
export function isAtifContentParts(v: Json | undefined): v is Json[] {
  if (!Array.isArray(v)) return false;
  return v.every((part) => {
    if (!isObject(part)) return false;
    const type = part.type;
    if (type === 'text') return typeof part.text === 'string';
    if (type === 'image') {
      const src = part.source;
      return isObject(src) && typeof src.media_type === 'string' && IMAGE_MEDIA_TYPES.has(src.media_type) && typeof src.path === 'string';
    }
    return false;
  });
}

/**
 * ATIF content parts with only the keys ATIF allows: `{text, type}` for text, `{source: {media_type,
 * path}, type}` for an image. Provider annotations (Anthropic `cache_control`, `citations`, OpenAI
 * `annotations`, an image's `detail`) make a part invalid ATIF, since ContentPart and ImageSource are
 * closed. `parts` must pass {@link isAtifContentParts}; returned as it is when nothing is to be dropped.
 */
export function closedContentParts(parts: Json[]): Json[] {
  return parts.every(isClosedPart) ? parts : parts.map(closedPart);
}

function isClosedPart(part: Json): boolean {
  if (!isObject(part)) return true;
  if (part.type === 'text') return hasOnlyKeys(part, 'text', 'type');
  return hasOnlyKeys(part, 'source', 'type') && isObject(part.source) && hasOnlyKeys(part.source, 'media_type', 'path');
}

function closedPart(part: Json): Json {
  if (!isObject(part) || isClosedPart(part)) return part;
  if (part.type === 'text') return { text: part.text, type: 'text' };
  // Not an ATIF image part (the caller checks): left as it is rather than guessed at.
  if (!isObject(part.source)) return part;
  return { source: { media_type: part.source.media_type, path: part.source.path }, type: part.type };
}

function hasOnlyKeys(o: Record<string, Json>, a: string, b: string): boolean {
  let n = 0;
  for (const k in o) {
    if (k !== a && k !== b) return false;
    n++;
  }
  return n === 2;
}

/** A value fit for an ATIF `message`: strings and part arrays as they are, null as "", anything else as its canonical JSON. */
export function atifContentValue(v: Json): Json {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (isAtifContentParts(v)) return v;
  return canonicalJson(v);
}

/** The runtime wraps LLM requests as `{headers, content}`; the body is `content` when both keys exist. */
export function unwrapLlmRequest(data: Json): Json {
  if (isObject(data) && hasOwn(data, 'content') && hasOwn(data, 'headers')) return getOwn(data, 'content') as Json;
  return data;
}

/** A non-null own field of an object. */
export function nonNullField(obj: Json | undefined, key: string): Json | undefined {
  if (!isObject(obj)) return undefined;
  const v = getOwn(obj, key);
  return v === null || v === undefined ? undefined : v;
}

/** Texts of the blocks of one `type` in a content array (non-string texts are skipped). */
export function blockTexts(content: Json[], type: string): string[] {
  const out: string[] = [];
  for (const block of content) {
    if (isObject(block) && block.type === type && typeof block.text === 'string') out.push(block.text);
  }
  return out;
}

/** A message's parts that `taken` picks, and the rest (undefined when none is left). */
export interface PartsSplit {
  taken: Json;
  rest: Json[] | undefined;
}

/** Splits a message that is a list of parts by `take`; undefined when it is no list or `take` picks none. */
export function splitParts(message: Json, take: (part: Json) => boolean): PartsSplit | undefined {
  if (!Array.isArray(message) || !message.some(take)) return undefined;
  const rest = message.filter((p) => !take(p));
  return { taken: message.filter(take), rest: rest.length > 0 ? rest : undefined };
}
