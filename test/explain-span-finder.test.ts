/**
 * `explain --span` reads as `convert` streams: each trajectory is indexed as it closes and let go;
 * only the printed reports of spans the query may name are kept. Its answers must be those of an
 * index of every conversion, every report printed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { shortIds } from '../src/explain/ids.js';
import { stylesOfLevel } from '../src/explain/palette.js';
import { describeUuid, lookupSpan, spanPart, SpanFinder, type SpanIndex, type SpanReportFormat } from '../src/explain/report.js';
import { ShortIdMarkers } from '../src/explain/short-id-markers.js';
import type { ConvertedTrajectory } from '../src/pipeline/convert.js';
import { convertEvents } from '../src/pipeline/stream.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { readNdjsonEvents } from './support/events.js';
import { conformanceCases } from './support/shared.js';

const AGENT = { name: 'a', version: '1' };
describe('--span as convert streams (SpanFinder)', () => {
  /** The oracle: every conversion indexed with the report of every span, a uuid met again described by the later one. */
  function wholeIndex(trajectories: ConvertedTrajectory[], printing: SpanReportFormat): SpanIndex {
    const index: SpanIndex = { llm: new Map(), tool: new Map(), short: new Map() };
    // The report of a span is its part's when the query names it exactly.
    const reportOf = (c: ConvertedTrajectory, kind: 'llm' | 'tool', uuid: string) => new Map(spanPart(c, uuid, printing).reports[kind]).get(uuid);
    for (const c of trajectories) {
      for (const outcome of c.result.dedupe.spans) index.llm.set(outcome.span.uuid, { sessionId: c.sessionId, name: outcome.span.name, report: reportOf(c, 'llm', outcome.span.uuid) });
      for (const conv of c.result.conversions) for (const link of conv.toolLinks) index.tool.set(link.toolUuid, { sessionId: c.sessionId, name: link.name, report: reportOf(c, 'tool', link.toolUuid) });
    }
    index.short = shortIds([...index.llm.keys(), ...index.tool.keys()]);
    return index;
  }

  const answer = (index: SpanIndex, query: string, marks: ShortIdMarkers) => {
    const found = lookupSpan(index, query, marks);
    if (found.kind === 'ambiguous') return { ...found, described: found.candidates.map((u) => describeUuid(index, u)) };
    if (found.kind === 'unknown') return { kind: found.kind, count: found.known.length, described: found.known.slice(0, 20).map((u) => describeUuid(index, u)) };
    return found;
  };

  it('answers every query as the index of every conversion does, keeping at most two reports (all conformance inputs as one stream, uuids shared between them included; JSON and text)', { skip: conformanceCases().length === 0 }, () => {
    const events = conformanceCases().flatMap((c) => readNdjsonEvents(join(c.dir, 'input.ndjson'))).map((e, seq) => ({ ...e, seq }));
    const { trajectories } = convertEvents(events, { agent: AGENT, fixes: resolveFixes('default'), observedEvents: false, dedupe: true });
    const marks = new ShortIdMarkers();
    const formats: SpanReportFormat[] = [
      { format: { json: true }, marks },
      { format: { json: false, styles: stylesOfLevel(1) }, marks },
    ];
    for (const printing of formats) {
      const whole = wholeIndex(trajectories, printing);
      const uuids = [...whole.llm.keys(), ...whole.tool.keys()].sort();
      assert.ok(trajectories.length > 50 && uuids.length > 500, `${trajectories.length} trajectories, ${uuids.length} spans`);
      const queries = ['', 'ffffffff-0000-nope', ...uuids.filter((_, i) => i % 9 === 0).flatMap((u) => [u, u.toUpperCase(), u.slice(0, 4), u.slice(0, 9), u.replace(/-/g, '').slice(0, 14)])];
      let reports = 0;
      for (const query of queries) {
        const finder = new SpanFinder(query, printing);
        for (const t of trajectories) finder.add(t);
        const streamed = finder.finish();
        const found = answer(streamed, query, marks);
        assert.deepEqual(found, answer(whole, query, marks), query);
        if ('printed' in found) {
          reports++;
          assert.doesNotMatch(found.printed, /<<[0-9a-f]{16}:/, 'the short id is filled in');
        }
        const kept = [...streamed.llm.values(), ...streamed.tool.values()].filter((e) => e.report !== undefined);
        assert.ok(kept.length <= 2, `${query}: ${kept.length} reports kept`);
      }
      assert.ok(reports > 100, `${reports} queries answered with a report`);
    }
  });
});
