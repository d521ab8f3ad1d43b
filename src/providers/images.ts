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
 * A document or file the agent sends a model, for which ATIF has no part (fix `document-blocks`):
 * - Anthropic `{"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
 *   "data"} | {"type": "text", "media_type": "text/plain", "data"} | {"type": "content", "content"} |
 *   {"type": "url", "url"} | {"type": "file", "file_id"}, "title"?}` (Claude Code sends a PDF it reads so);
 * - OpenAI Chat `{"type": "file", "file": {"file_data": "data:application/pdf;base64,…", "filename"} | {"file_id"}}`;
 * - OpenAI Responses `{"type": "input_file", "file_data" | "file_url" | "file_id", "filename"?}`.
 * `text`: what a plain-text source says (Anthropic's text source, or content given as a string), which
 * a text part can hold; `key`: what tells this document from another (to count each once).
 */
export interface ProviderDocument {
  text?: string;
  key: string;
}

/** The document a content block carries, or undefined when the block is no document block of a provider. */
export function providerDocument(block: Json): ProviderDocument | undefined {
  if (!isObject(block)) return undefined;
  if (block.type === 'document') {
    const source = getOwn(block, 'source');
    if (!isObject(source)) return undefined;
    if (source.type === 'text' && typeof source.data === 'string') return { text: source.data, key: source.data };
    if (source.type === 'content' && typeof source.content === 'string') return { text: source.content, key: source.content };
    return { key: documentKey(source.data, source.url, source.file_id, source.content) };
  }
  if (block.type === 'file') {
    const file = getOwn(block, 'file');
    return isObject(file) ? { key: documentKey(file.file_data, file.file_id, file.filename) } : undefined;
  }
  if (block.type === 'input_file') return { key: documentKey(block.file_data, block.file_url, block.file_id, block.filename) };
  return undefined;
}

function documentKey(...fields: Array<Json | undefined>): string {
  const found = fields.find((f) => typeof f === 'string' && f !== '');
  return typeof found === 'string' ? found : JSON.stringify(fields.find((f) => f !== undefined) ?? null);
}

/**
 * How a content array's blocks that are not text are read (each undefined: such a block leaves the
 * content to the other rules): `image` (fix `image-parts`) makes an image's part or leaves it out;
 * `document` (fix `document-blocks`) makes a document's part (its text) or leaves it out.
 */
export interface PartReader {
  image?: ImagePlacer;
  document?: (document: ProviderDocument) => Json | undefined;
}

/**
 * A content array holding images or documents (Anthropic, Chat or Responses blocks) as ATIF content
 * parts: each text block (`text`, `input_text`) a text part, each image or document the part the
 * reader makes of it (none when it leaves it out), in order. Undefined when the array holds no block
 * the reader reads, or a block it cannot read (a `tool_result`; an image with no image reader): that
 * content is read as before.
 */
export function readContentParts(content: Json, reader: PartReader): Json[] | undefined {
  if (!Array.isArray(content)) return undefined;
  const read = (b: Json) => (reader.image !== undefined && providerImage(b) !== undefined) || (reader.document !== undefined && providerDocument(b) !== undefined);
  if (!content.some(read)) return undefined;
  const parts: Json[] = [];
  for (const block of content) {
    const image = providerImage(block);
    const document = image === undefined ? providerDocument(block) : undefined;
    if (image !== undefined) {
      if (reader.image === undefined) return undefined;
      const part = reader.image(image);
      if (part !== undefined) parts.push(part);
    } else if (document !== undefined) {
      if (reader.document === undefined) return undefined;
      const part = reader.document(document);
      if (part !== undefined) parts.push(part);
    } else if (isObject(block) && (block.type === 'text' || block.type === 'input_text') && typeof block.text === 'string') {
      parts.push({ text: block.text, type: 'text' });
    } else {
      return undefined;
    }
  }
  return parts;
}

/** {@link readContentParts} with images alone (fix `image-parts`). */
export function imageContentParts(content: Json, place: ImagePlacer): Json[] | undefined {
  return readContentParts(content, { image: place });
}

/**
 * Whether some image or document block of `content` is not among `parts` (readContentParts' result):
 * it was left out. (A document's part is text, so the count compares all parts against all blocks.)
 */
export function blocksLeftOut(content: Json, parts: readonly Json[]): boolean {
  return Array.isArray(content) && parts.length < content.length;
}
