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
