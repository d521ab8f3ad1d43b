/**
 * Named, switchable differences from the NeMo-Relay 0.3 reference. A profile is a set of enabled
 * fixes; `relay-0.3` enables none, the default profile enables the ones marked `inDefault`.
 */
export interface FixInfo {
  name: string;
  summary: string;
  origin: string;
  inDefault: boolean;
}

export const FIXES = [
  {
    name: 'structured-tool-results',
    summary: 'tool results that are not a string or ATIF content parts go to result extra.tool_result instead of content',
    origin: 'ATIF v1.7 validity; NeMo-Relay #223 and #233',
    inDefault: true,
  },
  {
    name: 'object-arguments',
    summary: 'tool calls synthesized from tool starts get object arguments (strings parsed, scalars wrapped)',
    origin: 'ATIF v1.7 validity (arguments must be an object)',
    inDefault: true,
  },
  {
    name: 'no-empty-trajectories',
    summary: 'trajectories without steps are not written; empty subagent trajectories are dropped with their refs',
    origin: 'ATIF v1.7 validity (steps needs at least one step)',
    inDefault: true,
  },
  {
    name: 'scalar-reasoning-effort',
    summary: 'a request reasoning_effort that is not a string or number is not copied to the agent step (it stays in llm_request)',
    origin: 'ATIF v1.7 validity (reasoning_effort is a string or number)',
    inDefault: true,
  },
] as const satisfies readonly FixInfo[];

export type FixName = (typeof FIXES)[number]['name'];
export type FixSet = ReadonlySet<FixName>;

export const PROFILE_NAMES = ['default', 'relay-0.3'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isFixName(name: string): name is FixName {
  return FIXES.some((f) => f.name === name);
}

/** The fixes of a profile, adjusted by `--fix` / `--no-fix`. */
export function resolveFixes(profile: ProfileName, enable: readonly FixName[] = [], disable: readonly FixName[] = []): FixSet {
  const set = new Set<FixName>(profile === 'relay-0.3' ? [] : FIXES.filter((f) => f.inDefault).map((f) => f.name));
  for (const f of enable) set.add(f);
  for (const f of disable) set.delete(f);
  return set;
}
