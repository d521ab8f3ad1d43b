/**
 * The `agent` of a hook record (input-records.md §2) and of `--agent`: the agents with a hook
 * endpoint (`/hooks/<kind>`), each with an adapter in hooks/. Read here, where the record is checked.
 */
export type HookAgentKind = 'codex' | 'claude-code' | 'cursor' | 'hermes';

/** The kinds with a hook endpoint, i.e. the valid `agent` of a hook record and of `--agent`. */
export const HOOK_AGENT_KINDS: readonly HookAgentKind[] = ['claude-code', 'codex', 'cursor', 'hermes'];

/**
 * `normalize_name` (relay-cli.md §0.5): keeps ASCII letters and digits, lower-cased. Every hook-name
 * comparison goes through it, so `PostToolUse`, `post_tool_use` and `POST-TOOL-USE` are one name.
 */
export function normalizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

/**
 * Reads a hook agent name the way hook names are compared: case and separators are ignored, so
 * `claude-code`, `Claude_Code` and `claudecode` are all Claude Code. Unknown names (including
 * `gateway`, which has no hook endpoint) give undefined.
 */
export function parseHookAgentKind(text: string): HookAgentKind | undefined {
  const wanted = normalizeName(text);
  if (wanted === '') return undefined;
  return HOOK_AGENT_KINDS.find((kind) => normalizeName(kind) === wanted);
}

/**
 * Request headers of a hook record: names in any case; a value may be a list, of which only the
 * first is read, as the live server reads only the first of a repeated header.
 */
export type HookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;
