import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../src/json/parse.js';
import { atifJsonSchema, validateFile, validateJson, validateTrajectory, type Finding } from '../src/atif/validate/index.js';
import { isPythonIsoTimestamp } from '../src/atif/validate/iso-timestamp.js';

/** Edge cases of the validator that the shared corpora do not pin down. */

const minimal = (overrides: Record<string, unknown> = {}, step: Record<string, unknown> = {}) => ({
  schema_version: 'ATIF-v1.7',
  session_id: 's',
  agent: { name: 'a', version: '1' },
  steps: [{ step_id: 1, source: 'agent', message: 'hi', ...step }],
  ...overrides,
});

const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.level} ${f.rule} ${f.path}`);

describe('numbers as Python reads them', () => {
  test('an integral float such as 12.0 is not an integer', () => {
    const text = JSON.stringify(minimal({}, { metrics: { prompt_tokens: 0 } })).replace('"prompt_tokens":0', '"prompt_tokens":12.0');
    assert.deepEqual(brief(validateJson(text)), ['error type $.steps[0].metrics.prompt_tokens']);
    // ... but it is a number.
    const cost = JSON.stringify(minimal({}, { metrics: { cost_usd: 0 } })).replace('"cost_usd":0', '"cost_usd":12.0');
    assert.deepEqual(validateJson(cost), []);
  });

  test('integers beyond 2^53 are exact integers', () => {
    const text = JSON.stringify(minimal({}, { metrics: { prompt_tokens: 1, cached_tokens: 2 } }))
      .replace('"prompt_tokens":1', '"prompt_tokens":123456789012345678901234')
      .replace('"cached_tokens":2', '"cached_tokens":123456789012345678901235');
    assert.deepEqual(brief(validateJson(text)), ['warning token-accounting $.steps[0].metrics.cached_tokens']);
  });

  test('a number where an object belongs is one type error', () => {
    const doc = parseJson('{"schema_version": "ATIF-v1.7", "session_id": "s", "agent": 12.0, "steps": [{"step_id": 1, "source": "user", "message": ""}]}');
    assert.deepEqual(brief(validateTrajectory(doc)), ['error type $.agent']);
  });

  test('NaN and Infinity are reported once, as invalid-json-number', () => {
    const text = JSON.stringify(minimal({}, { metrics: { cost_usd: 0 } })).replace('"cost_usd":0', '"cost_usd":NaN').replace('"agent":{"name":"a","version":"1"}', '"agent":-Infinity');
    assert.deepEqual(brief(validateJson(text)).sort(), [
      'error invalid-json-number $.agent',
      'error invalid-json-number $.steps[0].metrics.cost_usd',
    ]);
  });
});

describe('JSON text', () => {
  test('repeated keys warn at their path, in the reference path notation', () => {
    const text = '{"schema_version": "ATIF-v1.7", "session_id": "s", "agent": {"name": "a", "version": "1", "extra": {"a b": 1, "a b": 2, "k\u00e9y": 1, "k\u00e9y": 2}}, "steps": [{"step_id": 1, "source": "user", "message": ""}]}';
    assert.deepEqual(brief(validateJson(text)), [
      'warning duplicate-key $.agent.extra["a b"]',
      'warning duplicate-key $.agent.extra["k\\u00e9y"]',
    ]);
  });

  test('what a repeated key held before is forgotten, as in Python', () => {
    const text = '{"schema_version": "ATIF-v1.7", "session_id": "s", "agent": {"name": "a", "version": "1", "extra": {"x": NaN, "x": 1}}, "steps": [{"step_id": 1, "source": "user", "message": ""}]}';
    assert.deepEqual(brief(validateJson(text)), ['warning duplicate-key $.agent.extra.x']);
  });

  test('not JSON, not UTF-8, or with a byte-order mark: invalid-json', () => {
    const valid = JSON.stringify(minimal());
    assert.deepEqual(brief(validateJson(valid.slice(0, -3))), ['error invalid-json $']);
    assert.deepEqual(brief(validateJson(`\ufeff${valid}`)), ['error invalid-json $']);
    assert.deepEqual(brief(validateJson(new Uint8Array([0x7b, 0xff, 0x7d]))), ['error invalid-json $']);
    assert.deepEqual(brief(validateJson('{"step_id": 1+}')), ['error invalid-json $']);
  });

  test('a file that cannot be read is an io finding', async () => {
    assert.deepEqual(brief(await validateFile('/nonexistent/trajectory.json')), ['error io $']);
  });
});

describe('documents', () => {
  test('every problem is reported, not only the first', () => {
    const doc = minimal({ bogus: 1, agent: { name: 'a' } }, { step_id: 2, role: 'x', message: null });
    assert.deepEqual(brief(validateTrajectory(doc)).sort(), [
      'error required $.agent.version',
      'error required $.steps[0].message',
      'error step-id-sequence $.steps[0].step_id',
      'error unknown-field $.bogus',
      'error unknown-field $.steps[0].role',
    ]);
  });

  test('a document that is not an object is a type error', () => {
    assert.deepEqual(brief(validateTrajectory([minimal()])), ['error type $']);
    assert.deepEqual(brief(validateTrajectory(null)), ['error type $']);
  });

  test('embedded subagent trajectories follow their own declared version', () => {
    const child = { schema_version: 'ATIF-v1.6', session_id: 's', trajectory_id: 'c', agent: { name: 'c', version: '1' }, steps: [{ step_id: 1, source: 'user', message: '' }] };
    assert.deepEqual(brief(validateTrajectory(minimal({ subagent_trajectories: [child] }))).sort(), [
      'error field-not-in-version $.subagent_trajectories[0].trajectory_id',
      'warning mixed-versions $.subagent_trajectories[0].schema_version',
    ]);
  });

  test('strict mode reports warnings as errors', () => {
    const doc = minimal({}, { metrics: { prompt_tokens: 1, cached_tokens: 5 } });
    assert.deepEqual(brief(validateTrajectory(doc)), ['warning token-accounting $.steps[0].metrics.cached_tokens']);
    assert.deepEqual(brief(validateTrajectory(doc, { strict: true })), ['error token-accounting $.steps[0].metrics.cached_tokens']);
  });

  test('requireVersion', () => {
    assert.deepEqual(brief(validateTrajectory(minimal(), { requireVersion: 'ATIF-v1.8' })), ['error require-version $.schema_version']);
    assert.deepEqual(validateTrajectory(minimal(), { requireVersion: 'ATIF-v1.7' }), []);
    assert.throws(() => validateTrajectory(minimal(), { requireVersion: 'v1.7' }), RangeError);
  });

  test('the JSON Schema is plain JSON and generated the same way every time', () => {
    const schema = atifJsonSchema();
    assert.deepEqual(JSON.parse(JSON.stringify(schema)), schema);
    assert.deepEqual(atifJsonSchema(), schema);
  });
});

describe('timestamps as CPython fromisoformat reads them', () => {
  const samples = [
    '2026-03-04T17:21:09.482913Z', '2026-03-04T17:21:11.120044517+00:00', '2026-03-04', '20260304', '2026W01', '2026-W01-3',
    '2026-W53', '2021-W53', '9999-W52-7', '2026-01-15T10:30.5', '2026-01-15T10:30:00.+00:00', '2026-01-15T10:30:00:5',
    '2026-01-15\u00e910:30', '2026-01-15T10:30:00z', '2026-01-15T10:30:00+23:59', '2026-01-15T10:30:00+24:00', '2026-01-15T10:30:00+05:99',
    '2026-01-15T24:00', '2026-02-29', '2024-02-29', '0000-01-01', '2026-13-01T00:00:00Z', '2026-01-15T', 'yesterday', '', '2026-01',
    '2026-01-15 10:30:00,5-03:30', '2026-01-15T1030001234', '2026-01-15T10:30:00.1234567x', '2026-01-15TZ', '2026-01-15T10+05',
  ];
  const python = spawnSync('python3', ['--version']);
  test('same verdict as python3 for tricky forms', { skip: python.error || python.status !== 0 ? 'python3 is not available' : false }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'atif-ts-'));
    try {
      const input = join(dir, 'samples.json');
      writeFileSync(input, JSON.stringify(samples));
      const script =
        'import json,sys\nfrom datetime import datetime\nout=[]\nfor s in json.load(open(sys.argv[1])):\n' +
        '    try:\n        datetime.fromisoformat(s.replace("Z", "+00:00")); out.append(True)\n' +
        '    except ValueError:\n        out.append(False)\nprint(json.dumps(out))';
      const run = spawnSync('python3', ['-c', script, input], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const expected = JSON.parse(run.stdout) as boolean[];
      assert.deepEqual(samples.map((s) => [s, isPythonIsoTimestamp(s)]), samples.map((s, i) => [s, expected[i]]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
