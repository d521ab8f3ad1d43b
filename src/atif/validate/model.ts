import { z } from 'zod';
import {
  V1_1,
  V1_3,
  V1_4,
  V1_5,
  V1_6,
  V1_7,
  V1_8,
  atLeast,
  versionLabel,
  type AtifVersion,
} from './versions.js';
import { AUDIO_MEDIA_TYPES, IMAGE_MEDIA_TYPES, isKnownAudioMediaType } from './media-types.js';
import {
  atifInteger,
  atifNumber,
  closedObject,
  isoTimestamp,
  jsonObject,
  notInVersion,
  type RuleParams,
} from './model-scalars.js';

/**
 * The ATIF object model as zod schemas, one model per schema version (fields newer than the version
 * are present but rejected as `field-not-in-version`). Optional fields accept absent or null.
 *
 * Two purposes:
 * - 'validate': what validate.ts parses a trajectory with. A few nested values are left opaque
 *   because their checks depend on something zod cannot see: embedded subagent trajectories use
 *   their own declared version, a content part's `source` is an ImageSource or an AudioSource
 *   depending on the part's `type`, and `schema_version` itself selects the model. rules-*.ts check
 *   those, with the schemas below where a structure applies.
 * - 'describe': fully typed, for the JSON Schema (json-schema.ts).
 */
export type ModelPurpose = 'validate' | 'describe';

export const STEP_SOURCES = ['system', 'user', 'agent'] as const;

export function contentPartTypes(version: AtifVersion): readonly string[] {
  return atLeast(version, V1_8) ? ['text', 'image', 'audio'] : ['text', 'image'];
}

function buildModel(version: AtifVersion, purpose: ModelPurpose) {
  /** `schema` from `introduced` on; before that the key is a field-not-in-version finding. */
  const since = <S extends z.ZodType>(introduced: AtifVersion, schema: S) =>
    atLeast(version, introduced) ? schema : notInVersion(versionLabel(introduced));

  const imageSource = closedObject('ImageSource', {
    media_type: z.enum(IMAGE_MEDIA_TYPES),
    path: z.string(),
  });

  const audioSource = closedObject('AudioSource', {
    media_type: z.string().refine(isKnownAudioMediaType, {
      params: { rule: 'enum' } satisfies RuleParams,
      message: `audio media_type must be one of ${AUDIO_MEDIA_TYPES.join(', ')} (or a known alias)`,
    }),
    path: z.string(),
    duration_sec: atifNumber({ minimum: 0 }).nullish(),
  });

  const mediaSource = atLeast(version, V1_8) ? z.union([imageSource, audioSource]) : imageSource;

  const contentPart = closedObject('ContentPart', {
    type: z.enum(contentPartTypes(version) as [string, ...string[]]),
    text: z.string().nullish(),
    source: (purpose === 'describe' ? mediaSource : jsonObject).nullish(),
  });

  /** `message` and observation `content`: a string, or (v1.6+) an array of content parts. */
  const textOrParts = atLeast(version, V1_6)
    ? z.union([z.string(), z.array(contentPart)])
    : z.union([
        z.string(),
        z.array(z.unknown()).refine(() => false, {
          params: { rule: 'field-not-in-version' } satisfies RuleParams,
          message: `an array of content parts requires ${versionLabel(V1_6)} or later`,
        }),
      ]);

  const toolCall = closedObject('ToolCall', {
    tool_call_id: z.string(),
    function_name: z.string(),
    arguments: jsonObject,
    extra: since(V1_7, jsonObject.nullish()),
  });

  // Before v1.7 a ref was {session_id (required), trajectory_path, extra}; trajectory_id did not exist.
  const subagentTrajectoryRef = atLeast(version, V1_7)
    ? closedObject('SubagentTrajectoryRef', {
        trajectory_id: z.string().nullish(),
        session_id: z.string().nullish(),
        trajectory_path: z.string().nullish(),
        extra: jsonObject.nullish(),
      })
    : closedObject('SubagentTrajectoryRef', {
        session_id: z.string(),
        trajectory_path: z.string().nullish(),
        extra: jsonObject.nullish(),
      });

  const observationResult = closedObject('ObservationResult', {
    source_call_id: z.string().nullish(),
    content: textOrParts.nullish(),
    subagent_trajectory_ref: z.array(subagentTrajectoryRef).nullish(),
    extra: since(V1_7, jsonObject.nullish()),
  });

  const observation = closedObject('Observation', {
    results: z.array(observationResult),
  });

  const metrics = closedObject('Metrics', {
    prompt_tokens: atifInteger().nullish(),
    completion_tokens: atifInteger().nullish(),
    cached_tokens: atifInteger().nullish(),
    cost_usd: atifNumber().nullish(),
    prompt_token_ids: since(V1_4, z.array(atifInteger()).nullish()),
    completion_token_ids: since(V1_3, z.array(atifInteger()).nullish()),
    logprobs: z.array(atifNumber()).nullish(),
    extra: jsonObject.nullish(),
  });

  const finalMetrics = closedObject('FinalMetrics', {
    total_prompt_tokens: atifInteger().nullish(),
    total_completion_tokens: atifInteger().nullish(),
    total_cached_tokens: atifInteger().nullish(),
    total_cost_usd: atifNumber().nullish(),
    total_steps: atifInteger({ minimum: 0 }).nullish(),
    extra: jsonObject.nullish(),
  });

  const step = closedObject('Step', {
    step_id: atifInteger({ minimum: 1 }),
    timestamp: isoTimestamp.nullish(),
    source: z.enum(STEP_SOURCES),
    model_name: z.string().nullish(),
    reasoning_effort: z.union([z.string(), atifNumber()]).nullish(),
    message: textOrParts,
    reasoning_content: z.string().nullish(),
    tool_calls: z.array(toolCall).nullish(),
    observation: observation.nullish(),
    metrics: metrics.nullish(),
    is_copied_context: since(V1_5, z.boolean().nullish()),
    llm_call_count: since(V1_7, atifInteger({ minimum: 0 }).nullish()),
    extra: jsonObject.nullish(),
  });

  const agent = closedObject('Agent', {
    name: z.string(),
    version: z.string(),
    model_name: z.string().nullish(),
    tool_definitions: since(V1_5, z.array(jsonObject).nullish()),
    extra: jsonObject.nullish(),
  });

  const trajectory: z.ZodType = closedObject('Trajectory', {
    schema_version: purpose === 'describe' ? z.literal(versionLabel(version)) : z.unknown().optional(),
    // Run-scoped since v1.7, when it became optional; required before.
    session_id: atLeast(version, V1_7) ? z.string().nullish() : z.string(),
    trajectory_id: since(V1_7, z.string().nullish()),
    agent,
    steps: z.array(step).min(1),
    notes: z.string().nullish(),
    final_metrics: finalMetrics.nullish(),
    // Introduction undocumented (absent from the v1.4 RFC, present in v1.6 models): accepted in every version.
    continued_trajectory_ref: z.string().nullish(),
    extra: since(V1_1, jsonObject.nullish()),
    subagent_trajectories: since(
      V1_7,
      (purpose === 'describe' ? z.array(z.lazy(() => trajectory)) : z.array(z.unknown())).nullish(),
    ),
  });

  return {
    trajectory,
    agent,
    step,
    toolCall,
    observation,
    observationResult,
    subagentTrajectoryRef,
    metrics,
    finalMetrics,
    contentPart,
    imageSource,
    audioSource,
  };
}

export type AtifModel = ReturnType<typeof buildModel>;

const models = new Map<string, AtifModel>();

/** The (memoised) model of one ATIF version. */
export function atifModel(version: AtifVersion, purpose: ModelPurpose = 'validate'): AtifModel {
  const key = `${versionLabel(version)}/${purpose}`;
  let model = models.get(key);
  if (!model) {
    model = buildModel(version, purpose);
    models.set(key, model);
  }
  return model;
}

