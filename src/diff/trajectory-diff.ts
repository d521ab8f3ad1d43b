import { getOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import { pushTo } from '../util/group-by.js';
import { alignSteps } from './align.js';
import { childPath, diffJson, type Difference } from './json-diff.js';

/** Keys diffed by their own rules rather than as plain JSON. */
const STRUCTURED = ['steps', 'subagent_trajectories'];

/**
 * A step-aligned structural diff of two ATIF trajectories (objects with `schema_version`). Steps are
 * aligned by `extra.ancestry.function_id` (else by position), subagent trajectories by
 * `trajectory_id` (else by position), so one missing step is one difference, not a cascade.
 */
export function diffTrajectories(a: JsonObject, b: JsonObject, path = '$', bPath = path): Difference[] {
  const out: Difference[] = [];
  const rest = (o: JsonObject) => Object.fromEntries(Object.entries(o).filter(([k]) => !STRUCTURED.includes(k))) as JsonObject;
  diffJson(rest(a), rest(b), path, out, bPath);
  for (const key of STRUCTURED) {
    const [va, vb] = [getOwn(a, key), getOwn(b, key)];
    const [pa, pb] = [childPath(path, key), childPath(bPath, key)];
    if (Array.isArray(va) && Array.isArray(vb)) {
      if (key === 'steps') diffSteps(va, vb, pa, pb, out);
      else diffChildren(va, vb, pa, pb, out);
    } else if (va === undefined && vb !== undefined) {
      out.push({ path: pb, kind: 'added', b: vb });
    } else if (vb === undefined && va !== undefined) {
      out.push({ path: pa, kind: 'removed', a: va });
    } else if (va !== undefined && vb !== undefined) {
      out.push(withB({ path: pa, kind: 'changed', a: va, b: vb }, pb));
    }
  }
  return out;
}

/** Adds `b_path` only when the value sits elsewhere in B. */
function withB(d: Difference, bPath: string): Difference {
  return bPath === d.path ? d : { ...d, b_path: bPath };
}

function diffSteps(a: Json[], b: Json[], path: string, bPath: string, out: Difference[]): void {
  for (const m of alignSteps(a, b)) {
    if (m.b === undefined) out.push({ path: childPath(path, m.a), kind: 'removed', a: a[m.a] });
    else if (m.a === undefined) out.push({ path: childPath(bPath, m.b), kind: 'added', b: b[m.b] });
    else {
      const [sa, sb] = [a[m.a], b[m.b]];
      const [pa, pb] = [childPath(path, m.a), childPath(bPath, m.b)];
      if (m.moved) out.push({ path: pa, b_path: pb, kind: 'moved' });
      // A step_id is a difference only when it changed and disagrees with the step's position: the
      // alignment already reports the step that shifted the numbering, and renumbering is not a
      // second change (nor is an unchanged id at a shifted position).
      if (!sameId(stepIdOf(sa), stepIdOf(sb)) && positionOffset(sa, m.a) !== positionOffset(sb, m.b)) {
        out.push(withB({ path: childPath(pa, 'step_id'), kind: 'changed', a: stepIdOf(sa), b: stepIdOf(sb) }, childPath(pb, 'step_id')));
      }
      diffJson(withoutStepId(sa), withoutStepId(sb), pa, out, pb);
    }
  }
}

const sameId = (x: Json, y: Json): boolean => JSON.stringify(x) === JSON.stringify(y);
const stepIdOf = (s: Json): Json => (isObject(s) ? (getOwn(s, 'step_id') ?? null) : null);

function positionOffset(s: Json, index: number): string {
  const id = stepIdOf(s);
  return typeof id === 'number' ? String(id - (index + 1)) : `not a number: ${JSON.stringify(id)}`;
}

function withoutStepId(s: Json): Json {
  return isObject(s) ? (Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'step_id')) as JsonObject) : s;
}

function diffChildren(a: Json[], b: Json[], path: string, bPath: string, out: Difference[]): void {
  const idOf = (t: Json) => (isObject(t) && typeof t.trajectory_id === 'string' ? t.trajectory_id : undefined);
  // B's children by id, in order: a child takes the first one of its id not taken yet.
  const bById = new Map<string, number[]>();
  b.forEach((tb, k) => {
    const id = idOf(tb);
    if (id !== undefined) pushTo(bById, id, k);
  });
  const usedB = new Set<number>();
  let lastJ = -1;
  a.forEach((ta, i) => {
    const id = idOf(ta);
    let j = id === undefined ? -1 : (bById.get(id)?.shift() ?? -1);
    // Without an id, a child pairs with the child at its position when that one has no id either.
    if (id === undefined && i < b.length && !usedB.has(i) && idOf(b[i]) === undefined) j = i;
    if (j < 0) return void out.push({ path: childPath(path, i), kind: 'removed', a: ta });
    usedB.add(j);
    if (j < lastJ) out.push({ path: childPath(path, i), b_path: childPath(bPath, j), kind: 'moved' });
    lastJ = Math.max(lastJ, j);
    const tb = b[j];
    if (isObject(ta) && isObject(tb)) for (const d of diffTrajectories(ta, tb, childPath(path, i), childPath(bPath, j))) out.push(d);
    else diffJson(ta, tb, childPath(path, i), out, childPath(bPath, j));
  });
  b.forEach((tb, j) => usedB.has(j) || out.push({ path: childPath(bPath, j), kind: 'added', b: tb }));
}
