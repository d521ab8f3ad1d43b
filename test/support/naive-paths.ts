/**
 * The paths of a trajectory's steps and of its subagent trajectories as the diff spelled them before it
 * kept them as parent links: text built by recursion. The oracle of the deep-nesting diff tests.
 */
import type { Step, Trajectory } from '../../src/atif/types.js';
import { childPath } from '../../src/diff/json-diff.js';

export function naiveStepPaths(t: Trajectory | undefined, path = '$', into = new Map<Step, string>()): Map<Step, string> {
  if (!t) return into;
  t.steps.forEach((s, i) => into.set(s, childPath(childPath(path, 'steps'), i)));
  t.subagent_trajectories?.forEach((c, i) => naiveStepPaths(c, childPath(childPath(path, 'subagent_trajectories'), i), into));
  return into;
}

export function naiveById(t: Trajectory | undefined, path = '$', into = new Map<string, { trajectory: Trajectory; path: string }>()) {
  if (!t) return into;
  into.set(t.trajectory_id, { trajectory: t, path });
  t.subagent_trajectories?.forEach((c, i) => naiveById(c, childPath(childPath(path, 'subagent_trajectories'), i), into));
  return into;
}
