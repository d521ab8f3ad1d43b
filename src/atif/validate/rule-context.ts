import type { AtifVersion } from './versions.js';

/** What the cross-field rules need to know about the trajectory they look at. */
export interface RuleContext {
  /** The declared version, or the default (v1.7) when the label is missing or unknown. */
  version: AtifVersion;
  /** For messages: the declared label when there is one. */
  versionLabel: string;
  /** When set, local image/audio paths are checked with it (`media-missing`). */
  mediaExists?: (mediaPath: string) => boolean;
}
