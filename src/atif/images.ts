import { createHash } from 'node:crypto';
import type { Json } from '../json/value.js';
import { IMAGE_EXTENSIONS, sniffImageMediaType, type ProviderDocument, type ProviderImage } from '../providers/images.js';

/** The directory, beside the trajectory file, that image files go to (Harbor's convention: `images/<name>`). */
export const IMAGE_DIR = 'images';

/** An image file to write beside the trajectory: `path` relative to the trajectory's directory. */
export interface ImageFile {
  path: string;
  bytes: Uint8Array;
}

/** What a conversion made of the images its messages held (fix `image-parts`). */
export interface ImageOutcome {
  /** The files its image parts refer to, each once, in the order first met. */
  files: ImageFile[];
  /** Distinct base64 images left out of the messages because no file could be written (stdout). */
  notWritten: number;
  /** Distinct images no ATIF part can show: an uploaded file's id, a URL of no image file type. */
  notShown: number;
  /** Fix `document-blocks`: distinct documents (a PDF, another file) left out of the messages: ATIF has no part for them. */
  documentsLeftOut: number;
}

/**
 * The images of one conversion (fix `image-parts`). ATIF has no base64 image (ImageSource is a media
 * type and a path), so the data of an image is a file, named by the SHA-256 of its bytes
 * (`images/<16 hex>.<ext>`): the same image is one file however often it is sent (Claude Code sends
 * the whole conversation again with every request). With `writeFiles` false (stdout: no directory to
 * write to), such an image is left out of its message and counted. A URL of an image file stays a URL.
 * The exporter stays pure: the files are returned beside the trajectory, and the CLI writes them.
 */
export class ImageStore {
  private readonly files: ImageFile[] = [];
  /** Image part (or null: left out) by the base64 text it was read from: a screenshot sent again is not decoded and hashed again. */
  private readonly byData = new Map<string, Json | null>();
  private readonly byPath = new Set<string>();
  private readonly notShown = new Set<string>();
  private readonly documents = new Set<string>();
  private notWritten = 0;

  constructor(private readonly writeFiles: boolean) {}

  /** The ATIF image part of a provider image, or undefined to leave it out of the message. */
  readonly place = (image: ProviderImage): Json | undefined => {
    if (image.kind === 'url') {
      if (image.mediaType !== undefined) return imagePart(image.mediaType, image.url);
      this.notShown.add(image.url);
      return undefined;
    }
    if (image.kind === 'reference') {
      this.notShown.add('reference');
      return undefined;
    }
    const known = this.byData.get(image.data);
    if (known !== undefined) return known ?? undefined;
    const part = this.fromData(image.data, image.mediaType);
    this.byData.set(image.data, part ?? null);
    return part;
  };

  /** Fix `document-blocks`: a document's text part (a plain-text source), else undefined to leave it out (counted). */
  readonly document = (document: ProviderDocument): Json | undefined => {
    if (document.text !== undefined) return { text: document.text, type: 'text' };
    this.documents.add(document.key);
    return undefined;
  };

  outcome(): ImageOutcome {
    return { files: this.files, notWritten: this.notWritten, notShown: this.notShown.size, documentsLeftOut: this.documents.size };
  }

  private fromData(data: string, declared: string | undefined): Json | undefined {
    const bytes = Buffer.from(data, 'base64');
    // The bytes tell the type where they can (an agent may declare the wrong one: a JPEG sent as
    // image/png); else the declared type, when ATIF allows it.
    const mediaType = sniffImageMediaType(bytes) ?? declared;
    if (bytes.length === 0 || mediaType === undefined) {
      this.notShown.add(data);
      return undefined;
    }
    if (!this.writeFiles) {
      this.notWritten++;
      return undefined;
    }
    const path = `${IMAGE_DIR}/${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.${IMAGE_EXTENSIONS[mediaType]}`;
    if (!this.byPath.has(path)) {
      this.byPath.add(path);
      this.files.push({ path, bytes });
    }
    return imagePart(mediaType, path);
  }
}

function imagePart(mediaType: string, path: string): Json {
  return { source: { media_type: mediaType, path }, type: 'image' };
}
