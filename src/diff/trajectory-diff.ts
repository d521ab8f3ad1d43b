import { getOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import { pushTo } from '../util/group-by.js';
import { alignEvents, alignSteps } from './align.js';
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
  // Work in order from an explicit stack rather than recursion: subagents can nest thousands deep.
  // A piece of work may return more, which runs before the rest (as a recursive call would).
  const stack: Work[] = [() => diffTrajectory(a, b, bPath === path ? { path } : { path, bPath }, out)];
  for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
    const then = w();
    if (then) for (let i = then.length - 1; i >= 0; i--) stack.push(then[i]);
  }
  return out;
}

/** A piece of a diff's work; what it returns is done next, in order. */
type Work = () => Work[] | void;

/**
 * Where a value sits in A, and in B when that is elsewhere. Whether it is elsewhere is carried down
 * rather than found by comparing the two paths' text, which grows with the nesting of subagents: a
 * comparison per step made a chain of thousands of subagents quadratic.
 */
type Where = { path: string; bPath?: string };

const bPathOf = (w: Where) => w.bPath ?? w.path;

function at(w: Where, key: string | number, bKey = key): Where {
  const path = childPath(w.path, key);
  return w.bPath === undefined && key === bKey ? { path } : { path, bPath: childPath(bPathOf(w), bKey) };
}

/** One trajectory's own differences; its subagents' are returned as work still to do. */
function diffTrajectory(a: JsonObject, b: JsonObject, where: Where, out: Difference[]): Work[] | void {
  const rest = (o: JsonObject) => Object.fromEntries(Object.entries(o).filter(([k]) => !STRUCTURED.includes(k))) as JsonObject;
  const [ra, rb] = [rest(a), rest(b)];
  // Root extra.observed_events (every raw event, in input order) is aligned by event, as steps are.
  const [ea, eb] = [observedEvents(ra), observedEvents(rb)];
  if (ea && eb) [ra.extra, rb.extra] = [withoutEvents(ra.extra as JsonObject), withoutEvents(rb.extra as JsonObject)];
  diffJson(ra, rb, where.path, out, bPathOf(where));
  if (ea && eb) diffEvents(ea, eb, at(at(where, 'extra'), 'observed_events'), out);
  let children: Work[] | undefined;
  for (const key of STRUCTURED) {
    const [va, vb] = [getOwn(a, key), getOwn(b, key)];
    const w = at(where, key);
    if (Array.isArray(va) && Array.isArray(vb)) {
      if (key === 'steps') diffSteps(va, vb, w, out);
      else children = diffChildren(va, vb, w, out);
    } else if (va === undefined && vb !== undefined) {
      out.push({ path: bPathOf(w), kind: 'added', b: vb });
    } else if (vb === undefined && va !== undefined) {
      out.push({ path: w.path, kind: 'removed', a: va });
    } else if (va !== undefined && vb !== undefined) {
      out.push(withB({ path: w.path, kind: 'changed', a: va, b: vb }, bPathOf(w)));
    }
  }
  return children;
}

/** `extra.observed_events` when it is an array. */
function observedEvents(t: JsonObject): Json[] | undefined {
  const extra = getOwn(t, 'extra');
  const events = isObject(extra) ? getOwn(extra, 'observed_events') : undefined;
  return Array.isArray(events) ? events : undefined;
}

function withoutEvents(extra: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'observed_events')) as JsonObject;
}

/** The raw events' differences: events matched by uuid, kind and phase (see alignEvents). */
function diffEvents(a: Json[], b: Json[], where: Where, out: Difference[]): void {
  for (const m of alignEvents(a, b)) {
    if (m.b === undefined) out.push({ path: childPath(where.path, m.a), kind: 'removed', a: a[m.a] });
    else if (m.a === undefined) out.push({ path: childPath(bPathOf(where), m.b), kind: 'added', b: b[m.b] });
    else {
      const w = at(where, m.a, m.b);
      if (m.moved) out.push({ path: w.path, b_path: bPathOf(w), kind: 'moved' });
      diffJson(a[m.a], b[m.b], w.path, out, bPathOf(w));
    }
  }
}

/** Adds `b_path` only when the value sits elsewhere in B. */
function withB(d: Difference, bPath: string): Difference {
  return bPath === d.path ? d : { ...d, b_path: bPath };
}

function diffSteps(a: Json[], b: Json[], where: Where, out: Difference[]): void {
  for (const m of alignSteps(a, b)) {
    if (m.b === undefined) out.push({ path: childPath(where.path, m.a), kind: 'removed', a: a[m.a] });
    else if (m.a === undefined) out.push({ path: childPath(bPathOf(where), m.b), kind: 'added', b: b[m.b] });
    else {
      const [sa, sb] = [a[m.a], b[m.b]];
      const w = at(where, m.a, m.b);
      const [pa, pb] = [w.path, bPathOf(w)];
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

/** The subagents' differences, as work in order: each child's, then the children only B has. */
function diffChildren(a: Json[], b: Json[], where: Where, out: Difference[]): Work[] {
  const idOf = (t: Json) => (isObject(t) && typeof t.trajectory_id === 'string' ? t.trajectory_id : undefined);
  // B's children by id, in order: a child takes the first one of its id not taken yet.
  const bById = new Map<string, number[]>();
  b.forEach((tb, k) => {
    const id = idOf(tb);
    if (id !== undefined) pushTo(bById, id, k);
  });
  const usedB = new Set<number>();
  let lastJ = -1;
  const work: Work[] = a.map((ta, i) => () => {
    const id = idOf(ta);
    let j = id === undefined ? -1 : (bById.get(id)?.shift() ?? -1);
    // Without an id, a child pairs with the child at its position when that one has no id either.
    if (id === undefined && i < b.length && !usedB.has(i) && idOf(b[i]) === undefined) j = i;
    if (j < 0) return void out.push({ path: childPath(where.path, i), kind: 'removed', a: ta });
    usedB.add(j);
    const w = at(where, i, j);
    if (j < lastJ) out.push({ path: w.path, b_path: bPathOf(w), kind: 'moved' });
    lastJ = Math.max(lastJ, j);
    const tb = b[j];
    if (isObject(ta) && isObject(tb)) return [() => diffTrajectory(ta, tb, w, out)];
    diffJson(ta, tb, w.path, out, bPathOf(w));
  });
  work.push(() => b.forEach((tb, j) => usedB.has(j) || out.push({ path: childPath(bPathOf(where), j), kind: 'added', b: tb })));
  return work;
}
