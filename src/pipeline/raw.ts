import type { AtofEvent, Origin } from '../ingest/atof.js';
import type { InputRecord } from '../ingest/read-records.js';
import { buildTimeline } from '../ingest/timeline.js';
import { HOOK_DROP_REASONS, HOOK_DROP_WORDING } from '../sessions/hook-drops.js';
import { replayInBatches, type ReplayOptions, type ReplayResult, type ReplayStats } from '../sessions/replay.js';

/**
 * Raw records (hooks, gateway captures, HAR) → the ATOF events the live runtime would have written:
 * the merged timeline, then the session replay. The exporter downstream is the same as for ATOF input.
 */

const reconstructed = new WeakSet<AtofEvent>();

/** Replays `records` (ATOF records among them pass through at their place on the timeline); `options.fixes` are the active profile's. */
export function replayRecords(records: readonly InputRecord[], options: ReplayOptions = {}): ReplayResult {
  const events: AtofEvent[] = [];
  const replay = replayRecordsInBatches([...records], options);
  for (let step = replay.next(); ; step = replay.next()) {
    if (step.done) return { events, ...step.value };
    for (const e of step.value) events.push(e);
  }
}

/**
 * The replay of {@link replayRecords}, its events handed on in batches as they are emitted (what
 * completes early can be written while later records are replayed). Takes the records over:
 * `records` is emptied, and each record is let go of once replayed, so that records held in compact
 * form (`holdRaw`) are freed as the replay goes. Returns the attributions and stats.
 */
export function* replayRecordsInBatches(records: InputRecord[], options: ReplayOptions = {}): Generator<AtofEvent[], Omit<ReplayResult, 'events'>> {
  const passedThrough = new Set(records.flatMap((r) => (r.kind === 'atof' ? [r.event] : [])));
  const replay = replayInTimeOrder(records, options);
  for (let step = replay.next(); ; step = replay.next()) {
    if (step.done) return step.value;
    for (const event of step.value) if (!passedThrough.has(event)) reconstructed.add(event);
    yield step.value;
  }
}

/**
 * The same replay without telling its events apart (for a consumer that never asks
 * {@link isReconstructed}): `records` is emptied, and each record let go of once replayed.
 */
export function replayInTimeOrder(records: InputRecord[], options: ReplayOptions = {}): Generator<AtofEvent[], Omit<ReplayResult, 'events'>> {
  const points = buildTimeline(records, options.hookClockOffsetNs);
  records.length = 0;
  return replayInBatches(points, { ...options, release: true });
}

/** True for an event the replay built (as opposed to an ATOF line of the input): it has no input line of its own. */
export function isReconstructed(event: AtofEvent): boolean {
  return reconstructed.has(event);
}

/** The first reconstructed event that came after its top-level scope was written, as the run summary names it. */
export interface LateEventNote {
  uuid: string;
  name: string;
  /** `start`, `end` or `mark`. */
  phase: string;
  category?: string;
  /** The record it was rebuilt from; none for an end the replay made at the end of input. */
  origin?: Origin;
}

/** Rebuilt events that came after their top-level scope was written but repeat events read before it: copies. */
export interface CopiesTally {
  count: number;
  first?: LateEventNote;
}

/** Lines for the run summary: what the replay did that the line counts do not show. */
export function describeReplay(
  stats: ReplayStats,
  lateEvents = 0,
  firstLate?: LateEventNote,
  copies?: CopiesTally,
): string[] {
  const notes = [
    `replayed ${stats.hooks} hook${plural(stats.hooks)} and ${stats.gatewayCalls} gateway call${plural(stats.gatewayCalls)}` +
      `; ${stats.idleClosures} turn${plural(stats.idleClosures)} closed by the idle timeout, ${stats.shutdownSessions} session${plural(stats.shutdownSessions)} closed at the end of input (gateway_shutdown)`,
  ];
  if (stats.untimedHooks > 0) {
    const unreadable = stats.firstUnreadableHookTime;
    const which =
      stats.unreadableHookTimes > 0 && unreadable
        ? ` usable timestamp (${stats.unreadableHookTimes} had one that cannot be read; the first: ${unreadable.origin.file}:${unreadable.origin.line}: ${unreadable.reason})`
        : ' timestamp';
    notes.push(`${stats.untimedHooks} bare hook payload${plural(stats.untimedHooks)} had no${which}: ordered by position${untimedPlacement(stats)}`);
  }
  const notJson = stats.firstRequestBodyNotJson;
  if (stats.requestBodiesNotJson > 0 && notJson) {
    notes.push(
      `${stats.requestBodiesNotJson} gateway call${plural(stats.requestBodiesNotJson)} had a request body that is missing or not JSON, replayed as live with a null request (no messages, model or body session id); ` +
        `the first: ${notJson.origin.file}:${notJson.origin.line}: ${notJson.reason}`,
    );
  }
  const notRead = stats.firstResponseNotRead;
  if (stats.responsesNotRead > 0 && notRead) {
    notes.push(
      `${stats.responsesNotRead} gateway call${plural(stats.responsesNotRead)} had a response that could not be read in full (a transport error, a body that cannot be read, a stream that broke off, carried an error event, held no event or ended before its answer, a JSON body for a stream or a stream for a buffered call), ` +
        `replayed as live as far as it was read: the rest of the answer (text, tool calls, usage) is not in the output; the first: ${notRead.origin.file}:${notRead.origin.line}: ${notRead.reason}`,
    );
  }
  const fallback = stats.firstFallbackSessionCall;
  if (stats.fallbackSessionCalls > 0 && fallback) {
    notes.push(
      `${stats.fallbackSessionCalls} gateway call${plural(stats.fallbackSessionCalls)} named no session (no session header, body or metadata id) while no session or several were open, and went to the shared gateway-gateway session, as live: a trajectory apart from the hook sessions; ` +
        `the first: ${fallback.origin.file}:${fallback.origin.line}: capture ${fallback.captureId} (explain --request ${fallback.captureId} shows its session chain)`,
    );
  }
  const probe = stats.firstStartupProbe;
  if (stats.startupProbes > 0 && probe) {
    notes.push(
      `${stats.startupProbes} gateway call${plural(stats.startupProbes)} ${stats.startupProbes === 1 ? 'was a' : 'were'} Claude Code startup probe${plural(stats.startupProbes)} (max_tokens 1, "test", before any turn), forwarded without LLM events as NeMo-Relay after 0.3 does (fix claude-startup-probe): in no trajectory; ` +
        `the first: ${probe.origin.file}:${probe.origin.line}: capture ${probe.captureId}`,
    );
  }
  const transcript = stats.firstTranscriptNotRead;
  if (stats.transcriptsNotRead > 0 && transcript) {
    notes.push(
      `${stats.transcriptsNotRead} Codex transcript${plural(stats.transcriptsNotRead)} (transcript_path) could not be read (--read-transcripts): a child thread among them is not linked to its parent thread unless its hook names the parent; ` +
        `the first: ${transcript.origin.file}:${transcript.origin.line}: ${transcript.path}`,
    );
  }
  const firstDrop = stats.firstDroppedHook;
  if (stats.droppedHooks > 0 && firstDrop) {
    const byReason = HOOK_DROP_REASONS.filter((r) => stats.droppedHooksByReason[r] > 0).map((r) => `${stats.droppedHooksByReason[r]} ${HOOK_DROP_WORDING[r]}`);
    notes.push(
      `${stats.droppedHooks} hook${plural(stats.droppedHooks)} produced no events, dropped as live: ${byReason.join(', ')}; ` +
        `the first: ${firstDrop.origin.file}:${firstDrop.origin.line}: ${firstDrop.eventName || '(no event name)'} (${firstDrop.reason})`,
    );
  }
  const skewNote = clockSkewNote(stats);
  if (skewNote !== undefined) notes.push(skewNote);
  if (lateEvents > 0) {
    // Named as every note of a loss names its first: the record it was rebuilt from (an end the replay
    // made at the end of input has none), and which event it was, for `explain --request` or `--span`.
    const first = firstLate
      ? `; the first: ${firstLate.origin ? `${firstLate.origin.file}:${firstLate.origin.line}: ` : ''}${eventWords(firstLate)}`
      : '';
    notes.push(`${lateEvents} reconstructed event${plural(lateEvents)} came after their top-level scope was written, as live; they are not in the output${first}`);
  }
  if (copies !== undefined && copies.count > 0) {
    // Not a loss: each repeats an event already read, and converted, in its trajectory.
    const at = copies.first ? `; the first: ${copies.first.origin ? `${copies.first.origin.file}:${copies.first.origin.line}: ` : ''}${eventWords(copies.first)}` : '';
    notes.push(
      `${copies.count} reconstructed event${plural(copies.count)} repeat${copies.count === 1 ? 's' : ''} events already read and written in their trajectory (the same uuid and phase: the same session given twice, as ATOF and as raw records?): copies, not converted again${at}`,
    );
  }
  return notes;
}

/** `the agent start of NAME UUID`: one event as the notes name it. */
function eventWords(e: LateEventNote): string {
  return `the ${e.phase === 'mark' ? 'mark' : `${e.category ?? 'scope'} ${e.phase}`} of ${e.name} ${e.uuid}`;
}

/**
 * The hook and gateway clocks disagree (see clock-skew.ts): said with the first call that shows it and
 * how far apart the clocks seem, as the split, repeated or unanswered turns it causes say nothing of
 * it; and what `--hook-clock-offset` does about it, or did.
 */
function clockSkewNote(stats: ReplayStats): string | undefined {
  const offset = stats.hookClockOffsetNs !== 0n ? `hook times were moved by ${signedSeconds(stats.hookClockOffsetNs)} (--hook-clock-offset)` : undefined;
  const skew = stats.clockSkew;
  const first = skew.first;
  if (skew.calls === 0 || first === undefined) return offset === undefined ? undefined : `${offset}; no gateway call contradicts the hook times`;
  const sides = [
    skew.maxLateNs > 0n ? `stamped at least ${seconds(skew.maxLateNs)} later than the gateway's calls` : undefined,
    skew.maxEarlyNs > 0n ? `at least ${seconds(skew.maxEarlyNs)} earlier` : undefined,
  ].filter((s) => s !== undefined);
  const firstSaid =
    first.direction === 'hooks-late'
      ? `its request carried ${first.evidence}, which the hooks of session ${first.sessionId} delivered ${seconds(first.gapNs)} later`
      : `it carried ${first.evidence} of session ${first.sessionId} and completed ${seconds(first.gapNs)} after that turn's end hook`;
  // The offset that undoes the larger skew: a lower bound of it, as each gap is.
  const hint =
    skew.maxLateNs > 0n && skew.maxEarlyNs > 0n
      ? 'the gaps go both ways: no one offset moves the hooks onto the gateway clock'
      : `--hook-clock-offset ${skew.maxLateNs > 0n ? signedSeconds(-skew.maxLateNs) : signedSeconds(skew.maxEarlyNs)} (or a little more) moves the hook times onto the gateway clock`;
  return (
    `${offset ? `${offset}; yet ` : ''}${skew.calls} gateway call${plural(skew.calls)} of ${skew.sessions} session${plural(skew.sessions)} show${skew.calls === 1 ? 's' : ''} the hook clock apart from the gateway's (hooks ${sides.join(' and ')}): ` +
    `the replay orders hooks and calls by these times, so a turn's calls may fall outside it (a turn split into trajectories, repeated or without its answer); ` +
    `the first: ${first.origin.file}:${first.origin.line}: capture ${first.captureId}: ${firstSaid}; ${hint}`
  );
}

function seconds(ns: bigint): string {
  return `${(Number(ns / 1_000_000n) / 1000).toFixed(3).replace(/\.?0+$/, '')} s`;
}

function signedSeconds(ns: bigint): string {
  const s = (Number(ns / 1_000_000n) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return ns > 0n ? `+${s} s` : `${s} s`;
}

/**
 * Where the untimed bare payloads went: as the record before them in their file (before any, as its
 * first timed record), or, in a file with no timestamp at all, at 0. That is no time of the input:
 * their turn ends decades before the gateway calls of their session. Each said by its count.
 */
function untimedPlacement(stats: ReplayStats): string {
  const byFile = 'timed as the record before them in their file (a gateway capture: when its call ended; before any, as its first timed record)';
  const timeless = stats.firstTimelessFileHook;
  if (stats.timelessFileHooks === 0 || !timeless) return `, ${byFile}`;
  const timed = stats.untimedHooks - stats.timelessFileHooks;
  return (
    `; ${timed > 0 ? `${timed} ${byFile}, ` : ''}${stats.timelessFileHooks} in a file with no timestamp at all (the first: ${timeless.file}:${timeless.line}): ` +
    'placed at 1970-01-01T00:00:00Z, before every timed record of the input; give them times (a "timestamp" of their own, or a hook record\'s received_at) to order them against gateway calls'
  );
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
