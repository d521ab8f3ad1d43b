import type { NormalizedEvent } from '../hooks/index.js';
import type { LineRef } from '../ingest/accounting.js';
import type { Nanos } from '../ingest/time.js';
import { getOwn, isObject, type Json } from '../json/value.js';
import { requestLatestInput } from '../providers/latest-input.js';

/**
 * Evidence that the hooks' clock and the gateway's disagree. The replay orders hook records by their
 * `received_at` and gateway calls by their capture times on one timeline; when the hook process and the
 * gateway run on hosts whose clocks differ (logs merged from two machines, two containers), a turn's
 * hooks land seconds away from its calls: the calls fall outside their turn, and the output is split
 * into trajectories, repeats a turn's prompt or misses its answer, with nothing else to say why.
 *
 * The evidence is causal, the same action seen on both sides. An agent's prompt hook
 * (UserPromptSubmit) runs before the request that carries the prompt, and a tool's end hook
 * (PostToolUse) before the request that sends its result back: a request carrying a prompt or a tool
 * result that the hooks deliver only later says the hooks are stamped late, by at least the gap. And a
 * call carrying a turn's prompt or tool result is over before the turn's stop (Stop, SessionEnd): one
 * that completes after the turn's end hook says the hooks are stamped early, by at least the gap.
 * Matched on what a request newly sends (its prompt text, its tool results' call ids), never on a
 * conversation re-sent whole.
 */

/** Evidence further apart than this is no clock skew (a prompt typed again minutes later). */
export const CLOCK_SKEW_WINDOW_NS = 60_000_000_000n;

/**
 * Gaps smaller than this are no evidence: a gateway stamps a call's end after it forwarded the last
 * byte, a few milliseconds after the agent had it and may have run its stop hook.
 */
export const CLOCK_SKEW_MIN_NS = 100_000_000n;

export type SkewDirection = 'hooks-late' | 'hooks-early';

export interface ClockSkewCall {
  origin: LineRef;
  captureId: string;
  sessionId: string;
  direction: SkewDirection;
  /** The gap the evidence shows: the skew is at least this. */
  gapNs: Nanos;
  /** What was seen on both sides: `the prompt "…"` or `tool result toolu_01`. */
  evidence: string;
}

export interface ClockSkewStats {
  /** Gateway calls showing the clocks disagree (each counted once). */
  calls: number;
  first?: ClockSkewCall;
  /** The largest gap of each direction. */
  maxLateNs: Nanos;
  maxEarlyNs: Nanos;
  /** Sessions with such a call. */
  sessions: number;
}

interface Seen {
  ns: Nanos;
  sessionId?: string;
  origin?: LineRef;
  captureId?: string;
}

interface InFlight {
  sessionId: string;
  hookNs: Nanos;
  completionNs: Nanos;
  origin: LineRef;
  captureId: string;
  evidence: string;
}

export class ClockSkewDetector {
  /** Prompt texts and tool-result ids the hooks delivered, with when and for which session (oldest first). */
  private readonly hookKeys = new Map<string, Seen>();
  /** The same, sent by a request before any hook delivered them (oldest first). */
  private readonly requestKeys = new Map<string, Seen>();
  /** Each session's recent turn ends (stop or session end hooks), oldest first, a window's worth. */
  private readonly turnEnds = new Map<string, Nanos[]>();
  /** Calls carrying a hook-delivered key, until they complete. */
  private readonly inFlight = new Map<object, InFlight>();
  private readonly counted = new Set<string>();
  private readonly sessions = new Set<string>();
  private readonly stats: ClockSkewStats = { calls: 0, maxLateNs: 0n, maxEarlyNs: 0n, sessions: 0 };

  /** One hook's events, replayed at `atNs`. */
  hook(events: readonly NormalizedEvent[], atNs: Nanos): void {
    for (const e of events) {
      if (e.type === 'PromptSubmitted') {
        const prompt = isObject(e.payload) ? getOwn(e.payload, 'prompt') : undefined;
        if (typeof prompt === 'string' && prompt.trim() !== '') this.delivered(promptKey(prompt.trim()), e.sessionId, atNs);
      } else if (e.type === 'ToolEnded' && !e.toolCallIdSynthetic) {
        this.delivered(toolKey(e.toolCallId), e.sessionId, atNs);
      } else if (e.type === 'TurnEnded' || e.type === 'AgentEnded') {
        this.turnEnded(e.sessionId, atNs);
      }
    }
  }

  /** A gateway call's arrival: `call` stands for it until {@link completed}. */
  request(call: object, body: Json, arrivalNs: Nanos, completionNs: Nanos | undefined, origin: LineRef, captureId: string): void {
    const input = requestLatestInput(body);
    if (input.texts.length === 0 && input.toolResultIds.length === 0) return;
    const keys = [...input.texts.map(promptKey), ...input.toolResultIds.map(toolKey)];
    let matched: { seen: Seen; key: string } | undefined;
    for (const key of keys) {
      const seen = this.hookKeys.get(key);
      if (seen !== undefined && arrivalNs - seen.ns <= CLOCK_SKEW_WINDOW_NS) {
        if (matched === undefined || seen.ns > matched.seen.ns) matched = { seen, key };
      } else if (!this.requestKeys.has(key)) {
        remember(this.requestKeys, key, { ns: arrivalNs, origin, captureId });
      }
    }
    if (matched === undefined || matched.seen.sessionId === undefined) return;
    const sessionId = matched.seen.sessionId;
    const endNs = completionNs ?? arrivalNs;
    const evidence = describeKey(matched.key);
    // The turn the prompt or result belongs to already ended before this call: the hooks are early.
    // The first end after the key: the end of the turn it belongs to.
    const turnEnd = this.turnEnds.get(sessionId)?.find((ns) => ns > matched.seen.ns);
    if (turnEnd !== undefined && endNs - turnEnd <= CLOCK_SKEW_WINDOW_NS) {
      this.found({ origin, captureId, sessionId, direction: 'hooks-early', gapNs: endNs - turnEnd, evidence });
      return;
    }
    if (completionNs !== undefined) this.inFlight.set(call, { sessionId, hookNs: matched.seen.ns, completionNs, origin, captureId, evidence });
  }

  completed(call: object): void {
    this.inFlight.delete(call);
  }

  result(): ClockSkewStats {
    return { ...this.stats, sessions: this.sessions.size };
  }

  private delivered(key: string, sessionId: string, atNs: Nanos): void {
    const sent = this.requestKeys.get(key);
    if (sent?.origin !== undefined && sent.captureId !== undefined && sent.ns < atNs && atNs - sent.ns <= CLOCK_SKEW_WINDOW_NS) {
      this.requestKeys.delete(key);
      this.found({ origin: sent.origin, captureId: sent.captureId, sessionId, direction: 'hooks-late', gapNs: atNs - sent.ns, evidence: describeKey(key) });
    }
    remember(this.hookKeys, key, { ns: atNs, sessionId });
  }

  private turnEnded(sessionId: string, atNs: Nanos): void {
    const ends = this.turnEnds.get(sessionId) ?? [];
    while (ends.length > 0 && atNs - ends[0] > CLOCK_SKEW_WINDOW_NS) ends.shift();
    ends.push(atNs);
    this.turnEnds.set(sessionId, ends);
    for (const [call, f] of this.inFlight) {
      if (f.sessionId !== sessionId || f.hookNs >= atNs) continue;
      this.inFlight.delete(call);
      this.found({ origin: f.origin, captureId: f.captureId, sessionId, direction: 'hooks-early', gapNs: f.completionNs - atNs, evidence: f.evidence });
    }
  }

  private found(call: ClockSkewCall): void {
    if (call.gapNs < CLOCK_SKEW_MIN_NS) return;
    const where = `${call.origin.file}:${call.origin.line}`;
    if (call.direction === 'hooks-late') this.stats.maxLateNs = max(this.stats.maxLateNs, call.gapNs);
    else this.stats.maxEarlyNs = max(this.stats.maxEarlyNs, call.gapNs);
    this.sessions.add(call.sessionId);
    if (this.counted.has(where)) return;
    this.counted.add(where);
    this.stats.calls++;
    this.stats.first ??= call;
  }
}

const promptKey = (text: string) => `p\u0000${text}`;
const toolKey = (id: string) => `t\u0000${id}`;
const max = (a: Nanos, b: Nanos) => (a > b ? a : b);

function describeKey(key: string): string {
  const value = key.slice(2);
  if (key.startsWith('t')) return `the result of tool call ${value}`;
  return `the prompt ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
}

/** Kept newest last; entries older than the window before the newest are let go of, so a long log holds only a window's worth. */
function remember(map: Map<string, Seen>, key: string, seen: Seen): void {
  map.delete(key);
  map.set(key, seen);
  for (const [oldest, entry] of map) {
    if (seen.ns - entry.ns <= CLOCK_SKEW_WINDOW_NS) break;
    map.delete(oldest);
  }
}
