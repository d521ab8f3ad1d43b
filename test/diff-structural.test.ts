import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignSteps } from '../src/diff/align.js';
import { childPath, diffJson, type Difference } from '../src/diff/json-diff.js';
import { diffTrajectories } from '../src/diff/trajectory-diff.js';
import { parseJson } from '../src/json/parse.js';
import type { Json, JsonObject } from '../src/json/value.js';

const user = (id: number, fid?: string, message = `q${id}`) => ({ step_id: id, source: 'user', message, ...(fid ? { extra: { ancestry: { function_id: fid, function_name: 'llm' } } } : {}) });
const agent = (id: number, fid?: string, message = `a${id}`) => ({ ...user(id, fid, message), source: 'agent' });
const traj = (steps: object[], extra: object = {}): JsonObject =>
  ({ schema_version: 'ATIF-v1.7', session_id: 's', trajectory_id: 's', agent: { name: 'x', version: '1' }, steps, final_metrics: { total_steps: steps.length }, ...extra }) as unknown as JsonObject;
const renumber = (steps: Array<{ step_id: number }>) => steps.map((s, i) => ({ ...s, step_id: i + 1 }));
const summary = (ds: Difference[]) => ds.map((d) => `${d.kind} ${d.path}${d.b_path ? ` ${d.b_path}` : ''}`);

describe('diffJson', () => {
  it('ignores key order and the spelling of a number, not whether it is an integer literal; compares big integers exactly', () => {
    const out: Difference[] = [];
    diffJson(parseJson('{"a":1.0,"b":[1.50,2],"c":-0,"n":9007199254740993}'), parseJson('{"n":9007199254740993,"b":[1.5,2],"a":1e0,"c":0}'), '$', out);
    assert.deepEqual(out, []);
    diffJson(parseJson('{"prompt_tokens":5,"b":[1.0]}'), parseJson('{"prompt_tokens":5.0,"b":[1]}'), '$', out);
    assert.deepEqual(summary(out), ['changed $.b[0]', 'changed $.prompt_tokens'], 'validate rejects 5.0 as a token count: a diff must show it');
    out.length = 0;
    diffJson(parseJson('{"big":1e400,"same":1E400}'), parseJson('{"big":1e401,"same":1e400}'), '$', out);
    assert.deepEqual(summary(out), ['changed $.big'], 'beyond a double, the text is the value');
    out.length = 0;
    diffJson(parseJson('{"n":9007199254740993}'), parseJson('{"n":9007199254740992}'), '$', out);
    assert.deepEqual(summary(out), ['changed $.n']);
  });

  it('reports added, removed and changed values by JSON path', () => {
    const out: Difference[] = [];
    diffJson({ a: 1, gone: true, list: [1, 2], 'odd key': 'x' } as Json, { a: 2, list: [1], 'odd key': 'y', added: null } as Json, '$', out);
    assert.deepEqual(summary(out), ['changed $.a', 'added $.added', 'removed $.gone', 'removed $.list[1]', 'changed $["odd key"]']);
    assert.equal(childPath('$', 'a-b'), '$["a-b"]');
  });
});

describe('alignSteps', () => {
  it('matches by function_id and source, then steps without one by position between anchors', () => {
    const a = [user(1, 'X'), agent(2, 'X'), agent(3), user(4, 'Y')] as unknown as Json[];
    const b = [user(1, 'X'), user(2, 'G'), agent(3, 'X'), agent(4), user(5, 'Y')] as unknown as Json[];
    assert.deepEqual(alignSteps(a, b), [{ a: 0, b: 0 }, { b: 1 }, { a: 1, b: 2 }, { a: 2, b: 3 }, { a: 3, b: 4 }]);
  });
});

describe('diffTrajectories', () => {
  it('equal trajectories have no differences', () => {
    const t = traj([user(1, 'X'), agent(2, 'X')]);
    assert.deepEqual(diffTrajectories(t, structuredClone(t)), []);
  });

  it('one removed step is one difference, not a cascade of renumbered steps', () => {
    const steps = [user(1, 'X'), agent(2, 'X'), user(3, 'Y'), agent(4, 'Y')];
    const a = traj(steps);
    const b = traj(renumber([steps[0], steps[1], steps[3]]), { final_metrics: { total_steps: 4 } });
    assert.deepEqual(summary(diffTrajectories(a, b)), ['removed $.steps[2]']);
  });

  it('root extra.observed_events: an event inserted is one difference, not every later event changed into its neighbour', () => {
    // convert writes every raw event there; a mark added between two calls shifted all later indexes,
    // and each was reported as changed (uuid, name, timestamp …) into the event after it.
    const event = (uuid: string, phase: string | null, name: string, data: object = {}) => ({ kind: phase ? 'scope' : 'mark', uuid, ...(phase ? { scope_category: phase } : {}), name, data });
    const events = [event('a', 'start', 'c1'), event('a', 'end', 'c1'), event('b', 'start', 'c2'), event('b', 'end', 'c2', { n: 1 })];
    const a = traj([user(1, 'a')], { extra: { observed_events: events, other: 1 } });
    const inserted = [...events.slice(0, 2), event('m', null, 'note'), ...events.slice(2)];
    inserted[4] = event('b', 'end', 'c2', { n: 2 });
    const b = traj([user(1, 'a')], { extra: { observed_events: inserted, other: 2 } });
    assert.deepEqual(summary(diffTrajectories(a, b)), ['changed $.extra.other', 'added $.extra.observed_events[2]', 'changed $.extra.observed_events[3].data.n $.extra.observed_events[4].data.n']);
    assert.deepEqual(diffTrajectories(a, structuredClone(a)), []);
  });

  it('a changed step is reported at both paths when alignment shifted it', () => {
    const a = traj([user(1, 'X'), agent(2, 'X', 'old')], { final_metrics: { total_steps: 3 } });
    const b = traj(renumber([user(1, 'X'), user(0, 'G'), agent(2, 'X', 'new')]));
    const d = diffTrajectories(a, b);
    assert.deepEqual(summary(d), ['added $.steps[1]', 'changed $.steps[1].message $.steps[2].message']);
    assert.deepEqual([d[1].a, d[1].b], ['old', 'new']);
  });

  it('a step_id that disagrees with its position is a difference', () => {
    const a = traj([user(1, 'X'), agent(2, 'X')]);
    const b = traj([user(1, 'X'), agent(3, 'X', 'a2')]);
    assert.deepEqual(summary(diffTrajectories(a, b)), ['changed $.steps[1].step_id']);
  });

  it('a step removed without renumbering the rest: the removal, not "4 → 4" for each id left as it was', () => {
    const a = traj([user(1, 'X'), agent(2, 'X'), user(3, 'Y'), agent(4, 'Y')]);
    const b = traj([user(1, 'X'), user(3, 'Y'), agent(4, 'Y')]);
    assert.deepEqual(summary(diffTrajectories(a, b)), ['changed $.final_metrics.total_steps', 'removed $.steps[1]']);
  });

  it('reordered steps are reported as moved even when renumbered', () => {
    const a = traj([user(1, 'X'), user(2, 'Y')]);
    const b = traj(renumber([user(2, 'Y'), user(1, 'X')]));
    const d = diffTrajectories(a, b);
    assert.ok(d.some((x) => x.kind === 'moved'), JSON.stringify(d));
  });

  it('of three steps reversed, the outer two moved, not the middle one, which kept its index', () => {
    const a = traj([user(1, 'X'), user(2, 'Y'), user(3, 'Z')]);
    const b = traj(renumber([user(3, 'Z'), user(2, 'Y'), user(1, 'X')]));
    // It said the middle step moved ("$.steps[1] ↔ $.steps[1]"), and so did the first.
    assert.deepEqual(
      summary(diffTrajectories(a, b)).filter((d) => d.startsWith('moved')),
      ['moved $.steps[0] $.steps[2]', 'moved $.steps[2] $.steps[0]'],
    );
  });

  it('every order of five keyed steps: as few moved as can be, then as many as can be left unmoved at their own index', () => {
    const keys = ['A', 'B', 'C', 'D', 'E'];
    const orders = (rest: string[]): string[][] => (rest.length === 0 ? [[]] : rest.flatMap((k) => orders(rest.filter((x) => x !== k)).map((o) => [k, ...o])));
    for (const order of orders(keys)) {
      const positions = keys.map((k) => order.indexOf(k));
      // By brute force: the longest runs in both orders, and the most steps at their own index one of them keeps.
      let longest = 0;
      let keptMost = 0;
      for (let set = 0; set < 1 << keys.length; set++) {
        const chosen = keys.map((_, i) => i).filter((i) => set & (1 << i));
        if (chosen.some((i, n) => n > 0 && positions[chosen[n - 1]] > positions[i])) continue;
        const kept = chosen.filter((i) => positions[i] === i).length;
        if (chosen.length > longest) [longest, keptMost] = [chosen.length, kept];
        else if (chosen.length === longest) keptMost = Math.max(keptMost, kept);
      }
      const aligned = alignSteps(keys.map((k) => user(1, k)) as unknown as Json[], order.map((k) => user(1, k)) as unknown as Json[]);
      const anchors = aligned.filter((m) => m.a !== undefined && m.b !== undefined && !('moved' in m && m.moved));
      assert.equal(anchors.length, longest, order.join(''));
      assert.equal(anchors.filter((m) => m.a === m.b).length, keptMost, order.join(''));
    }
  });

  it('steps without ancestry are compared by position', () => {
    const a = traj([user(1, undefined, 'same'), agent(2, undefined, 'before')]);
    const b = traj([user(1, undefined, 'same'), agent(2, undefined, 'after')]);
    assert.deepEqual(summary(diffTrajectories(a, b)), ['changed $.steps[1].message']);
  });

  it('subagent trajectories are matched by trajectory_id', () => {
    const child = (id: string, message: string) => ({ ...traj([user(1, undefined, message)]), trajectory_id: id });
    const a = traj([], { subagent_trajectories: [child('c1', 'x'), child('c2', 'y')] });
    const b = traj([], { subagent_trajectories: [child('c2', 'y'), child('c1', 'z')] });
    assert.deepEqual(summary(diffTrajectories(a, b)), ['changed $.subagent_trajectories[0].steps[0].message $.subagent_trajectories[1].steps[0].message', 'moved $.subagent_trajectories[1] $.subagent_trajectories[0]']);
  });

  it('a repeated trajectory_id pairs in order; children without one pair by position', () => {
    const child = (id: string | undefined, message: string) => {
      const { trajectory_id: _, ...rest } = traj([user(1, undefined, message)]);
      return id === undefined ? rest : { ...rest, trajectory_id: id };
    };
    const a = traj([], { subagent_trajectories: [child('c', 'first'), child(undefined, 'p'), child('c', 'second'), child('d', 'gone')] });
    const b = traj([], { subagent_trajectories: [child('c', 'first'), child(undefined, 'q'), child('e', 'new'), child('c', 'second!')] });
    assert.deepEqual(summary(diffTrajectories(a, b)), [
      'changed $.subagent_trajectories[1].steps[0].message',
      'changed $.subagent_trajectories[2].steps[0].message $.subagent_trajectories[3].steps[0].message',
      'removed $.subagent_trajectories[3]',
      'added $.subagent_trajectories[2]',
    ]);
  });

  it('a list present on one side only is a difference even when empty', () => {
    const a = traj([], { subagent_trajectories: [] });
    const b = traj([]);
    assert.deepEqual(summary(diffTrajectories(a, b)), ['removed $.subagent_trajectories']);
  });
});

describe('the dedupe diff of one very large trajectory', () => {
  it('prints 200,000 removed steps (their table once overflowed the call stack, passed as arguments)', async () => {
    const { renderDedupeDiffTrajectory } = await import('../src/diff/render.js');
    const { stylesOfLevel } = await import('../src/explain/palette.js');
    const n = 200_000;
    const removed = Array.from({ length: n }, (_, i) => ({
      trajectory_id: 't',
      step_id: i + 2,
      path: `steps.${i + 1}`,
      source: 'agent',
      span: `span-${i}`,
      span_name: 'openrouter',
      decisions: [{ rule: 'MERGED_SAME_PAYLOAD', kept: `kept-${i}`, kept_name: 'openai.chat_completions', survivors: [{ span: `kept-${i}`, name: 'openai.chat_completions' }] }],
    }));
    const text = renderDedupeDiffTrajectory({ session_id: 't', removed_steps: removed, moved_metrics: [], final_metrics: [], other_differences: [] }, 'default', stylesOfLevel(0));
    const lines = text.split('\n');
    assert.match(lines[0], /200000 step\(s\) removed/);
    assert.equal(lines.filter((l) => l.includes('MERGED_SAME_PAYLOAD')).length, n);
  });
});
