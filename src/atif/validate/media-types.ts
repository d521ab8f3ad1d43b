import { pyStrip } from './py-values.js';

export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** v1.8 audio types; the reference trims, lower-cases and maps aliases before checking. */
export const AUDIO_MEDIA_TYPES = [
  'audio/wav',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/ogg',
  'audio/flac',
  'audio/webm',
  'audio/aiff',
] as const;

const AUDIO_MEDIA_TYPE_ALIASES: Readonly<Record<string, string>> = {
  'audio/mp3': 'audio/mpeg',
  'audio/mpga': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'audio/x-flac': 'audio/flac',
  'audio/x-aiff': 'audio/aiff',
};

/** The canonical type the reference turns `mediaType` into (it may not be a known type). */
export function normalizeAudioMediaType(mediaType: string): string {
  const cleaned = pyStrip(mediaType).toLowerCase();
  return Object.prototype.hasOwnProperty.call(AUDIO_MEDIA_TYPE_ALIASES, cleaned)
    ? AUDIO_MEDIA_TYPE_ALIASES[cleaned]!
    : cleaned;
}

export function isKnownAudioMediaType(mediaType: string): boolean {
  return (AUDIO_MEDIA_TYPES as readonly string[]).includes(normalizeAudioMediaType(mediaType));
}
