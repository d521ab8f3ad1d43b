import { agentText, CURSOR_AGENT_TEXT_HOOKS } from '../hooks/cursor.js';
import { hermesTurnText } from '../hooks/hermes.js';
import { normalizeName } from '../hooks/paths.js';
import type { AtofEvent } from '../ingest/atof.js';
import { getOwn, isObject } from '../json/value.js';
import { scopeRole } from './tree.js';

/**
 * Fix `hook-turn-steps`: what a turn's own hooks say, for a turn that no LLM call speaks for (the
 * step builder also gives the turn's tools an agent step of their own).
 *
 * The session state machine opens a turn scope on a prompt hook with the whole hook payload as its
 * data (relay-cli.md §3.6: `turn_source` `user_prompt`), and closes it on the turn's stop hook with that
 * payload. Claude Code's `UserPromptSubmit`, Codex's `UserPromptSubmit` and Cursor's
 * `beforeSubmitPrompt` carry the user's text as `prompt`; Claude Code's and Codex's `Stop` carry the
 * answer the turn ended with as `last_assistant_message`. The exporter reads neither (user and agent
 * steps come from LLM spans only, atif-conversion.md §3.5–3.6), so a log without gateway captures
 * (hooks alone, or a turn the proxy did not see) had no user or agent message at all.
 */

/**
 * The user's text of a turn a prompt hook opened, when it has a non-blank one. Turns the gateway
 * opened (`gateway_request`: their LLM start follows) or a tool hook opened (`implicit`) are not read.
 */
export function turnPrompt(e: AtofEvent): string | undefined {
  if (e.category !== 'agent' || e.scopeCategory !== 'start' || scopeRole(e) !== 'turn') return undefined;
  if (!isObject(e.metadata) || getOwn(e.metadata, 'turn_source') !== 'user_prompt') return undefined;
  return nonBlankText(e.data, 'prompt');
}

/** The prompt a `prompt_submitted` mark carries (an aliased child thread's UserPromptSubmit), when non-blank. */
export function markPrompt(e: AtofEvent): string | undefined {
  return e.kind === 'mark' ? nonBlankText(e.data, 'prompt') : undefined;
}

/**
 * What a Cursor answer or thought mark says (fix `cursor-agent-text` makes `afterAgentResponse` and
 * `afterAgentThought` a `hook_mark` carrying the hook's payload): the answer the agent wrote, or one
 * of its thinking blocks, when its `text` is non-blank.
 */
export function cursorAgentText(e: AtofEvent): { kind: 'answer' | 'thought'; text: string } | undefined {
  if (e.kind !== 'mark' || e.name !== 'hook_mark' || !isObject(e.metadata) || getOwn(e.metadata, 'agent_kind') !== 'cursor') return undefined;
  const hook = getOwn(e.metadata, 'hook_event_name');
  const name = typeof hook === 'string' ? normalizeName(hook) : '';
  if (!CURSOR_AGENT_TEXT_HOOKS.has(name) || e.data === undefined) return undefined;
  const text = agentText(e.data);
  return text === undefined ? undefined : { kind: name === 'afteragentresponse' ? 'answer' : 'thought', text };
}

/**
 * What a Hermes turn-text mark says (fix `hermes-turn-text` makes `pre_llm_call` and `post_llm_call`
 * a `hook_mark` carrying the hook's payload): the user's message of the turn, or its final answer.
 */
export function hermesTurnTextMark(e: AtofEvent): { kind: 'prompt' | 'answer'; text: string } | undefined {
  if (e.kind !== 'mark' || e.name !== 'hook_mark' || !isObject(e.metadata) || getOwn(e.metadata, 'agent_kind') !== 'hermes') return undefined;
  return e.data === undefined ? undefined : hermesTurnText(e.data);
}

/** The answer a turn scope's end reports, when it has a non-blank one. */
export function turnAnswer(e: AtofEvent): string | undefined {
  return nonBlankText(e.data, 'last_assistant_message');
}

/** The model a turn's stop hook names (Codex sends `model` in every hook payload; Claude Code does not). */
export function turnModel(e: AtofEvent): string | undefined {
  return nonBlankText(e.data, 'model');
}

function nonBlankText(data: AtofEvent['data'], key: string): string | undefined {
  const text = isObject(data) ? getOwn(data, key) : undefined;
  return typeof text === 'string' && text.trim() !== '' ? text : undefined;
}

/** Claude Code's delegation tools (named `Task` in earlier releases, `Agent` since): their input's `prompt` is the subagent's task. */
const DELEGATION_TOOLS = new Set(['Task', 'Agent']);
const AGENT_ID_KEYS = ['agentId', 'agent_id'] as const;
const SUBAGENT_PREFIX = 'subagent:';

/**
 * The task each Claude Code subagent scope was given, by the subagent scope's uuid: the `prompt` of
 * the `Task`/`Agent` tool call that launched it (Claude Code sends the tool's input with
 * PreToolUse). That text is the first user message of the subagent's own conversation, so a
 * subagent seen by its hooks alone opens with it as its user step, as one whose requests the gateway
 * captured does (the first request's user message). Which call launched which subagent: the call whose
 * tool end reports the subagent's id (`agentId` in the tool response), else the one delegation call
 * open beside it (same parent scope) when the subagent started and claimed by no other subagent's id.
 */
export function delegatedPrompts(sorted: readonly AtofEvent[]): Map<string, string> {
  const calls = new Map<string, { prompt: string; parent?: string; agentId?: string; open: boolean }>();
  const subagents: Array<{ uuid: string; id: string; open: string[] }> = [];
  for (const e of sorted) {
    if (e.kind !== 'scope') continue;
    if (e.category === 'tool') {
      if (e.scopeCategory === 'start') {
        const prompt = delegationPrompt(e);
        if (prompt !== undefined && !calls.has(e.uuid)) calls.set(e.uuid, { prompt, parent: e.parentUuid, open: true });
        continue;
      }
      const call = calls.get(e.uuid);
      if (!call) continue;
      call.open = false;
      call.agentId ??= reportedAgentId(e.data);
    } else if (e.category === 'agent' && e.scopeCategory === 'start' && scopeRole(e) === 'subagent' && e.name.startsWith(SUBAGENT_PREFIX)) {
      const open = [...calls].filter(([, c]) => c.open && c.parent === e.parentUuid).map(([uuid]) => uuid);
      subagents.push({ uuid: e.uuid, id: e.name.slice(SUBAGENT_PREFIX.length), open });
    }
  }
  const byAgentId = new Map<string, string>();
  for (const [uuid, call] of calls) if (call.agentId !== undefined && !byAgentId.has(call.agentId)) byAgentId.set(call.agentId, uuid);
  const claimed = new Set(subagents.map((s) => byAgentId.get(s.id)).filter((u): u is string => u !== undefined));
  const prompts = new Map<string, string>();
  for (const s of subagents) {
    const named = byAgentId.get(s.id);
    const free = s.open.filter((uuid) => !claimed.has(uuid) && calls.get(uuid)?.agentId === undefined);
    const call = named ?? (free.length === 1 ? free[0] : undefined);
    if (call !== undefined) prompts.set(s.uuid, calls.get(call)!.prompt);
  }
  return prompts;
}

/** A Claude Code Task/Agent tool start's non-blank `prompt`. */
function delegationPrompt(e: AtofEvent): string | undefined {
  if (!DELEGATION_TOOLS.has(e.name) || !isObject(e.metadata) || getOwn(e.metadata, 'agent_kind') !== 'claude-code') return undefined;
  return nonBlankText(e.data, 'prompt');
}

/** The subagent id a delegation tool's result reports (Claude Code's Task/Agent response: `agentId`). */
function reportedAgentId(result: AtofEvent['data']): string | undefined {
  if (!isObject(result)) return undefined;
  for (const key of AGENT_ID_KEYS) {
    const id = getOwn(result, key);
    if (typeof id === 'string' && id !== '') return id;
  }
  return undefined;
}
