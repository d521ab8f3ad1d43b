import { z } from 'zod';
import { atifModel } from './model.js';
import { customScalarsAsFragments, jsonSchemaFragments } from './model-scalars.js';
import { V1_7 } from './versions.js';

/**
 * The JSON Schema (draft 2020-12) of an ATIF-v1.7 document, generated from the zod model: closed
 * objects, required fields, JSON types, enums and bounds. Cross-field rules (step id sequence,
 * agent-only fields, tool-call references, a content part's text/source by type, ...) are not
 * expressible and stay with validateTrajectory. Embedded subagent trajectories are v1.7 documents too.
 */
export function atifJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(atifModel(V1_7, 'describe').trajectory, {
    target: 'draft-2020-12',
    metadata: jsonSchemaFragments,
    unrepresentable: customScalarsAsFragments,
  });
  return { ...schema, title: 'ATIF-v1.7 trajectory' };
}
