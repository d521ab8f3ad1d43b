/**
 * LLM hint matching (relay-cli.md §2.6.2): the unique best positive score among the pending hints.
 * A long list is filed by the ids that can make a hint score (llm-hint-index.ts) and only those hints
 * are scored; it must choose exactly as scoring every hint does, whatever was appended in place,
 * consumed, aged out or replaced before, and whether the list was filed or not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { matchingPendingHintIndex, moveHintFile } from '../src/gateway/llm-hint-index.js';
import { hintMatchScore, type HintMatchTarget, type LlmHint } from '../src/gateway/llm-hints.js';

/** The rule as written: score every hint, the best positive score must be alone. */
function oracle(hints: readonly { hint: LlmHint }[], target: HintMatchTarget): number | undefined {
  const scores = hints.map((p) => hintMatchScore(p.hint, target));
  const best = Math.max(0, ...scores);
  const top = scores.flatMap((s, i) => (s === best && s > 0 ? [i] : []));
  return top.length === 1 ? top[0] : undefined;
}

// Mostly absent, else one of a few values ('' included): unique best scores and ties both occur.
const id = (prefix: string) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom('', ...[1, 2, 3, 4, 5, 6].map((n) => `${prefix}${n}`)) });
const hint: fc.Arbitrary<LlmHint> = fc.record(
  { eventName: fc.constant('pre_llm_call'), subagentId: id('w'), agentId: id('w'), conversationId: id('c'), generationId: id('g'), requestId: id('r'), model: id('m') },
  { requiredKeys: ['eventName'] },
);
const target: fc.Arbitrary<HintMatchTarget> = fc.record(
  { subagentId: id('w'), conversationId: id('c'), generationId: id('g'), requestId: id('r'), modelName: id('m') },
  { requiredKeys: [] },
);
// Mostly bare or model-only hints (those pile up, tied), some with ids.
const pileHint = fc.oneof({ weight: 3, arbitrary: fc.record({ eventName: fc.constant('stop'), model: id('m') }, { requiredKeys: ['eventName'] }) }, { weight: 2, arbitrary: hint });

type Op =
  | { op: 'push'; hints: LlmHint[] }
  | { op: 'match'; target: HintMatchTarget }
  | { op: 'consume'; target: HintMatchTarget }
  | { op: 'expire'; keep: boolean[] }
  | { op: 'copy' }
  | { op: 'reverse' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('push' as const), hints: fc.array(pileHint, { maxLength: 12, size: 'max' }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('match' as const), target }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('consume' as const), target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const), keep: fc.array(fc.integer({ min: 0, max: 4 }).map((n) => n > 0), { minLength: 80, maxLength: 80 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('copy' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reverse' as const) }) },
);

test('the filed hint list consumes the hint that scoring every hint picks, across appends, consumptions, expiries and copies', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80, size: 'max' }), (ops) => {
      let list: { hint: LlmHint }[] = [];
      for (const o of ops) {
        if (o.op === 'push') for (const h of o.hints) list.push({ hint: h }); // in place, as the session appends
        else if (o.op === 'match' || o.op === 'consume') {
          const got = matchingPendingHintIndex(list, o.target);
          assert.equal(got, oracle(list, o.target));
          if (o.op === 'consume' && got !== undefined) {
            const next = list.filter((_, i) => i !== got);
            moveHintFile(list, next, list[got]); // as owner resolution hands over a consumed hint's list
            list = next;
          }
        } else if (o.op === 'expire') {
          const next = list.filter((_, i) => o.keep[i % o.keep.length]);
          moveHintFile(list, next);
          list = next;
        } else if (o.op === 'copy') {
          list = [...list]; // a new array without a handed-over file
        } else {
          const next = [...list].reverse(); // not a subsequence: its file must be made anew
          moveHintFile(list, next);
          list = next;
        }
      }
    }),
    { numRuns: 400 },
  );
});

test('long tied piles: bare hints, model-only hints, one hint of the model among them', () => {
  const bare = Array.from({ length: 40 }, () => ({ hint: { eventName: 'stop' } as LlmHint }));
  assert.equal(matchingPendingHintIndex(bare, { modelName: 'm' }), undefined);
  const models = [...bare, { hint: { eventName: 'stop', model: 'm' } }];
  assert.equal(matchingPendingHintIndex(models, { modelName: 'm' }), 40);
  models.push({ hint: { eventName: 'stop', model: 'm' } });
  assert.equal(matchingPendingHintIndex(models, { modelName: 'm' }), undefined);
  models.push({ hint: { eventName: 'stop', model: 'm', requestId: 'r' } });
  assert.equal(matchingPendingHintIndex(models, { modelName: 'm', requestId: 'r' }), 42);
});
