import { error, quote, warning, type Finding } from './finding.js';
import type { JsonPath } from './path.js';
import {
  NonFiniteToken,
  comparePyNumbers,
  hasProp,
  isNone,
  isPyDict,
  isPyInt,
  isPyTruthy,
  prop,
  pyNumberText,
  pyTypeName,
} from './py-values.js';
import type { RuleContext } from './rule-context.js';
import { V1_5, V1_7, atLeast, sameVersion, versionLabel, versionOfLabel, type AtifVersion } from './versions.js';

/**
 * `schema_version` selects the rule set, so it is checked here rather than by the model: required,
 * a string, one of the known labels. An embedded trajectory should declare its parent's version.
 */
export function* schemaVersionRules(
  trajectory: Record<string, unknown>,
  at: JsonPath,
  ctx: RuleContext,
  parentVersion: AtifVersion | undefined,
): Generator<Finding> {
  const path = [...at, 'schema_version'];
  const declared = prop(trajectory, 'schema_version');
  const applied = `(rules of ${versionLabel(ctx.version)} applied)`;
  if (!hasProp(trajectory, 'schema_version')) {
    yield error(path, 'required', `required field 'schema_version' is missing ${applied}`);
  } else if (declared === null) {
    yield error(path, 'type', "field 'schema_version' of Trajectory must not be null");
  } else if (declared instanceof NonFiniteToken) {
    // Reported as invalid-json-number already.
  } else if (typeof declared !== 'string') {
    yield error(path, 'type', `expected string, got ${pyTypeName(declared)}`);
  } else if (!versionOfLabel(declared)) {
    yield error(path, 'enum', `unknown schema_version ${quote(declared)}; expected one of ATIF-v1.0 .. ATIF-v1.8 ${applied}`);
  }
  const version = versionOfLabel(declared);
  if (parentVersion && version && !sameVersion(version, parentVersion)) {
    yield warning(
      path,
      'mixed-versions',
      `embedded trajectory declares ${versionLabel(version)} while its parent declares ${versionLabel(parentVersion)}`,
    );
  }
}

/** Producers SHOULD identify the run on the root trajectory (v1.7 made session_id optional). */
export function* rootSessionIdRule(trajectory: Record<string, unknown>, at: JsonPath, ctx: RuleContext): Generator<Finding> {
  if (atLeast(ctx.version, V1_7) && isNone(prop(trajectory, 'session_id'))) {
    yield warning([...at, 'session_id'], 'session-id-recommended', 'producers SHOULD set session_id on root trajectories');
  }
}

/** `final_metrics.total_steps` should equal `len(steps)` unless `notes` explains the difference. */
export function* totalStepsRule(trajectory: Record<string, unknown>, at: JsonPath): Generator<Finding> {
  const finalMetrics = prop(trajectory, 'final_metrics');
  const steps = prop(trajectory, 'steps');
  if (!isPyDict(finalMetrics) || !Array.isArray(steps)) return;
  const totalSteps = prop(finalMetrics, 'total_steps');
  if (!isPyInt(totalSteps) || comparePyNumbers(totalSteps, steps.length) === 0) return;
  if (isPyTruthy(prop(trajectory, 'notes'))) return;
  yield warning(
    [...at, 'final_metrics', 'total_steps'],
    'total-steps',
    `total_steps is ${pyNumberText(totalSteps)} but steps has ${steps.length} entries and notes does not explain it`,
  );
}

/** Tool definitions SHOULD use the OpenAI function-calling shape (the reference only checks "objects"). */
export function* toolDefinitionShape(agent: unknown, at: JsonPath, ctx: RuleContext): Generator<Finding> {
  // Before v1.5 the field does not exist (field-not-in-version), so its items are not looked at.
  const definitions = isPyDict(agent) && atLeast(ctx.version, V1_5) ? prop(agent, 'tool_definitions') : undefined;
  if (!Array.isArray(definitions)) return;
  for (const [index, definition] of definitions.entries()) {
    if (!isPyDict(definition)) continue;
    const fn = prop(definition, 'function');
    if (prop(definition, 'type') === 'function' && isPyDict(fn) && typeof prop(fn, 'name') === 'string') continue;
    yield warning(
      [...at, 'tool_definitions', index],
      'tool-definition-shape',
      'tool definitions should follow the OpenAI function-calling shape {"type": "function", "function": {"name": ..., ...}}',
    );
  }
}
