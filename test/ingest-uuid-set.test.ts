import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { UuidSet } from '../src/ingest/uuid-set.js';

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const canonical = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
// Upper case, braces, other lengths, near-misses of the canonical form: kept as text.
const other = fc.oneof(
  canonical.map((u) => u.toUpperCase()),
  canonical.map((u) => `{${u}}`),
  canonical.map((u) => u.replace(/-/g, '')),
  canonical.map((u) => `${u.slice(0, 8)}_${u.slice(9)}`),
  canonical.map((u) => `${u.slice(0, 35)}g`),
  fc.string({ maxLength: 40 }),
);

test('UuidSet agrees with Set<string> on canonical uuids and on any other string, across growth', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(canonical, canonical, other), { maxLength: 3000 }), fc.array(fc.oneof(canonical, other), { maxLength: 200 }), (added, probes) => {
      const set = new UuidSet();
      const reference = new Set<string>();
      for (const u of added) {
        set.add(u);
        reference.add(u);
      }
      assert.equal(set.size, reference.size);
      for (const u of [...added, ...probes]) assert.equal(set.has(u), reference.has(u), u);
    }),
    { numRuns: 60 },
  );
});

test('UuidSet: the nil uuid and uuids differing in one bit are told apart; a spelling other than the canonical one is another string', () => {
  const set = new UuidSet();
  const nil = '00000000-0000-0000-0000-000000000000';
  assert.equal(set.has(nil), false);
  set.add(nil);
  assert.equal(set.has(nil), true);
  // Differing in the last nibble of each 32-bit word, after 20,000 neighbours that make the table grow.
  const neighbour = (i: number) => `0198a000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
  for (let i = 1; i <= 20_000; i++) set.add(neighbour(i));
  for (let i = 1; i <= 20_000; i++) assert.equal(set.has(neighbour(i)), true, neighbour(i));
  for (const u of ['00000001-0000-0000-0000-000000000000', '00000000-0001-0000-0000-000000000000', '00000000-0000-0000-0001-000000000000', '00000000-0000-0000-0000-000000000001']) assert.equal(set.has(u), false, u);
  assert.equal(set.has('0198a000-0000-7000-8000-000000004e20'), true);
  assert.equal(set.has('0198a000-0000-7000-8000-000000004e21'), false);
  assert.equal(set.has('0198A000-0000-7000-8000-000000004E20'), false);
  assert.equal(set.size, 20_001);
});

test('UuidSet: the bits added with a uuid are or-ed together and survive the table growing (canonical and other spellings)', () => {
  const set = new UuidSet();
  const id = (i: number) => `0198b000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
  set.add(id(0), 2);
  set.add(id(0), 4);
  set.add('not-a-uuid', 1);
  set.add('not-a-uuid');
  // Enough neighbours to grow the table several times.
  for (let i = 1; i <= 5000; i++) set.add(id(i), i % 8);
  assert.equal(set.marksOf(id(0)), 6);
  assert.equal(set.marksOf('not-a-uuid'), 1);
  for (let i = 1; i <= 5000; i++) assert.equal(set.marksOf(id(i)), i % 8, id(i));
  assert.equal(set.marksOf(id(5001)), 0, 'absent: no bits');
  assert.equal(set.has(id(8)), true, 'added without bits, still there');
});
