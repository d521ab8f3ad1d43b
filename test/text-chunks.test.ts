import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { joinInChunks } from '../src/util/text-chunks.js';

describe('joinInChunks', () => {
  it('keeps the text, never cuts a piece, and keeps each chunk within the limit unless one piece is longer', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), (pieces, max) => {
        const chunks = joinInChunks(pieces, max);
        assert.equal(chunks.join(''), pieces.join(''));
        assert.ok(chunks.length >= 1);
        // Each chunk is whole pieces: the pieces, in order, regroup into exactly the chunks.
        let at = 0;
        for (const chunk of chunks) {
          let built = '';
          while (at < pieces.length && built.length + pieces[at].length <= chunk.length && chunk.startsWith(built + pieces[at])) built += pieces[at++];
          assert.equal(built, chunk);
          assert.ok(chunk.length <= max || pieces.some((p) => p === chunk), `chunk of ${chunk.length} over ${max}`);
        }
      }),
    );
  });

  it('gives one empty chunk for no text, so a part always has a chunk', () => {
    assert.deepEqual(joinInChunks([]), ['']);
  });
});
