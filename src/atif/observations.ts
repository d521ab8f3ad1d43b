import { ListIndex } from './list-index.js';
import type { Observation, ObservationResult } from './types.js';

/** An observation's results by the tool call they answer (the first one of each call). */
export const resultsByCallId = new ListIndex<ObservationResult>((r) => r.source_call_id);

/**
 * Adds a result to an observation. A result with the same `source_call_id` as an existing one is
 * merged into it: the first content and extra win, subagent refs accumulate. With `mergeExtra`
 * (structured-tool-results fix) extras are merged key by key, existing keys winning.
 */
export function mergeObservationResult(obs: Observation, result: ObservationResult, mergeExtra = false): void {
  if (result.source_call_id !== undefined) {
    const existing = resultsByCallId.find(obs.results, result.source_call_id);
    if (existing) {
      if (existing.content === undefined && result.content !== undefined) existing.content = result.content;
      if (result.subagent_trajectory_ref) (existing.subagent_trajectory_ref ??= []).push(...result.subagent_trajectory_ref);
      if (existing.extra === undefined) existing.extra = result.extra;
      else if (mergeExtra && result.extra) {
        for (const k of Object.keys(result.extra)) if (!(k in existing.extra)) existing.extra[k] = result.extra[k];
      }
      return;
    }
  }
  obs.results.push(result);
}
