import type { Marker, SpanCandidate } from '../dedupe/candidates.js';
import type { KeyOrigin } from '../dedupe/keys.js';
import type { Json } from '../json/value.js';
import type { Metrics } from '../providers/usage.js';
import { windowJson } from './format.js';

export type SpanSource = 'hook' | 'gateway' | 'both' | 'neither';

/** The instrumentation a span claims, from its metadata markers only (atif-dedupe.md §1.3). */
export function sourceOf(c: SpanCandidate): SpanSource {
  if (c.hook && c.gateway) return 'both';
  return c.hook ? 'hook' : c.gateway ? 'gateway' : 'neither';
}

export interface MarkerJson {
  event: 'start' | 'end';
  key: string;
}

/** Everything the pass knew about one candidate, as JSON (timestamps as RFC 3339 text). */
export interface SpanFacts {
  parent: string | null;
  model: { name: string; from: 'start' | 'end' } | null;
  window: ReturnType<typeof windowJson>;
  source: SpanSource;
  request: { branch: string; signature: string };
  response: { branch: string; signature: string };
  keys: Array<{ key: string; origins: KeyOrigin[] }>;
  markers: { hook: MarkerJson | null; gateway: MarkerJson | null; non_exact: MarkerJson | null };
  fidelity: { score: number; start: { rule: string; score: number }; end: { rule: string; score: number } };
  end_metrics: Json | null;
  end_has_tool_calls: boolean;
}

const marker = (m: Marker | undefined): MarkerJson | null => (m ? { event: m.event, key: m.key } : null);

export const metricsJson = (m: Metrics | undefined): Json | null => (m ? (m as unknown as Json) : null);

export function spanFacts(c: SpanCandidate): SpanFacts {
  return {
    parent: c.parentUuid ?? null,
    model: c.modelName !== undefined ? { name: c.modelName, from: c.modelFrom ?? 'start' } : null,
    window: windowJson(c.startTs, c.endTs),
    source: sourceOf(c),
    request: { branch: c.requestBranch, signature: c.requestSignature },
    response: { branch: c.responseBranch, signature: c.responseSignature },
    keys: [...c.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, origins]) => ({ key, origins: origins.map((o) => ({ ...o })) })),
    markers: { hook: marker(c.hook), gateway: marker(c.gateway), non_exact: marker(c.nonExact) },
    fidelity: {
      score: c.score,
      start: { rule: c.startFidelity.rule, score: c.startFidelity.score },
      end: { rule: c.endFidelity.rule, score: c.endFidelity.score },
    },
    end_metrics: metricsJson(c.endMetrics),
    end_has_tool_calls: c.endHasToolCalls,
  };
}
