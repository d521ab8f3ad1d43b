import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { documentEnd } from '../src/ingest/document-end.js';

/** Every character read in turn, an escape inside a string taking the next one with it: the scan as JSON.parse reads strings. */
function oracle(text: string, depth: number): { depth: number; end?: number } {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0 && text.slice(i + 1).trim() !== '') return { depth, end: i + 1 };
    }
  }
  return { depth };
}

test('documentEnd counts brackets outside strings and finds where a document closes inside a line', () => {
  const piece = fc.constantFrom('"', '\\', '{', '}', '[', ']', 'a', ' ', ':', ',', '\\"', '"x"');
  const line = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(line, fc.integer({ min: 0, max: 3 }), (text, depth) => assert.deepEqual(documentEnd(text, depth), oracle(text, depth), JSON.stringify([text, depth]))),
    { numRuns: 30000 },
  );
});

test('documentEnd on the lines of a pretty-printed document: open until its last bracket, then the rest of the line is left over', () => {
  const lines = ['{', '  "log": {', '    "entries": [{"text": "{\\"a\\":[1,2]}", "q": "a \\\\"}]', '  }', '} {"next": true}'];
  const depths: number[] = [];
  let depth = 0;
  let end: number | undefined;
  for (const l of lines) {
    const scan = documentEnd(l, depth);
    depth = scan.depth;
    depths.push(depth);
    end = scan.end;
  }
  // Brackets in strings (an escaped body, a string ending in an escaped backslash) do not count.
  assert.deepEqual(depths, [1, 2, 2, 1, 0]);
  assert.equal(end, 1);
  // Blank text after the closing bracket is no rest: the document simply ends with the line.
  assert.deepEqual(documentEnd('}  \t', 1), { depth: 0 });
  // A string left open runs to the end of the line: nothing after its quote counts.
  assert.deepEqual(documentEnd('"abc } ]', 2), { depth: 2 });
});
