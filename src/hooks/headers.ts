import type { HookHeaders } from '../ingest/records/hook-agent.js';

/** Request headers of a hook (or gateway) record, as the record carries them. */
export type { HookHeaders };

// A header value the HTTP stack would hand over: visible ASCII (0x20–0x7E) or tab.
const VISIBLE_ASCII = /^[\t\x20-\x7e]*$/;
// Optional whitespace around a field value (RFC 9110 §5.5), stripped by HTTP parsers before the
// reference code sees the value; captured header strings may still carry it.
const SURROUNDING_OWS = /^[ \t]+|[ \t]+$/g;

/**
 * `header_string` (§0.1): the first value of `name` (case-insensitive) when it is visible ASCII and
 * non-empty. Anything else (bytes ≥ 0x80, control characters, empty) counts as absent. Surrounding
 * spaces and tabs are trimmed first, to match what the live server received after HTTP parsing.
 */
export function headerString(headers: HookHeaders | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const raw = headers[key];
    const first = typeof raw === 'string' ? raw : raw?.[0];
    if (first === undefined) return undefined;
    const value = first.replace(SURROUNDING_OWS, '');
    return value !== '' && VISIBLE_ASCII.test(value) ? value : undefined;
  }
  return undefined;
}

/** Header names the hook adapters read (relay-cli.md §1.2, §1.4). */
export const HOOK_HEADER = {
  relaySessionId: 'x-nemo-relay-session-id',
  claudeCodeSessionId: 'x-claude-code-session-id',
  subagentId: 'x-nemo-relay-subagent-id',
  configProfile: 'x-nemo-relay-config-profile',
} as const;
