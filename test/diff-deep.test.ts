import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Step, Trajectory } from '../src/atif/types.js';
import { alignSteps } from '../src/diff/align.js';
import { childPath, diffJson, pathText, sameNumber, type Difference } from '../src/diff/json-diff.js';
import { stepPositions, trajectoryPositions } from '../src/diff/run-paths.js';
import { diffTrajectories } from '../src/diff/trajectory-diff.js';
import { writtenSteps } from '../src/explain/produced.js';
import { compareKeys } from '../src/json/stringify.js';
import { getOwn, isObject, JsonNumber, type Json, type JsonObject } from '../src/json/value.js';
import { naiveById, naiveStepPaths } from './support/naive-paths.js';

/*
 * The diff walks values and subagent trees from explicit stacks (past some depth, for values), as a
 * recursive walk overflowed the call stack on thousands of levels. Each is checked against the
 * recursive walk it replaced (below, as it was), on shallow and on deep input.
 */

// ---- the recursive walks as they were -------------------------------------------------------------

function naiveDiffJson(a: Json, b: Json, path: string, out: Difference[], bPath = path): void {
  if (a === b) return;
  const isNum = (v: Json): v is number | JsonNumber => typeof v === 'number' || v instanceof JsonNumber;
  const push = (d: Omit<Difference, 'path'>, at: string, bAt: string) => out.push(bAt !== at ? ({ path: at, ...d, b_path: bAt } as Difference) : ({ path: at, ...d } as Difference));
  if (isNum(a) && isNum(b)) {
    if (!sameNumber(a, b)) push({ kind: 'changed', a, b }, path, bPath);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const [at, bAt] = [childPath(path, i), childPath(bPath, i)];
      if (i >= b.length) push({ kind: 'removed', a: a[i] }, at, bAt);
      else if (i >= a.length) push({ kind: 'added', b: b[i] }, at, bAt);
      else naiveDiffJson(a[i], b[i], at, out, bAt);
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareKeys)) {
      const [at, bAt] = [childPath(path, k), childPath(bPath, k)];
      const inA = Object.prototype.hasOwnProperty.call(a, k) && a[k] !== undefined;
      const inB = Object.prototype.hasOwnProperty.call(b, k) && b[k] !== undefined;
      if (!inB) push({ kind: 'removed', a: a[k] }, at, bAt);
      else if (!inA) push({ kind: 'added', b: b[k] }, at, bAt);
      else naiveDiffJson(a[k], b[k], at, out, bAt);
    }
    return;
  }
  push({ kind: 'changed', a, b }, path, bPath);
}

const STRUCTURED = ['steps', 'subagent_trajectories'];
const withB = (d: Difference, bPath: string): Difference => (bPath === d.path ? d : { ...d, b_path: bPath });
const stepIdOf = (s: Json): Json => (isObject(s) ? (getOwn(s, 'step_id') ?? null) : null);
const offset = (s: Json, i: number) => {
  const id = stepIdOf(s);
  return typeof id === 'number' ? String(id - (i + 1)) : `not a number: ${JSON.stringify(id)}`;
};
const noId = (s: Json): Json => (isObject(s) ? (Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'step_id')) as JsonObject) : s);

function naiveDiffTrajectories(a: JsonObject, b: JsonObject, path = '$', bPath = path): Difference[] {
  const out: Difference[] = [];
  const rest = (o: JsonObject) => Object.fromEntries(Object.entries(o).filter(([k]) => !STRUCTURED.includes(k))) as JsonObject;
  naiveDiffJson(rest(a), rest(b), path, out, bPath);
  for (const key of STRUCTURED) {
    const [va, vb] = [getOwn(a, key), getOwn(b, key)];
    const [pa, pb] = [childPath(path, key), childPath(bPath, key)];
    if (Array.isArray(va) && Array.isArray(vb)) {
      if (key === 'steps') {
        for (const m of alignSteps(va, vb)) {
          if (m.b === undefined) out.push({ path: childPath(pa, m.a), kind: 'removed', a: va[m.a] });
          else if (m.a === undefined) out.push({ path: childPath(pb, m.b), kind: 'added', b: vb[m.b] });
          else {
            const [sa, sb, qa, qb] = [va[m.a], vb[m.b], childPath(pa, m.a), childPath(pb, m.b)];
            if (m.moved) out.push({ path: qa, b_path: qb, kind: 'moved' });
            if (JSON.stringify(stepIdOf(sa)) !== JSON.stringify(stepIdOf(sb)) && offset(sa, m.a) !== offset(sb, m.b)) {
              out.push(withB({ path: childPath(qa, 'step_id'), kind: 'changed', a: stepIdOf(sa), b: stepIdOf(sb) }, childPath(qb, 'step_id')));
            }
            naiveDiffJson(noId(sa), noId(sb), qa, out, qb);
          }
        }
      } else {
        const idOf = (t: Json) => (isObject(t) && typeof t.trajectory_id === 'string' ? t.trajectory_id : undefined);
        const bById = new Map<string, number[]>();
        vb.forEach((tb, k) => idOf(tb) !== undefined && (bById.get(idOf(tb)!) ?? bById.set(idOf(tb)!, []).get(idOf(tb)!)!).push(k));
        const usedB = new Set<number>();
        let lastJ = -1;
        va.forEach((ta, i) => {
          const id = idOf(ta);
          let j = id === undefined ? -1 : (bById.get(id)?.shift() ?? -1);
          if (id === undefined && i < vb.length && !usedB.has(i) && idOf(vb[i]) === undefined) j = i;
          if (j < 0) return void out.push({ path: childPath(pa, i), kind: 'removed', a: ta });
          usedB.add(j);
          if (j < lastJ) out.push({ path: childPath(pa, i), b_path: childPath(pb, j), kind: 'moved' });
          lastJ = Math.max(lastJ, j);
          const tb = vb[j];
          if (isObject(ta) && isObject(tb)) out.push(...naiveDiffTrajectories(ta, tb, childPath(pa, i), childPath(pb, j)));
          else naiveDiffJson(ta, tb, childPath(pa, i), out, childPath(pb, j));
        });
        vb.forEach((tb, j) => usedB.has(j) || out.push({ path: childPath(pb, j), kind: 'added', b: tb }));
      }
    } else if (va === undefined && vb !== undefined) out.push({ path: pb, kind: 'added', b: vb });
    else if (vb === undefined && va !== undefined) out.push({ path: pa, kind: 'removed', a: va });
    else if (va !== undefined && vb !== undefined) out.push(withB({ path: pa, kind: 'changed', a: va, b: vb }, pb));
  }
  return out;
}

function naiveWritten(t: Trajectory | undefined, into = new Map<string, Step[]>()): Map<string, Step[]> {
  if (!t) return into;
  into.set(t.trajectory_id, t.steps);
  for (const c of t.subagent_trajectories ?? []) naiveWritten(c, into);
  return into;
}


// ---- generated input ------------------------------------------------------------------------------

/** Small JSON values from few keys and scalars, so two of them often share parts; sometimes deep. */
const leaf = fc.oneof(fc.constantFrom<Json>(1, 2, 'x', 'y', null, true), fc.constantFrom('1.0', '1e0', '5', '5.0').map((t) => new JsonNumber(t) as Json));
const { value: shallow } = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'odd key', 'c'), tie('value'), { maxKeys: 3 })),
}));
/** A value wrapped in `depth` levels of objects and arrays: deeper than the diff recurses. */
const deep = (depth: number) =>
  fc.tuple(shallow, fc.array(fc.constantFrom('a', 'b', 0, 1), { minLength: depth, maxLength: depth })).map(([v, keys]) => {
    let out = v;
    for (const k of keys) out = typeof k === 'number' ? ([...Array(k).fill(1), out] as Json) : ({ [k]: out, z: k } as JsonObject);
    return out;
  });

/** A trajectory tree: ids and ancestry keys from small pools, so two trees partly align. */
function tree(nodes: Array<{ parent: number; id?: string; steps: Array<{ fid?: string; source: string; message: Json }> }>): JsonObject {
  const made = nodes.map((n) => {
    const steps = n.steps.map((s, i) => ({ step_id: i + 1, source: s.source, message: s.message, ...(s.fid ? { extra: { ancestry: { function_id: s.fid } } } : {}) }));
    return { schema_version: 'ATIF-v1.7', ...(n.id === undefined ? {} : { trajectory_id: n.id }), steps } as JsonObject & { subagent_trajectories?: JsonObject[] };
  });
  nodes.forEach((n, i) => {
    if (i > 0) (made[n.parent % i].subagent_trajectories ??= []).push(made[i]);
  });
  return made[0];
}
const treeSpec = fc.array(
  fc.record({
    parent: fc.nat(),
    id: fc.option(fc.constantFrom('t1', 't2', 't3', 't4'), { nil: undefined }),
    steps: fc.array(fc.record({ fid: fc.option(fc.constantFrom('f1', 'f2', 'f3'), { nil: undefined }), source: fc.constantFrom('user', 'agent'), message: shallow }), { maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 12 },
);
/** A chain of `n` nested trajectories (each the only subagent of the one before). */
const chain = (n: number, message = (i: number) => `m${i}`): JsonObject => tree(Array.from({ length: n }, (_, i) => ({ parent: Math.max(0, i - 1), id: `t${i}`, steps: [{ fid: `f${i}`, source: 'agent', message: message(i) }] })));

// ---- the checks -----------------------------------------------------------------------------------

describe('diffJson past the recursion', () => {
  const same = (a: Json, b: Json, bPath: string) => {
    const [got, want]: Difference[][] = [[], []];
    diffJson(a, b, '$.x', got, bPath);
    naiveDiffJson(a, b, '$.x', want, bPath);
    assert.deepEqual(got, want);
  };

  it('finds what the recursive walk finds, in its order', () => {
    fc.assert(fc.property(shallow, shallow, fc.constantFrom('$.x', '$.y'), same), { numRuns: 2000, seed: 20261128 });
  });

  it('finds what the recursive walk finds on values nested deeper than it recurses', () => {
    fc.assert(fc.property(fc.integer({ min: 400, max: 1500 }).chain((d) => fc.tuple(deep(d), deep(d))), fc.constantFrom('$.x', '$.y'), ([a, b], p) => same(a, b, p)), { numRuns: 60, seed: 20261128 });
    // One tree against a copy with a change at the bottom: the walk follows the shared spine down.
    fc.assert(fc.property(fc.integer({ min: 400, max: 1500 }).chain(deep), shallow, (a, leafB) => {
      const b = structuredClone(a);
      let at = b as JsonObject;
      while (isObject(at.a) || isObject(at.b)) at = (isObject(at.a) ? at.a : at.b) as JsonObject;
      at.a = leafB;
      same(a, b, '$.x');
    }), { numRuns: 60, seed: 20261128 });
  });

  it('compares values nested 100,000 deep', () => {
    let [a, b]: Json[] = ['x', 'y'];
    for (let i = 0; i < 100_000; i++) [a, b] = [{ a }, { a: b }];
    const out: Difference[] = [];
    diffJson(a, b, '$', out);
    assert.equal(out.length, 1);
    assert.equal(out[0].path, `$${'.a'.repeat(100_000)}`);
  });
});

describe('subagent trees walked without recursion', () => {
  it('diffTrajectories finds what the recursive diff finds, in its order', () => {
    fc.assert(fc.property(treeSpec, treeSpec, (x, y) => assert.deepEqual(diffTrajectories(tree(x), tree(y)), naiveDiffTrajectories(tree(x), tree(y)))), { numRuns: 1500, seed: 20261128 });
  });

  it('the trajectory and step maps are those of the recursive walks, in their order', () => {
    fc.assert(
      fc.property(treeSpec, (x) => {
        const t = tree(x) as unknown as Trajectory;
        assert.deepEqual([...writtenSteps(t)], [...naiveWritten(t)]);
        assert.deepEqual([...stepPositions(t)].map(([s, p]) => [s, pathText(p)]), [...naiveStepPaths(t)]);
        assert.deepEqual([...trajectoryPositions(t)].map(([id, at]) => [id, { trajectory: at.trajectory, path: pathText(at.path) }]), [...naiveById(t)]);
      }),
      { numRuns: 1000, seed: 20261128 },
    );
  });

  it('diffs and walks a chain of 8,000 nested subagents', () => {
    const [a, b] = [chain(8000), chain(8000, (i) => (i === 7999 ? 'changed' : `m${i}`))];
    const found = diffTrajectories(a, b);
    assert.equal(found.length, 1);
    assert.equal(found[0].path, `$${'.subagent_trajectories[0]'.repeat(7999)}.steps[0].message`);
    assert.equal(writtenSteps(a as unknown as Trajectory).size, 8000);
    assert.equal(stepPositions(a as unknown as Trajectory).size, 8000);
  });
});
