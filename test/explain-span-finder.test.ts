/**
 * `explain --span` reads as `convert` streams: each trajectory is indexed as it closes and let go,
 * unless it holds a span the query may name. Its answers must be those of an index of every conversion.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { shortIds } from '../src/explain/ids.js';
import { describeUuid, lookupSpan, SpanFinder, type SpanIndex } from '../src/explain/report.js';
import type { ConvertedTrajectory } from '../src/pipeline/convert.js';
import { convertEvents } from '../src/pipeline/stream.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { readNdjsonEvents } from './support/events.js';
import { conformanceCases } from './support/shared.js';

const AGENT = { name: 'a', version: '1' };
describe('--span as convert streams (SpanFinder)', () => {
  /** The oracle: every conversion kept, a uuid met again described by the later one. */
  function wholeIndex(trajectories: ConvertedTrajectory[]): SpanIndex {
    const index: SpanIndex = { llm: new Map(), tool: new Map(), short: new Map() };
    for (const c of trajectories) {
      for (const outcome of c.result.dedupe.spans) index.llm.set(outcome.span.uuid, { sessionId: c.sessionId, name: outcome.span.name, at: { converted: c, outcome } });
      for (const conv of c.result.conversions) for (const link of conv.toolLinks) index.tool.set(link.toolUuid, { sessionId: c.sessionId, name: link.name, converted: c });
    }
    index.short = shortIds([...index.llm.keys(), ...index.tool.keys()]);
    return index;
  }

  const answer = (index: SpanIndex, query: string) => {
    const found = lookupSpan(index, query);
    if (found.kind === 'ambiguous') return { ...found, described: found.candidates.map((u) => describeUuid(index, u)) };
    if (found.kind === 'unknown') return { kind: found.kind, count: found.known.length, described: found.known.slice(0, 20).map((u) => describeUuid(index, u)) };
    return JSON.parse(JSON.stringify(found));
  };

  it('answers every query as the index of every conversion does, keeping at most two conversions (all conformance inputs as one stream, uuids shared between them included)', { skip: conformanceCases().length === 0 }, () => {
    const events = conformanceCases().flatMap((c) => readNdjsonEvents(join(c.dir, 'input.ndjson'))).map((e, seq) => ({ ...e, seq }));
    const { trajectories } = convertEvents(events, { agent: AGENT, fixes: resolveFixes('default'), observedEvents: false, dedupe: true });
    const whole = wholeIndex(trajectories);
    const uuids = [...whole.llm.keys(), ...whole.tool.keys()].sort();
    assert.ok(trajectories.length > 50 && uuids.length > 500, `${trajectories.length} trajectories, ${uuids.length} spans`);
    const queries = ['', 'ffffffff-0000-nope', ...uuids.filter((_, i) => i % 9 === 0).flatMap((u) => [u, u.toUpperCase(), u.slice(0, 4), u.slice(0, 9), u.replace(/-/g, '').slice(0, 14)])];
    for (const query of queries) {
      const finder = new SpanFinder(query);
      for (const t of trajectories) finder.add(t);
      const streamed = finder.finish();
      assert.deepEqual(answer(streamed, query), answer(whole, query), query);
      const kept = new Set([...[...streamed.llm.values()].map((e) => e.at?.converted), ...[...streamed.tool.values()].map((e) => e.converted)].filter((c) => c !== undefined));
      assert.ok(kept.size <= 2, `${query}: ${kept.size} conversions kept`);
    }
  });
});
