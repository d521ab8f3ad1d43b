import { ListIndex } from './list-index.js';
import type { Observation, ObservationResult } from './types.js';

/** An observation's results by the tool call they answer (the first one of each call). */
export const resultsByCallId = new ListIndex<ObservationResult>((r) => r.source_call_id);

/** The result extra key of a tool end's annotation (fix tool-result-annotation, NeMo-Relay #575). */
export const ANNOTATION_KEY = 'tool_result_annotation';

/** Whether a result holds a value of the tool's: content, or the structured value in extra.tool_result. */
const holdsValue = (r: ObservationResult) => r.content !== undefined || r.extra?.tool_result !== undefined;

/**
 * Adds a result to an observation. A result with the same `source_call_id` as an existing one is
 * merged into it: the first content and extra win, subagent refs accumulate. With `mergeExtra`
 * (structured-tool-results fix) extras are merged key by key, existing keys winning. An annotation
 * goes with its own result's value: it is taken only when the existing result had no value (a
 * subagent ref's placeholder), so it never comes to describe another event's result.
 */
export function mergeObservationResult(obs: Observation, result: ObservationResult, mergeExtra = false): void {
  if (result.source_call_id !== undefined) {
    const existing = resultsByCallId.find(obs.results, result.source_call_id);
    if (existing) {
      const annotation = result.extra?.[ANNOTATION_KEY];
      const takesAnnotation = annotation !== undefined && !holdsValue(existing) && existing.extra?.[ANNOTATION_KEY] === undefined;
      if (existing.content === undefined && result.content !== undefined) existing.content = result.content;
      if (result.subagent_trajectory_ref) (existing.subagent_trajectory_ref ??= []).push(...result.subagent_trajectory_ref);
      if (existing.extra === undefined) {
        existing.extra = result.extra;
        if (annotation !== undefined && !takesAnnotation) {
          const { [ANNOTATION_KEY]: _dropped, ...rest } = result.extra!;
          existing.extra = rest;
        }
      } else {
        if (mergeExtra && result.extra) {
          for (const k of Object.keys(result.extra)) if (!(k in existing.extra) && k !== ANNOTATION_KEY) existing.extra[k] = result.extra[k];
        }
        if (takesAnnotation) existing.extra[ANNOTATION_KEY] = annotation;
      }
      return;
    }
  }
  obs.results.push(result);
}
