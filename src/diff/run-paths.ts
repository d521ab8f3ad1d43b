import { subagentsDepthFirst } from '../atif/subagent-walk.js';
import type { Step, Trajectory } from '../atif/types.js';
import type { ProducedStep } from '../explain/produced.js';
import type { Json, JsonObject } from '../json/value.js';
import { child, type LazyPath } from './json-diff.js';

/**
 * Where every written step sits (root steps, then subagents depth first), as parent links: spelling
 * each step's path as text cost as much as the nesting above it, and a chain of thousands of nested
 * subagents made that quadratic. {@link pathText} spells one where a difference is printed.
 */
export function stepPositions(t: Trajectory | undefined): Map<Step, LazyPath> {
  const into = new Map<Step, LazyPath>();
  for (const at of withPositions(t)) {
    const steps = child(at.path, 'steps');
    at.trajectory.steps.forEach((s, i) => into.set(s, child(steps, i)));
  }
  return into;
}

/** Trajectory id → the trajectory and where it sits (parent links, as {@link stepPositions}). */
export function trajectoryPositions(t: Trajectory | undefined): Map<string, TrajectoryAt> {
  const into = new Map<string, TrajectoryAt>();
  for (const at of withPositions(t)) into.set(at.trajectory.trajectory_id, at);
  return into;
}

export interface TrajectoryAt {
  trajectory: Trajectory;
  path: LazyPath;
}

/** A trajectory and its subagents with where they sit, each before its children (see subagentsDepthFirst). */
function* withPositions(t: Trajectory | undefined): Generator<TrajectoryAt> {
  const places = subagentsDepthFirst<LazyPath>(t, { text: '$' }, (path, i) => child(child(path, 'subagent_trajectories'), i));
  for (const { trajectory, carried } of places) yield { trajectory, path: carried };
}

/**
 * Each step keyed by its trajectory, origin kind and events (with a count for repeats): the same
 * key in two conversions of the same events is the same step, whatever its ancestry says.
 */
export function keyedSteps(produced: readonly ProducedStep[]): Array<[string, ProducedStep]> {
  const seen = new Map<string, number>();
  return produced.map((p) => {
    const base = `${p.trajectoryId} ${p.origin?.kind ?? 'unknown'} ${p.origin?.events.join(',') ?? ''}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return [`${base} #${n}`, p];
  });
}

/** A trajectory without its steps and subagents (those are compared one by one). */
export function scalarFields(t: Trajectory): JsonObject {
  const { steps: _steps, subagent_trajectories: _children, ...rest } = t;
  return rest as unknown as JsonObject;
}

/** A step without its number: renumbering follows from removed steps and is not a change of its own. */
export function withoutStepId(s: Step): Json {
  const { step_id: _id, ...rest } = s;
  return rest as unknown as Json;
}

/** `path` is `prefix` or lies under it. */
export const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
