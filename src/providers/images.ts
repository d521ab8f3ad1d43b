import { getOwn, isObject, type Json } from '../json/value.js';

/**
 * Images in the content the agent sends a model (fix `image-parts`), as each provider documents them:
 * - Anthropic Messages: `{"type": "image", "source": {"type": "base64", "media_type": "image/png",
 *   "data": "iVBOR…"}}`, or `source: {"type": "url", "url": "https://…"}`, or `{"type": "file",
 *   "file_id"}` (Files API); in a user message, or in a `tool_result` block's content (Claude Code's
 *   Read of an image file).
 * - OpenAI Chat Completions: `{"type": "image_url", "image_url": {"url": "data:image/png;base64,…" |
 *   "https://…", "detail"}}`.
 * - OpenAI Responses: `{"type": "input_image", "image_url": "data:…" | "https://…", "file_id",
 *   "detail"}`, in a message's content or a function call output.
 */
export type ProviderImage =
  /** Base64 data (an Anthropic base64 source or a data URL), its declared media type when it has one. */
  | { kind: 'data'; data: string; mediaType?: string }
  /** A URL the image is fetched from, with the media type its file extension tells. */
  | { kind: 'url'; url: string; mediaType?: string }
  /** An uploaded file (`file_id`, Anthropic's file source) or another reference no reader can open. */
  | { kind: 'reference' };

/** ATIF ImageSource media types (atif-v1.7-spec.md, ImageSource). */
export const ATIF_IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** File extension of each ATIF image media type. */
export const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };

const EXTENSION_TYPES: Readonly<Record<string, string>> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };

/** A media type as ATIF spells it (`image/jpg` is a common misspelling of `image/jpeg`), else undefined. */
export function atifImageMediaType(mediaType: unknown): string | undefined {
  if (typeof mediaType !== 'string') return undefined;
  const t = mediaType.trim().toLowerCase();
  const canonical = t === 'image/jpg' ? 'image/jpeg' : t;
  return ATIF_IMAGE_MEDIA_TYPES.has(canonical) ? canonical : undefined;
}

/** The image a content block carries, or undefined when the block is no image block of a provider. */
export function providerImage(block: Json): ProviderImage | undefined {
  if (!isObject(block)) return undefined;
  switch (block.type) {
    case 'image': {
      const source = getOwn(block, 'source');
      if (!isObject(source)) return undefined;
      if (source.type === 'base64' && typeof source.data === 'string') return { kind: 'data', data: source.data, mediaType: atifImageMediaType(source.media_type) };
      if (source.type === 'url' && typeof source.url === 'string') return urlImage(source.url);
      return source.type === 'file' ? { kind: 'reference' } : undefined;
    }
    case 'image_url': {
      const image = getOwn(block, 'image_url');
      const url = isObject(image) ? image.url : image;
      return typeof url === 'string' ? urlImage(url) : undefined;
    }
    case 'input_image': {
      const url = getOwn(block, 'image_url');
      if (typeof url === 'string') return urlImage(url);
      return typeof getOwn(block, 'file_id') === 'string' ? { kind: 'reference' } : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether a content array holds an image block of any provider. */
export function holdsImage(content: Json): content is Json[] {
  return Array.isArray(content) && content.some((b) => providerImage(b) !== undefined);
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*);base64,/i;

/** An image URL: a base64 data URL is its data; an http(s) URL keeps the type its path's extension tells. */
function urlImage(url: string): ProviderImage {
  const data = DATA_URL.exec(url);
  if (data) return { kind: 'data', data: url.slice(data[0].length), mediaType: atifImageMediaType(data[1]) };
  if (!/^https?:\/\//i.test(url)) return { kind: 'reference' };
  const path = url.replace(/[?#].*$/s, '');
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return { kind: 'url', url, mediaType: ext === undefined ? undefined : EXTENSION_TYPES[ext] };
}

/**
 * The media type of image bytes by their signature, for data whose declared type is missing or is
 * none ATIF allows: PNG, JPEG, GIF, WebP.
 */
export function sniffImageMediaType(bytes: Uint8Array): string | undefined {
  const at = (i: number, s: number[]) => s.every((b, k) => bytes[i + k] === b);
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return undefined;
}

/** Turns a provider image into its ATIF image part, or undefined to leave it out of the message. */
export type ImagePlacer = (image: ProviderImage) => Json | undefined;

/**
 * A content array holding images (Anthropic, Chat or Responses blocks) as ATIF content parts: each text
 * block (`text`, `input_text`) a text part, each image the part `place` makes of it (none when it
 * leaves the image out), in order. Undefined when the array holds no image, or a block that is neither
 * text nor image (a `tool_result`, a `document`): that content is read as before.
 */
export function imageContentParts(content: Json, place: ImagePlacer): Json[] | undefined {
  if (!holdsImage(content)) return undefined;
  const parts: Json[] = [];
  for (const block of content) {
    const image = providerImage(block);
    if (image !== undefined) {
      const part = place(image);
      if (part !== undefined) parts.push(part);
    } else if (isObject(block) && (block.type === 'text' || block.type === 'input_text') && typeof block.text === 'string') {
      parts.push({ text: block.text, type: 'text' });
    } else {
      return undefined;
    }
  }
  return parts;
}

/** Whether some image block of `content` has no image part among `parts` (imageContentParts' result): it was left out. */
export function imagesLeftOut(content: Json, parts: readonly Json[]): boolean {
  const sent = Array.isArray(content) ? content.filter((b) => providerImage(b) !== undefined).length : 0;
  return parts.filter((p) => isObject(p) && p.type === 'image').length < sent;
}
