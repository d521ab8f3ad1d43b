import { error, quote, warning, type Finding } from './finding.js';
import { structuralFindings } from './issues.js';
import { isKnownAudioMediaType, normalizeAudioMediaType } from './media-types.js';
import { atifModel, contentPartTypes } from './model.js';
import type { JsonPath } from './path.js';
import { isNone, isPyDict, prop, pyStrip } from './py-values.js';
import type { RuleContext } from './rule-context.js';
import { V1_6, atLeast } from './versions.js';

/**
 * Content parts (v1.6+) in a step's `message` and its observation results' `content`: which of
 * `text` / `source` a part carries depends on its `type`, and so does the shape of `source`
 * (ImageSource for images, AudioSource for v1.8 audio).
 */
export function* stepContentRules(step: unknown, at: JsonPath, ctx: RuleContext): Generator<Finding> {
  if (!isPyDict(step) || !atLeast(ctx.version, V1_6)) return;
  yield* partsRules(prop(step, 'message'), [...at, 'message'], ctx);
  const observation = prop(step, 'observation');
  const results = isPyDict(observation) ? prop(observation, 'results') : undefined;
  if (!Array.isArray(results)) return;
  for (const [index, result] of results.entries()) {
    if (isPyDict(result)) yield* partsRules(prop(result, 'content'), [...at, 'observation', 'results', index, 'content'], ctx);
  }
}

function* partsRules(value: unknown, at: JsonPath, ctx: RuleContext): Generator<Finding> {
  if (!Array.isArray(value)) return;
  for (const [index, part] of value.entries()) yield* contentPartRules(part, [...at, index], ctx);
}

function* contentPartRules(part: unknown, at: JsonPath, ctx: RuleContext): Generator<Finding> {
  if (!isPyDict(part)) return;
  const type = prop(part, 'type');
  // A missing, mistyped or unknown type is a structural finding already; nothing more can be said.
  if (typeof type !== 'string' || !contentPartTypes(ctx.version).includes(type)) return;
  const text = prop(part, 'text');
  const source = prop(part, 'source');
  if (type === 'text') {
    if (isNone(text)) yield error([...at, 'text'], 'content-part', "'text' is required when type is 'text'");
    if (!isNone(source)) yield error([...at, 'source'], 'content-part', "'source' is not allowed when type is 'text'");
    return;
  }
  if (!isNone(text)) yield error([...at, 'text'], 'content-part', `'text' is not allowed when type is ${quote(type)}`);
  if (isNone(source)) {
    yield error([...at, 'source'], 'content-part', `'source' is required when type is ${quote(type)}`);
    return;
  }
  if (!isPyDict(source)) return;
  const sourcePath = [...at, 'source'];
  if (type === 'image') {
    yield* structuralFindings(atifModel(ctx.version).imageSource, source, sourcePath);
  } else {
    const mediaType = prop(source, 'media_type');
    if (typeof mediaType === 'string' && pyStrip(mediaType).toLowerCase().startsWith('image/')) {
      yield error(sourcePath, 'content-part', `type 'audio' requires an audio source, got media_type ${quote(mediaType)}`);
      return;
    }
    yield* structuralFindings(atifModel(ctx.version).audioSource, source, sourcePath);
    yield* audioMediaTypeAlias(mediaType, [...sourcePath, 'media_type']);
  }
  yield* mediaPresence(prop(source, 'path'), [...sourcePath, 'path'], ctx);
}

/** The reference normalises aliases such as `audio/mp3`; producers should write the canonical type. */
function* audioMediaTypeAlias(mediaType: unknown, at: JsonPath): Generator<Finding> {
  if (typeof mediaType !== 'string') return;
  const canonical = normalizeAudioMediaType(mediaType);
  if (canonical === mediaType || !isKnownAudioMediaType(mediaType)) return;
  yield warning(
    at,
    'media-type-alias',
    `${quote(mediaType)} is normalised to ${quote(canonical)} by the reference; write the canonical type`,
  );
}

function* mediaPresence(mediaPath: unknown, at: JsonPath, ctx: RuleContext): Generator<Finding> {
  if (!ctx.mediaExists || typeof mediaPath !== 'string' || mediaPath.includes('://')) return;
  if (!ctx.mediaExists(mediaPath)) {
    yield error(at, 'media-missing', `referenced media file does not exist: ${mediaPath}`);
  }
}
