/**
 * ATIF schema versions. A document declares one label (`ATIF-v1.0` … `ATIF-v1.8`) and is validated
 * with the rules of that version; unknown or missing labels fall back to v1.7, the primary target,
 * so that the rest of the document still gets checked.
 */
export type AtifVersion = readonly [major: 1, minor: number];

export const ATIF_VERSION_LABELS = [
  'ATIF-v1.0',
  'ATIF-v1.1',
  'ATIF-v1.2',
  'ATIF-v1.3',
  'ATIF-v1.4',
  'ATIF-v1.5',
  'ATIF-v1.6',
  'ATIF-v1.7',
  'ATIF-v1.8',
] as const;
export type AtifVersionLabel = (typeof ATIF_VERSION_LABELS)[number];

const v = (minor: number): AtifVersion => [1, minor];
export const V1_1 = v(1);
export const V1_2 = v(2);
export const V1_3 = v(3);
export const V1_4 = v(4);
export const V1_5 = v(5);
export const V1_6 = v(6);
export const V1_7 = v(7);
export const V1_8 = v(8);
export const DEFAULT_VERSION = V1_7;

export function isAtifVersionLabel(value: unknown): value is AtifVersionLabel {
  return typeof value === 'string' && (ATIF_VERSION_LABELS as readonly string[]).includes(value);
}

/** The version a label names, or undefined for anything that is not a known label. */
export function versionOfLabel(label: unknown): AtifVersion | undefined {
  return isAtifVersionLabel(label) ? v(ATIF_VERSION_LABELS.indexOf(label)) : undefined;
}

export function versionLabel(version: AtifVersion): string {
  return `ATIF-v${version[0]}.${version[1]}`;
}

export function atLeast(version: AtifVersion, wanted: AtifVersion): boolean {
  return version[1] >= wanted[1];
}

export function sameVersion(a: AtifVersion, b: AtifVersion): boolean {
  return a[1] === b[1];
}
