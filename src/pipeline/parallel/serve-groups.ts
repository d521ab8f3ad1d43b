import type { MessagePort } from 'node:worker_threads';
import type { AtofEvent } from '../../ingest/atof.js';
import { heldForConversion, type ConvertOptions, type GroupTask } from '../convert.js';
import type { ExportedTrajectory } from '../exported.js';
import { pushTo } from '../../util/group-by.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';
import { eventsOf } from './wire.js';

/** The conversion options a worker is started with. */
export function convertOptionsOf(init: WorkerInit): ConvertOptions {
  return { agent: init.agent, agentFromSession: init.agentFromSession, fixes: new Set(init.fixes), observedEvents: init.observedEvents, observedVerbatim: init.format === 'ndjson', dedupe: init.dedupe, imageFiles: init.imageFiles };
}

/**
 * A worker's side of the pool (run by the worker entry the command gives, see WorkerEntry): collects
 * the events of the groups routed to it (their line text only when `keepLineText`: see keepsLineText),
 * runs `task` on a group when the main thread closes it (by default its conversion, printed), and
 * sends back what that made — its text as it is printed, then its counts and what it attached.
 */
export function serveGroups(port: MessagePort, task: GroupTask<ExportedTrajectory>, keepLineText: boolean): void {
  const groups = new Map<number, AtofEvent[]>();
  const send = (msg: FromWorker) => port.postMessage(msg);
  port.on('message', (msg: ToWorker) => {
    try {
      if (msg.type === 'events') {
        for (const { group, event } of eventsOf(msg.batch)) {
          const held = heldForConversion(event, keepLineText);
          pushTo(groups, group, held);
        }
        send({ type: 'read', chars: msg.chars });
      } else {
        const events = groups.get(msg.group) ?? [];
        groups.delete(msg.group);
        if (msg.resort) events.sort((a, b) => a.seq - b.seq);
        const { text, ...counts } = task(events, msg.sessionId);
        for (const piece of text ?? []) port.postMessage({ type: 'text', group: msg.group, piece } satisfies FromWorker, [piece.buffer as ArrayBuffer]);
        send({ type: 'done', group: msg.group, exported: { ...counts, written: text !== undefined } });
      }
    } catch (err) {
      send({ type: 'failed', message: (err as Error).message, stack: (err as Error).stack });
    }
  });
}
