/** ATIF validation: a mirror of the reference checker atif_validate.py (same rule ids, levels and paths). */
export { validateTrajectory, validateJson, validateFile } from './validate.js';
export type { ValidateOptions, ValidateFileOptions } from './validate.js';
export { loadTrajectoryJson, type LoadedJson, type ScannedText } from './json-load.js';
export { hasErrors, type Finding, type FindingLevel } from './finding.js';
export { atifJsonSchema } from './json-schema.js';
export { atifModel, type AtifModel, type ModelPurpose } from './model.js';
export { ATIF_VERSION_LABELS, isAtifVersionLabel, type AtifVersionLabel } from './versions.js';
export { NonFiniteToken } from './py-values.js';
