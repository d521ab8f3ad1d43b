import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveFixes } from '../src/profiles/fixes.js';
import { convertEvents } from '../src/pipeline/stream.js';
import { canonicalJson } from '../src/json/stringify.js';
import { parseJson } from '../src/json/parse.js';
import type { Json } from '../src/json/value.js';
import { conformanceCases, hasShared, jsonDiff, readJsonFile } from './support/shared.js';
import { readNdjsonEvents } from './support/events.js';

// The reference exporter's real outputs (NeMo-Relay 40bd7a03c) for 125 inputs: the relay-0.3 profile
// must reproduce every one. Run in-process; the CLI path is covered by the end-to-end tests.
const cases = conformanceCases();

test('the conformance data is present', { skip: hasShared ? false : '../shared/conformance is not beside this checkout' }, () => {
  assert.equal(cases.length, 125);
});

for (const c of cases) {
  test(`relay-0.3 reproduces the reference: ${c.name}`, () => {
    const events = readNdjsonEvents(join(c.dir, 'input.ndjson'));
    const agent = { name: c.options.agent_name, version: c.options.agent_version, ...(c.options.model_name ? { model_name: c.options.model_name } : {}) };
    const [out] = convertEvents(events, { sessionId: c.options.session_id, agent, fixes: resolveFixes('relay-0.3'), observedEvents: false, dedupe: true }).trajectories;
    assert.ok(out.trajectory, 'relay-0.3 always writes a trajectory');
    const ours = parseJson(canonicalJson(out.trajectory as unknown as Json));
    const diff = jsonDiff(ours, readJsonFile(join(c.dir, 'reference.json')));
    assert.equal(diff, undefined, diff);
  });
}
