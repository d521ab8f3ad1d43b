import { error, quote, warning, type Finding } from './finding.js';
import type { JsonPath } from './path.js';
import { isNone, isPyBlank, isPyDict, prop } from './py-values.js';
import type { RuleContext } from './rule-context.js';
import { V1_7, V1_8, atLeast } from './versions.js';

/**
 * R5/R6: every embedded subagent trajectory sets a trajectory_id, unique among its siblings.
 * Returns the findings and the ids that refs can resolve to (first occurrence wins).
 */
export function embeddedTrajectoryIds(
  subagents: readonly unknown[],
  at: JsonPath,
): { ids: ReadonlySet<string>; findings: Finding[] } {
  const firstIndexById = new Map<string, number>();
  const findings: Finding[] = [];
  for (const [index, sub] of subagents.entries()) {
    if (!isPyDict(sub)) continue;
    const id = prop(sub, 'trajectory_id');
    const idPath = [...at, index, 'trajectory_id'];
    if (isNone(id)) {
      findings.push(error(idPath, 'subagent-trajectory-id', 'every embedded subagent trajectory must set trajectory_id'));
    } else if (typeof id === 'string') {
      const first = firstIndexById.get(id);
      if (first === undefined) firstIndexById.set(id, index);
      else {
        findings.push(
          error(
            idPath,
            'subagent-trajectory-id-unique',
            `trajectory_id ${quote(id)} already used by subagent_trajectories[${first}]`,
          ),
        );
      }
    }
  }
  return { ids: new Set(firstIndexById.keys()), findings };
}

interface RefAt {
  ref: Record<string, unknown>;
  at: JsonPath;
}

/** Every SubagentTrajectoryRef object under `steps[*].observation.results[*].subagent_trajectory_ref`. */
function subagentRefs(steps: unknown, at: JsonPath): RefAt[] {
  if (!Array.isArray(steps)) return [];
  const refs: RefAt[] = [];
  for (const [s, step] of steps.entries()) {
    const observation = isPyDict(step) ? prop(step, 'observation') : undefined;
    const results = isPyDict(observation) ? prop(observation, 'results') : undefined;
    if (!Array.isArray(results)) continue;
    for (const [r, result] of results.entries()) {
      const list = isPyDict(result) ? prop(result, 'subagent_trajectory_ref') : undefined;
      if (!Array.isArray(list)) continue;
      for (const [f, ref] of list.entries()) {
        if (isPyDict(ref)) {
          refs.push({ ref, at: [...at, s, 'observation', 'results', r, 'subagent_trajectory_ref', f] });
        }
      }
    }
  }
  return refs;
}

/**
 * R8, R14, R15 (v1.7+): a ref must name a trajectory_id or a trajectory_path, and a ref without a
 * path must point at an embedded subagent of this trajectory. v1.8 made the second rule an error
 * and stopped counting blank strings as set.
 */
export function* subagentRefRules(
  steps: unknown,
  stepsPath: JsonPath,
  embeddedIds: ReadonlySet<string>,
  ctx: RuleContext,
): Generator<Finding> {
  if (!atLeast(ctx.version, V1_7)) return;
  const strictBlanks = atLeast(ctx.version, V1_8);
  for (const { ref, at } of subagentRefs(steps, stepsPath)) {
    const id = prop(ref, 'trajectory_id');
    const path = prop(ref, 'trajectory_path');
    const isSet = (value: unknown) => (strictBlanks ? typeof value === 'string' && !isPyBlank(value) : !isNone(value));
    if (!isSet(id) && !isSet(path)) {
      yield error(
        at,
        'subagent-ref-resolvable',
        'a SubagentTrajectoryRef must set trajectory_id (embedded form) or trajectory_path (file form); ' +
          'session_id alone is not a resolution key' +
          (strictBlanks ? ` (blank strings do not count in ${ctx.versionLabel})` : ''),
      );
    }
    if ((typeof path === 'string' && path !== '') || typeof id !== 'string' || isPyBlank(id)) continue;
    if (embeddedIds.has(id)) continue;
    const message = `trajectory_id ${quote(id)} has no trajectory_path and matches no entry of subagent_trajectories`;
    yield strictBlanks ? error(at, 'subagent-ref-unresolved', message) : warning(at, 'subagent-ref-unresolved', message);
  }
}
