import type { FixSet } from '../profiles/fixes.js';
import { headerString as gatewayHeader } from '../gateway/headers.js';
import { buildLlmGatewayStart } from '../gateway/llm-start.js';
import { preparedLlmCall } from '../gateway/capture-route.js';
import { GATEWAY_FALLBACK_SESSION_ID } from '../gateway/session-selection.js';
import { adaptHook, headerString as hookHeader, seededUuids } from '../hooks/index.js';
import type { AtofEvent } from '../ingest/atof.js';
import type { LineRef } from '../ingest/accounting.js';
import type { GatewayRecord } from '../ingest/read-records.js';
import type { TimelinePoint } from '../ingest/timeline.js';
import type { Nanos } from '../ingest/time.js';
import type { TranscriptReader } from './alignment/codex-child.js';
import type { AttributionLog } from './attribution.js';
import { ClockSkewDetector, type ClockSkewStats } from './clock-skew.js';
import { AtofEmitter, type Moment } from './emitter.js';
import { HOOK_DROP_REASONS, type HookDropReason } from './hook-drops.js';
import { SessionManager, type GatewayCall } from './manager.js';
import { rawFixOptions } from './raw-fixes.js';
import { IDLE_TIMEOUT_NS } from './session.js';

/**
 * The offline replay of relay-cli.md §3.12: one timeline of hook arrivals, gateway request
 * arrivals and response completions drives the session manager exactly as the live gateway's
 * requests would, with the idle sweeper ticking on record time and a shutdown at the end of input.
 * Input ATOF events on the timeline pass through unchanged at their place.
 */

export const IDLE_SWEEP_INTERVAL_NS = 5_000_000_000n;

export interface ReplayOptions {
  readTranscript?: TranscriptReader;
  /** `seq` of the first event: events read before the replay (streamed ATOF input) keep theirs. */
  firstSeq?: number;
  /** The active profile's fixes; the raw-log ones change the replay. None: relay-0.3 exactly. */
  fixes?: FixSet;
  /**
   * Told how far the replay is (points of the timeline replayed, of all), every
   * {@link PROGRESS_EVERY_POINTS} points: a long replay runs after the input is read, with nothing
   * else to show for it.
   */
  onProgress?: (replayed: number, points: number) => void;
  /**
   * `--hook-clock-offset`: added to every hook record's time before the timeline is built, for hooks
   * logged on a host whose clock differs from the gateway's (see clock-skew.ts). None: as read.
   */
  hookClockOffsetNs?: Nanos;
}

/** How often `onProgress` is told (a short replay never is). */
const PROGRESS_EVERY_POINTS = 1024;

export interface ReplayStats {
  hooks: number;
  /** Bare hook payloads without a timestamp: placed by position after the record before them. */
  untimedHooks: number;
  /** Those of them whose own `timestamp` was there but could not be used (a number, no RFC 3339 text); the first one named. */
  unreadableHookTimes: number;
  firstUnreadableHookTime?: { origin: LineRef; reason: string };
  /**
   * Those of them in a file with no timestamp at all: left at 0 (1970-01-01), before every timed record
   * of the input (a gateway call of their session comes long after their turn); the first one named.
   */
  timelessFileHooks: number;
  firstTimelessFileHook?: LineRef;
  /**
   * Hooks that produced no events because they were dropped, as live: by the session layer (an end
   * for a session, turn or subagent not open, a refused alias) or by their adapter (Hermes
   * uncorrelatable `pre_tool_call`); by reason, and the first one named (see hook-drops.ts).
   */
  droppedHooks: number;
  droppedHooksByReason: Record<HookDropReason, number>;
  firstDroppedHook?: { origin: LineRef; eventName: string; reason: HookDropReason };
  gatewayCalls: number;
  /**
   * Gateway calls whose request body is missing or not JSON (or is empty): replayed as live, with a null request
   * (no messages, model or body session id), which the output alone would not explain. The first one is named.
   */
  requestBodiesNotJson: number;
  firstRequestBodyNotJson?: { origin: LineRef; reason: string };
  /**
   * Gateway calls whose response was not read in full (a transport error, a body that could not be
   * read, a stream that broke off): replayed as live, as far as it was read; the rest of the answer
   * (text, tool calls, usage) is not in the output, which alone would not say so. The first one is named.
   */
  responsesNotRead: number;
  firstResponseNotRead?: { origin: LineRef; reason: string };
  /**
   * Gateway calls that named no session the chain reads (no session header, body or metadata id)
   * while none or several sessions were open: filed, as live, in the shared `gateway-gateway` session
   * (GATEWAY_FALLBACK_SESSION, then the calls that found it the only session), a trajectory apart
   * from every hook session, which the output alone would not explain. The first one is named.
   */
  fallbackSessionCalls: number;
  firstFallbackSessionCall?: { origin: LineRef; captureId: string };
  /** Fix `claude-startup-probe`: Claude Code startup probes forwarded without LLM events (in no trajectory); the first one named. */
  startupProbes: number;
  firstStartupProbe?: { origin: LineRef; captureId: string };
  /** Turns the idle sweeper closed. */
  /**
   * Codex transcripts (`transcript_path`) a session start asked for that could not be read (missing, or
   * no first line), with `--read-transcripts`: a child thread among them is not linked to its parent.
   */
  transcriptsNotRead: number;
  firstTranscriptNotRead?: { origin: LineRef; path: string };
  idleClosures: number;
  /** Sessions still open at the end of input, closed by the emulated gateway shutdown. */
  shutdownSessions: number;
  /**
   * Gateway calls whose timing contradicts their session's hooks (a request carrying a prompt or tool
   * result the hooks deliver only later, a call of a turn that completes after the turn's end hook): the
   * hook and gateway clocks disagree, and the replay's order of the two is not the order things happened.
   */
  clockSkew: ClockSkewStats;
  /** What `--hook-clock-offset` added to the hook times (0 without it). */
  hookClockOffsetNs: Nanos;
}

export interface ReplayResult {
  /** Every event in emission order: what the live ATOF exporter would have written, line by line. */
  events: AtofEvent[];
  attributions: AttributionLog;
  stats: ReplayStats;
}

/** The reader, counting in `stats` the transcripts it could not read (the first named with its hook). */
function countingMisses(read: TranscriptReader, stats: ReplayStats, origin: () => LineRef | undefined): TranscriptReader {
  return (path) => {
    const line = read(path);
    if (line === undefined) {
      stats.transcriptsNotRead++;
      const at = origin();
      if (at) stats.firstTranscriptNotRead ??= { origin: at, path };
    }
    return line;
  };
}

export function replayTimeline(points: readonly TimelinePoint[], options: ReplayOptions = {}): ReplayResult {
  const events: AtofEvent[] = [];
  const replay = replayInBatches(points, options);
  for (let step = replay.next(); ; step = replay.next()) {
    if (step.done) return { events, ...step.value };
    for (const e of step.value) events.push(e);
  }
}

/** Emitted events are handed on in batches of about this many. */
const BATCH_EVENTS = 4096;

/**
 * The same replay, handing on its events in batches as it goes (so a consumer can write what
 * completes while later records are still being replayed); returns the attributions and stats.
 * With `release`, each point is let go of (its array slot cleared) once replayed, so that a record
 * held for the replay can be freed after its last point.
 */
export function* replayInBatches(
  points: readonly TimelinePoint[] | TimelinePoint[],
  options: ReplayOptions & { release?: boolean } = {},
): Generator<AtofEvent[], Omit<ReplayResult, 'events'>> {
  let events: AtofEvent[] = [];
  const emitter = new AtofEmitter((e) => events.push(e), momentAt(points[0]?.atNs ?? 0n, 'start'), options.firstSeq ?? 0);
  const fixes = rawFixOptions(options.fixes ?? new Set());
  const stats: ReplayStats = { hooks: 0, untimedHooks: 0, unreadableHookTimes: 0, timelessFileHooks: 0, droppedHooks: 0, droppedHooksByReason: noDrops(), gatewayCalls: 0, requestBodiesNotJson: 0, responsesNotRead: 0, fallbackSessionCalls: 0, startupProbes: 0, transcriptsNotRead: 0, idleClosures: 0, shutdownSessions: 0, clockSkew: { calls: 0, maxLateNs: 0n, maxEarlyNs: 0n, sessions: 0 }, hookClockOffsetNs: options.hookClockOffsetNs ?? 0n };
  const skew = new ClockSkewDetector();
  // The hook being replayed: a transcript the session layer asks for is that hook's.
  let hookOrigin: LineRef | undefined;
  const readTranscript = options.readTranscript && countingMisses(options.readTranscript, stats, () => hookOrigin);
  const manager = new SessionManager(emitter, { readTranscript, ...fixes.sessions });
  const calls = new Map<GatewayRecord, GatewayCall>();
  const firstRaw = points.find((p) => p.kind !== 'atof');
  const sweeper = firstRaw ? new IdleSweeper(firstRaw.atNs) : undefined;
  const lastNs = points.at(-1)?.atNs ?? 0n;

  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    if (options.release) (points as TimelinePoint[])[i] = RELEASED;
    if (point.kind !== 'atof' && sweeper) stats.idleClosures += sweeper.runUntil(point.atNs, manager, emitter);
    switch (point.kind) {
      case 'atof':
        emitter.passThrough(point.record.event);
        break;
      case 'hook': {
        const record = point.record;
        emitter.moment = { ...momentAt(point.atNs, `${record.seed}:events`), origin: record.origin };
        hookOrigin = record.origin;
        const outcome = adaptHook(record.agent, record.payload, { headers: record.headers, ids: seededUuids(`${record.seed}:adapter`, unixMs(point.atNs)), ...fixes.hooks });
        const sessionDrop = manager.applyHookEvents(outcome.events, (name) => hookHeader(record.headers, name));
        skew.hook(outcome.events, point.atNs);
        stats.hooks++;
        if (!record.timed) stats.untimedHooks++;
        if (record.timeProblem !== undefined) {
          stats.unreadableHookTimes++;
          stats.firstUnreadableHookTime ??= { origin: record.origin, reason: record.timeProblem };
        }
        if (record.timelessFile) {
          stats.timelessFileHooks++;
          stats.firstTimelessFileHook ??= record.origin;
        }
        const dropped = outcome.dropped ? 'uncorrelatable' : sessionDrop;
        if (dropped !== undefined) {
          stats.droppedHooks++;
          stats.droppedHooksByReason[dropped]++;
          stats.firstDroppedHook ??= { origin: record.origin, eventName: outcome.eventName, reason: dropped };
        }
        break;
      }
      case 'gateway-arrival': {
        const { exchange, seed, origin } = point.record;
        // The call as relay-0.3 prepares it (its answer read with the active fixes), then its start read again with them.
        const prepared = preparedLlmCall(exchange, fixes.answers, fixes.routes);
        const outcome = prepared.outcome;
        const start = buildLlmGatewayStart(exchange, prepared.start.route, fixes.gateway);
        emitter.moment = { ...momentAt(point.atNs, `${seed}:arrival`), origin };
        const info = { captureId: exchange.id, origin, method: exchange.method, path: exchange.path, startedNs: exchange.startedNs, endedNs: exchange.endedNs };
        const call = manager.beginGatewayCall(start, outcome, (name) => gatewayHeader(exchange.headers, name), info);
        // Kept for the completion only when there is one (a call that never completes holds nothing).
        if (point.record.completionNs !== undefined) calls.set(point.record, call);
        skew.request(point.record, exchange.body ?? null, point.atNs, point.record.completionNs, origin, exchange.id);
        stats.gatewayCalls++;
        if (exchange.bodyError !== undefined) {
          stats.requestBodiesNotJson++;
          stats.firstRequestBodyNotJson ??= { origin, reason: exchange.bodyError };
        }
        if (call.attribution.selection.sessionId === GATEWAY_FALLBACK_SESSION_ID) {
          stats.fallbackSessionCalls++;
          stats.firstFallbackSessionCall ??= { origin, captureId: exchange.id };
        }
        if (call.attribution.owner.rule === 'STARTUP_PROBE') {
          stats.startupProbes++;
          stats.firstStartupProbe ??= { origin, captureId: exchange.id };
        }
        const notRead = call.attribution.responseNotRead;
        if (notRead !== undefined) {
          stats.responsesNotRead++;
          stats.firstResponseNotRead ??= { origin, reason: notRead };
        }
        break;
      }
      case 'gateway-completion': {
        const call = calls.get(point.record);
        if (!call) break;
        emitter.moment = { ...momentAt(point.atNs, `${point.record.seed}:completion`), origin: point.record.origin };
        manager.finishGatewayCall(call);
        calls.delete(point.record);
        skew.completed(point.record);
        break;
      }
    }
    if (options.onProgress && (i + 1) % PROGRESS_EVERY_POINTS === 0) options.onProgress(i + 1, points.length);
    if (events.length >= BATCH_EVENTS) {
      yield events;
      events = [];
    }
  }

  // End of input: the live gateway would shut down (transparent runs do when the agent exits).
  emitter.moment = momentAt(lastNs, 'shutdown');
  stats.shutdownSessions = [...manager.sessions.values()].filter((s) => s.agentScope || s.turnScope).length;
  manager.closeAll('gateway_shutdown');
  stats.clockSkew = skew.result();
  if (events.length > 0) yield events;
  return { attributions: manager.attributions, stats };
}

function noDrops(): Record<HookDropReason, number> {
  return Object.fromEntries(HOOK_DROP_REASONS.map((r) => [r, 0])) as Record<HookDropReason, number>;
}

/** What a released slot of the timeline holds: nothing that keeps a record alive. */
const RELEASED = { kind: 'atof', atNs: 0n, order: -1, record: undefined } as unknown as TimelinePoint;

/**
 * The idle sweeper (§3.10) on record time: it ticks every 5 s from the first raw record, and a turn
 * idle for 30 s closes at the first tick after that. Only ticks that can close something are
 * visited, so long gaps between records cost nothing. A tick at the same instant as a record runs
 * before it.
 */
class IdleSweeper {
  constructor(private readonly originNs: Nanos) {}

  runUntil(untilNs: Nanos, manager: SessionManager, emitter: AtofEmitter): number {
    let closed = 0;
    for (let due = manager.nextIdleAtNs(); due !== undefined; due = manager.nextIdleAtNs()) {
      const tick = this.firstTickAtOrAfter(due);
      if (tick > untilNs) break;
      emitter.moment = momentAt(tick, 'idle-sweep');
      closed += manager.closeIdleSessions(tick, IDLE_TIMEOUT_NS, 'idle_timeout');
    }
    return closed;
  }

  private firstTickAtOrAfter(ns: Nanos): Nanos {
    if (ns <= this.originNs) return this.originNs;
    const steps = (ns - this.originNs + IDLE_SWEEP_INTERVAL_NS - 1n) / IDLE_SWEEP_INTERVAL_NS;
    return this.originNs + steps * IDLE_SWEEP_INTERVAL_NS;
  }
}

function momentAt(atNs: Nanos, seed: string): Moment {
  return { atNs, ids: seededUuids(`${seed}@${atNs}`, unixMs(atNs)) };
}

const MAX_UUID_MS = 2 ** 48 - 1;

/** The UUIDv7 time field: the record time in whole milliseconds, kept inside the field's range. */
function unixMs(ns: Nanos): number {
  const ms = Number(ns / 1_000_000n);
  return Math.min(Math.max(ms, 0), MAX_UUID_MS);
}
