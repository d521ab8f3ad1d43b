/**
 * Tool hint matching (relay-cli.md §3.8): every pending hint is scored against a tool hook and the
 * unique best positive score wins. The matcher prints the hook's arguments once and a hint's only when
 * they can count; it must choose exactly as scoring every hint with toolHintScore does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ResponseToolHint } from '../src/gateway/response-tool-hints.js';
import { matchingToolHintIndex, toolHintScore } from '../src/sessions/session-tools.js';

/** The rule as written: score all, keep the positive ones, the best must be alone. */
function oracle(hints: readonly ResponseToolHint[], event: Parameters<typeof toolHintScore>[1]): number | undefined {
  const scored = hints.map((hint, index) => ({ index, score: toolHintScore(hint, event) })).filter((s) => s.score > 0);
  if (scored.length === 0) return undefined;
  const best = Math.max(...scored.map((s) => s.score));
  const top = scored.filter((s) => s.score === best);
  return top.length === 1 ? top[0].index : undefined;
}

const id = fc.constantFrom(undefined, 'call_1', 'call_2');
const name = fc.constantFrom(undefined, 'read', 'grep');
const args = fc.constantFrom(null, { path: 'a' }, { path: 'b' }, { path: 'a', n: 1 }, { n: 1, path: 'a' }, [1, 2], 'text');
const hint = fc.record({ toolCallId: id, toolName: name, arguments: args, source: fc.constant('openai_chat_tool_call' as const) });

test('the matcher chooses as scoring every hint does: same hint, same ties', () => {
  fc.assert(
    fc.property(fc.array(hint, { maxLength: 8 }), id, name, args, (hints, toolCallId, toolName, argumentsValue) => {
      // A hook always has a name; its id may be synthetic (then it matches no hint).
      const event = { toolCallId: toolCallId ?? 'synthetic', toolName: toolName ?? 'read', arguments: argumentsValue };
      assert.equal(matchingToolHintIndex(hints, event), oracle(hints, event));
      // Scored again (the hints' printed arguments are remembered): the same choice.
      assert.equal(matchingToolHintIndex(hints, event), oracle(hints, event));
    }),
    { numRuns: 5000 },
  );
});

test('arguments count as printed canonically: key order does not matter', () => {
  const hints: ResponseToolHint[] = [
    { toolName: 'read', arguments: { n: 1, path: 'a' }, source: 'openai_chat_tool_call' },
    { toolName: 'read', arguments: { path: 'b' }, source: 'openai_chat_tool_call' },
  ];
  assert.equal(matchingToolHintIndex(hints, { toolCallId: 'x', toolName: 'read', arguments: { path: 'a', n: 1 } }), 0);
  assert.equal(matchingToolHintIndex(hints, { toolCallId: 'x', toolName: 'read', arguments: { path: 'c' } }), undefined);
});
