import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { attachedResult, type ExportedTrajectory } from '../pipeline/exported.js';
import { spanConversions, type SpanConversion } from '../explain/request-outcome.js';

/**
 * `explain --request`'s task, in this thread or on `--jobs` workers: each conversion becomes what it
 * did with its LLM spans (see SpanConversion). The worker does not hold the replay's attribution log,
 * so it reports every LLM span of the group; the main thread keeps those of gateway calls.
 */
export interface RequestTask {
  kind: 'request';
}

/** The task as a function of a conversion. */
export function requestTaskRunner(): (c: ConvertedTrajectory) => ExportedTrajectory {
  return (c) => attachedResult(c, spanConversions(c, () => true));
}

/** The share a result carries: each LLM span's conversion, keyed by its uuid. */
export function requestPartOf(summary: { attached?: unknown }): Array<[uuid: string, conversion: SpanConversion]> {
  return summary.attached as Array<[string, SpanConversion]>;
}
