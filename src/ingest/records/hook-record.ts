import { z } from 'zod';
import { hasOwn, type JsonObject } from '../../json/value.js';
import { parseRfc3339, rawRecordTime, type Nanos } from '../time.js';
import { parseHookAgentKind, type HookAgentKind, type HookHeaders } from './hook-agent.js';
import { headerValues, isPlainHeaderValues, rfc3339 } from './schema-parts.js';

/** zod model of a hook record (input-records.md §2); unknown keys are tolerated. */
export const hookRecordSchema = z
  .looseObject({
    record: z.literal('hook'),
    agent: z.string().refine((s) => parseHookAgentKind(s) !== undefined, 'not a hook agent (claude-code, codex, cursor or hermes)'),
    received_at: rfc3339,
    headers: headerValues.optional(),
    payload: z.unknown(),
  })
  .superRefine((v, ctx) => {
    if (!hasOwn(v, 'payload')) ctx.addIssue({ code: 'custom', path: ['payload'], message: 'a hook record needs payload (any JSON value)' });
  });

/** What the reader takes from a hook record's envelope (its payload is read from the record itself). */
export interface HookEnvelope {
  agent: HookAgentKind;
  atNs: Nanos;
  /** A copy, as zod's record parse makes one (arrays of values copied too). */
  headers: HookHeaders;
}

export type DecodeHookResult = { ok: true; envelope: HookEnvelope } | { ok: false; path: string; message: string };

/**
 * A hook record's envelope. The common, valid case is checked by hand; zod runs only for what that
 * check leaves (a failure, described with its path, or a key that zod treats specially): zod took
 * about 18 µs a record, the check a fraction of that. Both accept the same records and give the same
 * envelope (test/ingest-hook-decode.test.ts).
 */
export function decodeHookRecord(value: JsonObject): DecodeHookResult {
  const fast = fastDecode(value);
  return fast !== undefined ? { ok: true, envelope: fast } : decodeHookRecordWithZod(value);
}

/** The envelope as the zod schema alone reads it: what the hand check must agree with. */
export function decodeHookRecordWithZod(value: JsonObject): DecodeHookResult {
  const parsed = hookRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, path: issue.path.join('.') || '(root)', message: issue.message };
  }
  return {
    ok: true,
    envelope: {
      agent: parseHookAgentKind(parsed.data.agent) as HookAgentKind,
      atNs: parseRfc3339(parsed.data.received_at) as Nanos,
      headers: (parsed.data.headers ?? {}) as HookHeaders,
    },
  };
}

function fastDecode(value: JsonObject): HookEnvelope | undefined {
  if (value.record !== 'hook' || !hasOwn(value, 'payload')) return undefined;
  const { agent: agentText, received_at: receivedAt, headers } = value;
  if (typeof agentText !== 'string' || typeof receivedAt !== 'string') return undefined;
  const agent = parseHookAgentKind(agentText);
  const time = rawRecordTime(receivedAt);
  if (agent === undefined || !('ns' in time)) return undefined;
  const atNs = time.ns;
  if (headers === undefined) return { agent, atNs, headers: {} };
  if (!isPlainHeaderValues(headers)) return undefined;
  // A copy, as zod's record parse makes one.
  const copy: Record<string, string | string[]> = {};
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    copy[name] = typeof v === 'string' ? v : [...v];
  }
  return { agent, atNs, headers: copy };
}
