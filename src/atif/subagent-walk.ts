import type { Trajectory } from './types.js';

/**
 * A trajectory and its subagent trajectories, each before its children and children in order (as a
 * recursive walk visits them), from an explicit stack: subagents can nest thousands deep. `down` gives
 * what a child carries (its place, say) from what its parent carries and its index among the children.
 */
export function* subagentsDepthFirst<C>(t: Trajectory | undefined, carried: C, down: (parent: C, index: number) => C): Generator<{ trajectory: Trajectory; carried: C }> {
  const stack = t ? [{ trajectory: t, carried }] : [];
  for (let cur = stack.pop(); cur !== undefined; cur = stack.pop()) {
    yield cur;
    const children = cur.trajectory.subagent_trajectories ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ trajectory: children[i], carried: down(cur.carried, i) });
  }
}
