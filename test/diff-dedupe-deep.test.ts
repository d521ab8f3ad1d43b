import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Step } from '../src/atif/types.js';
import type { PairDecision } from '../src/dedupe/pair.js';
import { dedupeDiff, type DedupeDiff, type MovedMetric, type RemovedStep } from '../src/diff/dedupe-diff.js';
import { otherDifferences } from '../src/diff/dedupe-other.js';
import { childPath, diffJson, type Difference } from '../src/diff/json-diff.js';
import { keyedSteps, scalarFields, within, withoutStepId } from '../src/diff/run-paths.js';
import { agentStepsBySpan, EXTRA_DROPPED, producedSteps, type ProducedStep } from '../src/explain/produced.js';
import { decodeAtof, type AtofEvent } from '../src/ingest/atof.js';
import { parseJson } from '../src/json/parse.js';
import { canonicalJson } from '../src/json/stringify.js';
import { fillMissingMetrics } from '../src/providers/usage.js';
import type { Json, JsonObject } from '../src/json/value.js';
import type { ConvertedTrajectory } from '../src/pipeline/convert.js';
import { convertEvents } from '../src/pipeline/stream.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { pushTo } from '../src/util/group-by.js';
import { conformanceCases } from './support/shared.js';
import { naiveById, naiveStepPaths } from './support/naive-paths.js';

/*
 * The dedupe diff keeps where steps and trajectories sit as parent links, spelled only for a printed
 * difference, and tells the steps it already explained apart by object: it spelled, compared and
 * looked up every step's path as text, which grows with the nesting of subagents, so a chain of
 * thousands of nested subagents was quadratic (and 8,000 ran out of memory). It is checked against
 * the text-path diff it replaced (below, as it was), on conformance inputs nested under subagents.
 */

// ---- the diff with text paths, as it was ----------------------------------------------------------


function naiveRemovalRules(run: ConvertedTrajectory): Map<string, string> {
  const rules = new Map<string, string>();
  for (const conversion of run.result.conversions) {
    const firstDecision = new Map<Step, string>();
    for (const d of conversion.toolSteps) if (!firstDecision.has(d.step)) firstDecision.set(d.step, d.rule);
    const all: ProducedStep[] = [...conversion.origins].map(([step, origin]) => ({ trajectoryId: conversion.trajectoryId, step, origin, conversion }));
    for (const [key, twin] of keyedSteps(all)) {
      const rule = firstDecision.get(twin.step);
      if (rule !== undefined && !rules.has(key)) rules.set(key, rule);
    }
  }
  return rules;
}

function naiveOther(withDedupe: ConvertedTrajectory, without: ConvertedTrajectory, removedPaths: Set<string>, survivorPaths: Set<string>) {
  const finals: Difference[] = [];
  const other: Difference[] = [];
  const noted = (d: Difference, note: string | undefined): Difference => (note ? { ...d, note } : d);
  const cleanupNote = (run: ConvertedTrajectory, key: string, label: string) => {
    const rule = naiveRemovalRules(run).get(key);
    return rule === undefined ? undefined : `${label} dedupe this step was removed: ${rule}`;
  };
  const [tWithout, tWith] = [naiveById(without.trajectory), naiveById(withDedupe.trajectory)];
  for (const [id, a] of tWithout) {
    const b = tWith.get(id);
    if (!b) {
      other.push({ path: a.path, kind: 'removed', a: a.trajectory as unknown as Json });
      continue;
    }
    const found: Difference[] = [];
    diffJson(scalarFields(a.trajectory), scalarFields(b.trajectory), a.path, found, b.path);
    for (const d of found) (within(d.path, childPath(a.path, 'final_metrics')) ? finals : other).push(d);
  }
  for (const [id, b] of tWith) if (!tWithout.has(id)) other.push({ path: b.path, kind: 'added', b: b.trajectory as unknown as Json });
  const [pathsWithout, pathsWith] = [naiveStepPaths(without.trajectory), naiveStepPaths(withDedupe.trajectory)];
  const withSteps = keyedSteps(producedSteps(withDedupe));
  const withByKey = new Map(withSteps);
  const matched = new Set<ProducedStep>();
  for (const [key, a] of keyedSteps(producedSteps(without))) {
    const pa = pathsWithout.get(a.step)!;
    const b = withByKey.get(key);
    if (!b) {
      if (!removedPaths.has(pa)) other.push(noted({ path: pa, kind: 'removed', a: a.step as unknown as Json }, cleanupNote(withDedupe, key, 'with')));
      continue;
    }
    matched.add(b);
    const found: Difference[] = [];
    diffJson(withoutStepId(a.step), withoutStepId(b.step), pa, found, pathsWith.get(b.step)!);
    const metrics = childPath(pa, 'metrics');
    for (const d of found) {
      if (survivorPaths.has(metrics) && within(d.path, metrics)) continue;
      const dropped = d.path === childPath(pa, 'extra') && a.origin?.kind === 'llm-end';
      other.push(noted(d, dropped ? `${EXTRA_DROPPED} ${d.kind === 'added' ? 'without' : 'with'} dedupe` : undefined));
    }
  }
  for (const [key, p] of withSteps) if (!matched.has(p)) other.push(noted({ path: pathsWith.get(p.step)!, kind: 'added', b: p.step as unknown as Json }, cleanupNote(without, key, 'without')));
  return { finals, other };
}

function naiveDedupeDiff(withDedupe: ConvertedTrajectory, without: ConvertedTrajectory): DedupeDiff {
  const dedupe = withDedupe.result.dedupe;
  const names = new Map(dedupe.spans.map((o) => [o.span.uuid, o.span.name]));
  const [producedWith, producedWithout] = [producedSteps(withDedupe), producedSteps(without)];
  const pathsWithout = naiveStepPaths(without.trajectory);
  const [removedPaths, survivorPaths] = [new Set<string>(), new Set<string>()];
  const suppressedBy = new Map<string, PairDecision[]>();
  for (const d of dedupe.pairs) if (d.suppressed !== undefined && d.canonical !== undefined) pushTo(suppressedBy, d.suppressed, d);
  const [agentStepWith, agentStepWithout] = [agentStepsBySpan(producedWith), agentStepsBySpan(producedWithout)];
  const removed: RemovedStep[] = [];
  for (const p of producedWithout) {
    const uuid = p.origin && (p.origin.kind === 'llm-start' || p.origin.kind === 'llm-end') ? p.origin.events[0] : undefined;
    if (uuid === undefined || !dedupe.suppressed.has(uuid)) continue;
    const path = pathsWithout.get(p.step)!;
    removedPaths.add(path);
    // Naive: the survivors a kept span leads to, by recursion over its own suppressors.
    const survivors = (u: string): string[] => (dedupe.suppressed.has(u) ? [...new Set((suppressedBy.get(u) ?? []).flatMap((d) => survivors(d.canonical!)))].sort() : [u]);
    const decisions = (suppressedBy.get(uuid) ?? []).map((d) => ({
      rule: d.rule,
      ...(d.fix === undefined ? {} : { fix: d.fix }),
      kept: d.canonical!,
      kept_name: names.get(d.canonical!) ?? '',
      survivors: survivors(d.canonical!).map((u) => ({ span: u, name: names.get(u) ?? '' })),
    }));
    removed.push({ trajectory_id: p.trajectoryId, step_id: p.step.step_id, path, source: p.step.source, span: uuid, span_name: names.get(uuid) ?? '', decisions });
  }
  const moved: MovedMetric[] = [];
  for (const o of dedupe.spans) {
    if (o.state !== 'SPAN_SURVIVOR' || !dedupe.supplemental.has(o.span.uuid)) continue;
    const [after, before] = [agentStepWith.get(o.span.uuid), agentStepWithout.get(o.span.uuid)];
    if (!after || !before) continue;
    const found: Difference[] = [];
    diffJson((before.step.metrics ?? {}) as unknown as Json, (after.step.metrics ?? {}) as unknown as Json, 'metrics', found);
    survivorPaths.add(childPath(pathsWithout.get(before.step)!, 'metrics'));
    // Naive: a span gave a value when its end metrics alone, filled into the survivor's own, give it.
    const gives = (uuid: string, path: string, exact: boolean, value: Json | undefined) => {
      const given = dedupe.spans.find((x) => x.span.uuid === uuid)?.span.candidate?.endMetrics;
      if (!given) return false;
      const filled = JSON.parse(JSON.stringify(before.step.metrics ?? {}));
      fillMissingMetrics(filled, given);
      const mine: Difference[] = [];
      diffJson((before.step.metrics ?? {}) as unknown as Json, filled, 'metrics', mine);
      return mine.some((m) => m.path === path && (!exact || canonicalJson(m.b!) === canonicalJson(value!)));
    };
    for (const d of found) {
      const exact = o.absorbed.filter((u) => gives(u, d.path, true, d.b));
      const some = o.absorbed.filter((u) => gives(u, d.path, false, d.b));
      const from = exact.length > 0 ? exact : some.length > 0 ? some : [...o.absorbed];
      moved.push({ trajectory_id: after.trajectoryId, step_id: after.step.step_id, span: o.span.uuid, path: d.path, without: d.a ?? null, with: d.b ?? null, from });
    }
  }
  const { finals, other } = naiveOther(withDedupe, without, removedPaths, survivorPaths);
  return { session_id: withDedupe.sessionId, removed_steps: removed, moved_metrics: moved, final_metrics: finals, other_differences: other };
}

// ---- input: a conformance case's session nested as a subagent under a chain of subagents ---------

const CASES = conformanceCases();
const rawLines = (dir: string) => readFileSync(join(dir, 'input.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => parseJson(l) as JsonObject);

/**
 * The case's events, its session turned into the subagent of the last of `depth` nested subagents
 * (each with one LLM call), after `siblings` subagents of that last one: steps and trajectories then
 * sit deep, not always at index 0.
 */
function nested(lines: JsonObject[], depth: number, siblings: number): AtofEvent[] {
  const times = lines.map((l) => Date.parse(String(l.timestamp))).filter(Number.isFinite);
  let ms = Math.min(...times) - 10 * (depth + siblings + 5);
  const ts = () => new Date(ms++).toISOString();
  let n = 0;
  const uuid = () => `0198b000-0000-7000-8000-${(n++).toString(16).padStart(12, '0')}`;
  const base = { kind: 'scope', atof_version: '0.1', attributes: [], data: null, data_schema: null, category_profile: null };
  const agent = (u: string, parent: string | null, role: string, se: string) => ({ ...base, uuid: u, parent_uuid: parent, timestamp: ts(), name: 'worker', scope_category: se, category: 'agent', metadata: { nemo_relay_scope_role: role, session_id: 'outer' } });
  const llm = (parent: string, i: number) => {
    const u = uuid();
    const common = { ...base, uuid: u, parent_uuid: parent, name: 'openai.chat_completions', category: 'llm', metadata: { gateway_path: '/v1/chat/completions' } };
    return [
      { ...common, timestamp: ts(), scope_category: 'start', data: { content: { messages: [{ role: 'user', content: `d${i}` }], model: 'm' }, headers: {} } },
      { ...common, timestamp: ts(), scope_category: 'end', data: { id: `x${i}`, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'ok' } }] } },
    ];
  };
  const [root, turn] = [uuid(), uuid()];
  const out: object[] = [agent(root, null, 'session', 'start'), { ...base, uuid: turn, parent_uuid: root, timestamp: ts(), name: 'turn', scope_category: 'start', category: 'agent', metadata: { nemo_relay_scope_role: 'turn' } }];
  const open: Array<[string, string]> = [];
  let parent = turn;
  for (let i = 0; i < depth + siblings; i++) {
    const sub = uuid();
    out.push(agent(sub, parent, 'subagent', 'start'), ...llm(sub, i));
    if (i >= depth) {
      out.push(agent(sub, parent, 'subagent', 'end'));
      continue;
    }
    open.push([sub, parent]);
    parent = sub;
  }
  const session = lines.find((l) => l.category === 'agent' && (l.metadata as JsonObject | null)?.nemo_relay_scope_role === 'session')?.uuid;
  for (const l of lines) out.push(l.uuid === session && l.kind === 'scope' ? { ...l, parent_uuid: parent, metadata: { ...(l.metadata as JsonObject), nemo_relay_scope_role: 'subagent' } } : l);
  ms = Math.max(...times) + 1;
  for (const [sub, p] of open.reverse()) out.push(agent(sub, p, 'subagent', 'end'));
  out.push({ ...base, uuid: turn, parent_uuid: root, timestamp: ts(), name: 'turn', scope_category: 'end', category: 'agent', metadata: { nemo_relay_scope_role: 'turn' } }, agent(root, null, 'session', 'end'));
  return out.map((o, seq) => decodeOrThrow(o as JsonObject, seq));
}

/** Each trajectory converted with and without the dedupe pass, as `diff FILE` pairs them. */
function bothRuns(events: AtofEvent[]): Array<[ConvertedTrajectory, ConvertedTrajectory]> {
  const common = { agent: { name: 'a', version: '1' }, fixes: resolveFixes('default'), observedEvents: false };
  const [withPass, without] = [convertEvents(events, { ...common, dedupe: true }), convertEvents(events, { ...common, dedupe: false })];
  assert.equal(withPass.trajectories.length, without.trajectories.length);
  return withPass.trajectories.map((t, i) => [t, without.trajectories[i]]);
}

/** A change to one of the two runs, of the kinds the conformance inputs never make. */
type Perturbation = { run: 0 | 1; pick: number; kind: 'drop extra' | 'metrics' | 'prepend subagent' | 'final metrics' };
const perturbation = fc.record({ run: fc.constantFrom<0 | 1>(0, 1), pick: fc.nat(), kind: fc.constantFrom<Perturbation['kind']>('drop extra', 'metrics', 'prepend subagent', 'final metrics') });

/**
 * Applies the changes in place: a step loses its `extra` (a dropped extra, noted when the step came
 * from an LLM end), a step's metrics change, a trajectory gets a subagent in front of its others (so
 * the trajectories after it sit elsewhere in that run) or other final metrics.
 */
function perturb(runs: [ConvertedTrajectory, ConvertedTrajectory], changes: Perturbation[]): void {
  for (const c of changes) {
    const t = runs[c.run].trajectory;
    if (!t) continue;
    const steps = [...naiveStepPaths(t).keys()];
    const trajectories = [...naiveById(t).values()].map((x) => x.trajectory);
    const step = steps[c.pick % Math.max(1, steps.length)];
    const at = trajectories[c.pick % trajectories.length];
    if (c.kind === 'drop extra' && step) delete step.extra;
    else if (c.kind === 'metrics' && step) step.metrics = { ...step.metrics, prompt_tokens: c.pick };
    else if (c.kind === 'final metrics') at.final_metrics = { ...at.final_metrics, total_steps: c.pick };
    else if (c.kind === 'prepend subagent') {
      const extra = { ...at, trajectory_id: `extra-${c.pick}-${c.run}`, steps: [], subagent_trajectories: undefined };
      at.subagent_trajectories = [extra, ...(at.subagent_trajectories ?? [])];
    }
  }
}

const changes = (d: DedupeDiff) => d.removed_steps.length + d.moved_metrics.length + d.final_metrics.length + d.other_differences.length;

// ---- the checks -----------------------------------------------------------------------------------

describe('dedupe diff with places as parent links', { skip: CASES.length === 0 }, () => {
  const lines = new Map(CASES.map((c) => [c.name, rawLines(c.dir)]));
  // Inputs with a time to nest them at (a few are empty).
  const nestable = CASES.map((c) => c.name).filter((name) => lines.get(name)!.some((l) => Number.isFinite(Date.parse(String(l.timestamp)))));

  it('reports what the text-path diff reports, on every conformance input as it is', () => {
    let changed = 0;
    for (const c of CASES) {
      for (const [w, wo] of bothRuns(lines.get(c.name)!.map(decodeOrThrow))) {
        const got = dedupeDiff(w, wo);
        assert.deepEqual(got, naiveDedupeDiff(w, wo), c.name);
        changed += changes(got) > 0 ? 1 : 0;
      }
    }
    // The inputs exercise every list: removed steps, moved metrics, final metrics, other differences.
    assert.ok(changed > 30, `${changed} trajectories changed by dedupe`);
  });

  it('reports what the text-path diff reports, the inputs nested under subagents', () => {
    let seen = { removed: 0, moved: 0, other: 0, bPath: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...nestable), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 }), (name, depth, siblings) => {
        for (const [w, wo] of bothRuns(nested(lines.get(name)!, depth, siblings))) {
          const got = dedupeDiff(w, wo);
          assert.deepEqual(got, naiveDedupeDiff(w, wo));
          seen = { removed: seen.removed + got.removed_steps.length, moved: seen.moved + got.moved_metrics.length, other: seen.other + got.other_differences.length, bPath: seen.bPath + got.other_differences.filter((d) => d.b_path).length };
        }
      }),
      { numRuns: 150, seed: 20261128 },
    );
    assert.ok(seen.removed > 0 && seen.moved > 0 && seen.other > 0 && seen.bPath > 0, JSON.stringify(seen));
  });

  it('reports what the text-path diff reports, the runs changed where dedupe does not change them', () => {
    let seen = { notes: 0, bPath: 0, finals: 0, added: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...nestable), fc.integer({ min: 0, max: 12 }), fc.array(perturbation, { maxLength: 6 }), (name, depth, changes) => {
        for (const runs of bothRuns(nested(lines.get(name)!, depth, 1))) {
          perturb(runs, changes);
          const got = dedupeDiff(...runs);
          assert.deepEqual(got, naiveDedupeDiff(...runs));
          const all = [...got.other_differences, ...got.final_metrics];
          seen = { notes: seen.notes + all.filter((d) => d.note).length, bPath: seen.bPath + all.filter((d) => d.b_path).length, finals: seen.finals + got.final_metrics.length, added: seen.added + all.filter((d) => d.kind === 'added').length };
        }
      }),
      { numRuns: 150, seed: 20261128 },
    );
    assert.ok(Object.values(seen).every((n) => n > 0), JSON.stringify(seen));
  });

  it('passes over the steps it is told are explained, as the text-path diff passes over their paths', () => {
    fc.assert(
      fc.property(fc.constantFrom(...nestable), fc.integer({ min: 0, max: 12 }), fc.array(perturbation, { maxLength: 4 }), fc.infiniteStream(fc.constantFrom(0, 1, 2, 3)), (name, depth, changes, marks) => {
        for (const runs of bothRuns(nested(lines.get(name)!, depth, 1))) {
          perturb(runs, changes);
          // Each step of the run without dedupe: not explained, removed, a survivor, or both.
          const paths = naiveStepPaths(runs[1].trajectory);
          const [removedSteps, survivorSteps, removedPaths, survivorPaths] = [new Set<Step>(), new Set<Step>(), new Set<string>(), new Set<string>()];
          const it = marks[Symbol.iterator]();
          for (const [step, path] of paths) {
            const mark = it.next().value as number;
            if (mark & 1) [removedSteps.add(step), removedPaths.add(path)];
            if (mark & 2) [survivorSteps.add(step), survivorPaths.add(childPath(path, 'metrics'))];
          }
          assert.deepEqual(otherDifferences(...runs, { removedSteps, survivorSteps }), naiveOther(...runs, removedPaths, survivorPaths));
        }
      }),
      { numRuns: 150, seed: 20261128 },
    );
  });

  it('spells the paths of what dedupe changed under 8,000 nested subagents', () => {
    const name = 'gen-rand-072';
    if (!lines.has(name)) return;
    const [[w, wo]] = bothRuns(nested(lines.get(name)!, 8000, 1));
    const got = dedupeDiff(w, wo);
    const under = `$${'.subagent_trajectories[0]'.repeat(8000)}.subagent_trajectories[1]`;
    // Five since hermes-summary-messages: a Hermes summary request of the input writes no user step to remove.
    assert.equal(got.removed_steps.length, 5);
    for (const r of got.removed_steps) assert.ok(r.path.startsWith(`${under}.steps[`), r.path.slice(-80));
    assert.ok(got.other_differences.length > 0 && got.other_differences.every((d) => d.path.startsWith(under)));
    // The shallow form of the same input differs by the nesting of every path only.
    const [[sw, swo]] = bothRuns(nested(lines.get(name)!, 0, 1));
    const shallow = naiveDedupeDiff(sw, swo);
    const strip = (d: DedupeDiff) => JSON.stringify({ ...d, session_id: '' }).split(under).join('$.X').split('$.subagent_trajectories[1]').join('$.X');
    assert.equal(strip(got), strip(shallow));
  });
});

function decodeOrThrow(l: JsonObject, seq: number): AtofEvent {
  const r = decodeAtof(l, seq);
  if (!r.ok) throw new Error(`${r.path}: ${r.message}`);
  return r.event;
}
