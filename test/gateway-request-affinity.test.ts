import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { learnRequestAffinity, requestAffinityKey } from '../src/gateway/request-affinity.js';

const TASK = 'Refactor the parser module and add tests for it';

describe('request affinity key (§2.6.3)', () => {
  it('takes the last user message with text, scanning blocks last to first and skipping tool results', () => {
    const key = requestAffinityKey({
      messages: [
        { role: 'user', content: 'An older user message that is long enough' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: TASK }, { type: 'tool_result', text: 'ignored tool output here!!' }, { type: 'image' }] },
      ],
    });
    assert.equal(key, TASK);
  });

  it('falls back to an earlier user message when the latest yields no text, but not when its text is short', () => {
    assert.equal(requestAffinityKey({ messages: [{ role: 'user', content: TASK }, { role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] }), TASK);
    assert.equal(requestAffinityKey({ messages: [{ role: 'user', content: TASK }, { role: 'user', content: 'short' }] }), undefined);
  });

  it('reads Responses input (string or user items with input_text) and then prompt', () => {
    assert.equal(requestAffinityKey({ input: TASK }), TASK);
    assert.equal(requestAffinityKey({ input: [{ role: 'user', content: [{ type: 'input_text', text: TASK }] }] }), TASK);
    assert.equal(requestAffinityKey({ messages: [], prompt: TASK }), TASK);
  });

  it('normalizes whitespace, rejects JSON-looking text and cuts at 4096 characters', () => {
    assert.equal(requestAffinityKey({ input: '  Refactor\tthe\u3000parser\n\nmodule and add tests  ' }), 'Refactor the parser module and add tests');
    assert.equal(requestAffinityKey({ input: '{"task": "Refactor the parser module and add tests"}' }), undefined);
    assert.equal(requestAffinityKey({ input: '[not json but long enough to be a key]' }), '[not json but long enough to be a key]');
    const long = 'é'.repeat(5000);
    assert.equal([...(requestAffinityKey({ input: long }) ?? '')].length, 4096);
    assert.equal(requestAffinityKey({ input: '😀'.repeat(24) }), '😀'.repeat(24), '24 scalar values, though 48 UTF-16 units');
    assert.equal(requestAffinityKey({ input: '😀'.repeat(23) }), undefined);
  });

  it('counts and cuts by Unicode scalar values as the string iterator does: pairs, lone surrogates, a pair at the cut', () => {
    // The key as the spec reads: every character spread out, at least 24, cut at 4096.
    const specKey = (text: string) => {
      const chars = [...text];
      return chars.length < 24 ? undefined : chars.slice(0, 4096).join('');
    };
    const units = fc.oneof(
      fc.constantFrom(0xd83d, 0xde00, 0xdbff, 0xdc00, 0x61, 0xe9), // high and low surrogates, alone or paired by chance
      fc.integer({ min: 0x21, max: 0xffff }),
    );
    // No whitespace (so normalizing changes nothing) and a letter first (so the text cannot look like JSON).
    const text = fc.array(units, { maxLength: 4200 }).map((us) => 'A' + String.fromCharCode(...us).replace(/[\s\u0085]/g, 'b'));
    fc.assert(fc.property(text, (t) => assert.equal(requestAffinityKey({ input: t }), specKey(t))), { numRuns: 300 });
    // A surrogate pair straddling the 4096th character is kept whole.
    const straddling = 'A'.repeat(4095) + '😀' + 'tail';
    assert.equal(requestAffinityKey({ input: straddling }), 'A'.repeat(4095) + '😀');
  });

  it('learns from confident statuses only, in place, and marks a key claimed by two owners ambiguous', () => {
    const content = { input: TASK };
    const map = new Map<string, string | null>();
    learnRequestAffinity(map, content, 'w1', 'sticky_last_owner');
    learnRequestAffinity(map, content, undefined, 'explicit');
    learnRequestAffinity(map, { input: 'short' }, 'w1', 'explicit');
    assert.equal(map.size, 0);
    learnRequestAffinity(map, content, 'w1', 'explicit');
    assert.deepEqual([...map], [[TASK, 'w1']]);
    learnRequestAffinity(map, content, 'w1', 'matched_hint');
    assert.deepEqual([...map], [[TASK, 'w1']]);
    learnRequestAffinity(map, content, 'w2', 'single_hint');
    assert.deepEqual([...map], [[TASK, null]]);
    learnRequestAffinity(map, content, 'w1', 'explicit');
    assert.deepEqual([...map], [[TASK, null]], 'an ambiguous key stays ambiguous');
  });
});
