/**
 * Tool hint matching (relay-cli.md §3.8): every pending hint is scored against a tool hook and the
 * unique best positive score wins. The list files its hints by id and by name with printed arguments
 * and scores only those that can score; it must choose exactly as scoring every hint with
 * toolHintScore does, whatever was added, taken, aged out or dropped before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ResponseToolHint } from '../src/gateway/response-tool-hints.js';
import type { Nanos } from '../src/ingest/time.js';
import { ToolHintList, toolHintScore, type PendingToolHint, type ToolHookKey } from '../src/sessions/tool-hint-list.js';

/** The rule as written: score all, keep the positive ones, the best must be alone. */
function oracle(hints: readonly PendingToolHint[], event: ToolHookKey): PendingToolHint | undefined {
  const scored = hints.map((p) => ({ p, score: toolHintScore(p.hint, event) })).filter((s) => s.score > 0);
  if (scored.length === 0) return undefined;
  const best = Math.max(...scored.map((s) => s.score));
  const top = scored.filter((s) => s.score === best);
  return top.length === 1 ? top[0].p : undefined;
}

const id = fc.constantFrom(undefined, 'call_1', 'call_2');
const name = fc.constantFrom(undefined, 'read', 'grep');
const args = fc.constantFrom(null, { path: 'a' }, { path: 'b' }, { path: 'a', n: 1 }, { n: 1, path: 'a' }, [1, 2], 'text');
const hint = fc.record({ toolCallId: id, toolName: name, arguments: args, subagentId: fc.constantFrom(undefined, 'sub-1', 'sub-2'), source: fc.constant('openai_chat_tool_call' as const) });
// A hook always has a name; its id may be synthetic (then it matches no hint).
const hook = fc.record({ toolCallId: id, toolName: name, arguments: args }).map((e) => ({ toolCallId: e.toolCallId ?? 'synthetic', toolName: e.toolName ?? 'read', arguments: e.arguments }));

const pending = (h: ResponseToolHint, n: number): PendingToolHint => ({ hint: h, insertedAtNs: BigInt(n) as Nanos });

test('the list chooses as scoring every hint does: same hint, same ties', () => {
  fc.assert(
    fc.property(fc.array(hint, { maxLength: 8 }), hook, (hints, event) => {
      const list = new ToolHintList();
      hints.forEach((h, i) => list.push(pending(h, i)));
      assert.equal(list.match(event), oracle(list.items, event));
    }),
    { numRuns: 5000 },
  );
});

test('after any sequence of adds, matches taken, subagents dropped and lists handed back, the list still chooses as scoring every hint does', () => {
  const step = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('push' as const), hint }) },
    // A tool hook: its match (if any) is taken, as resolveToolOwner does.
    { weight: 4, arbitrary: fc.record({ op: fc.constant('hook' as const), event: hook }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('dropSubagent' as const), subagentId: fc.constantFrom('sub-1', 'sub-2') }) },
    // Owner resolution hands back the hints younger than some age (a new list), or the same list.
    { weight: 1, arbitrary: fc.record({ op: fc.constant('ageOut' as const), before: fc.nat(30) }) },
    { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const list = new ToolHintList();
      let expected: PendingToolHint[] = [];
      let n = 0;
      for (const s of steps) {
        switch (s.op) {
          case 'push': {
            const p = pending(s.hint, n++);
            list.push(p);
            expected.push(p);
            break;
          }
          case 'hook': {
            const want = oracle(expected, s.event);
            assert.equal(list.match(s.event), want);
            if (want) {
              list.take(want);
              expected = expected.filter((p) => p !== want);
            }
            break;
          }
          case 'dropSubagent':
            list.retain((p) => p.hint.subagentId !== s.subagentId);
            expected = expected.filter((p) => p.hint.subagentId !== s.subagentId);
            break;
          case 'ageOut': {
            const young = list.items.filter((p) => p.insertedAtNs >= BigInt(s.before));
            list.replaceWith(young.length === list.items.length ? list.items : young);
            expected = expected.filter((p) => p.insertedAtNs >= BigInt(s.before));
            break;
          }
          case 'clear':
            list.clear();
            expected = [];
            break;
        }
        assert.deepEqual(list.items, expected);
        assert.equal(list.length, expected.length);
      }
    }),
    { numRuns: 3000 },
  );
});

test('arguments count as printed canonically: key order does not matter', () => {
  const list = new ToolHintList();
  const first = pending({ toolName: 'read', arguments: { n: 1, path: 'a' }, source: 'openai_chat_tool_call' }, 0);
  list.push(first);
  list.push(pending({ toolName: 'read', arguments: { path: 'b' }, source: 'openai_chat_tool_call' }, 1));
  assert.equal(list.match({ toolCallId: 'x', toolName: 'read', arguments: { path: 'a', n: 1 } }), first);
  assert.equal(list.match({ toolCallId: 'x', toolName: 'read', arguments: { path: 'c' } }), undefined);
});

test('a hint with the hook’s id wins over any number of hints with its name and arguments; two with the id tie unless one scores more', () => {
  const list = new ToolHintList();
  const byName = Array.from({ length: 3 }, (_, i) => pending({ toolName: 'read', arguments: { path: 'a' }, source: 'openai_chat_tool_call' }, i));
  for (const p of byName) list.push(p);
  // Three hints with the hook's name and arguments: 5 each, a tie.
  assert.equal(list.match({ toolCallId: 'call_9', toolName: 'read', arguments: { path: 'a' } }), undefined);
  const withId = pending({ toolCallId: 'call_9', toolName: 'grep', arguments: null, source: 'openai_chat_tool_call' }, 3);
  list.push(withId);
  assert.equal(list.match({ toolCallId: 'call_9', toolName: 'read', arguments: { path: 'a' } }), withId);
  // A second hint with the id and the hook's name scores 16 against 12: it wins; a third like it ties with it.
  const better = pending({ toolCallId: 'call_9', toolName: 'read', arguments: { path: 'z' }, source: 'openai_chat_tool_call' }, 4);
  list.push(better);
  assert.equal(list.match({ toolCallId: 'call_9', toolName: 'read', arguments: { path: 'a' } }), better);
  list.push(pending({ toolCallId: 'call_9', toolName: 'read', arguments: { path: 'y' }, source: 'openai_chat_tool_call' }, 5));
  assert.equal(list.match({ toolCallId: 'call_9', toolName: 'read', arguments: { path: 'a' } }), undefined);
});
