import type { Step, Trajectory } from '../atif/types.js';
import type { ProducedStep } from '../explain/produced.js';
import type { Json, JsonObject } from '../json/value.js';
import { childPath } from './json-diff.js';

/** JSON path of every written step (root steps, then subagents recursively). */
export function stepPaths(t: Trajectory | undefined, path = '$', into = new Map<Step, string>()): Map<Step, string> {
  for (const at of withPaths(t, path)) at.trajectory.steps.forEach((s, i) => into.set(s, childPath(childPath(at.path, 'steps'), i)));
  return into;
}

/** Trajectory id → the trajectory and its JSON path. */
export function trajectoriesById(t: Trajectory | undefined, path = '$', into = new Map<string, { trajectory: Trajectory; path: string }>()) {
  for (const at of withPaths(t, path)) into.set(at.trajectory.trajectory_id, at);
  return into;
}

/**
 * A trajectory and its subagents with their JSON paths, each before its children (as a recursive walk
 * visits them), from an explicit stack: subagents can nest thousands deep.
 */
function* withPaths(t: Trajectory | undefined, path: string): Generator<{ trajectory: Trajectory; path: string }> {
  const stack = t ? [{ trajectory: t, path }] : [];
  for (let cur = stack.pop(); cur !== undefined; cur = stack.pop()) {
    yield cur;
    const children = cur.trajectory.subagent_trajectories ?? [];
    const under = childPath(cur.path, 'subagent_trajectories');
    for (let i = children.length - 1; i >= 0; i--) stack.push({ trajectory: children[i], path: childPath(under, i) });
  }
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
