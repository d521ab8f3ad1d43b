import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';

/**
 * Every JSON document the CLI prints for machines (reports, --json outputs) spells its own keys in
 * snake_case, as ATIF does: a consumer reading `lines.skipped.by_reason` next to `session_id` should
 * not have to guess the spelling key by key. Keys that are data (reason and kind names, session ids,
 * JSON paths) are kebab-case or free text and never camelCase, so one pattern finds a stray one.
 */
const CAMEL = /[a-z][A-Z]/;

function camelKeys(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => camelKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(CAMEL.test(k) ? [`${path}.${k}`] : []), ...camelKeys(v, `${path}.${k}`)]);
}

async function jsonOf(args: string[], stream: 'stdout' | 'stderr'): Promise<unknown> {
  const r = await runCli(args);
  assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r[stream]);
}

describe('machine-readable output', () => {
  const out = mkdtempSync(join(tmpdir(), 'relay-atif-keys-'));
  const documents: Array<[string, () => Promise<unknown>]> = [
    ['convert --json (the report on stderr)', () => jsonOf(['convert', 'samples/', '-o', `${out}/`, '--json'], 'stderr')],
    [
      'convert --report FILE',
      async () => {
        const report = join(out, 'report.json');
        assert.equal((await runCli(['convert', 'samples/', '-o', '-', '--report', report, '-q'])).code, 0);
        return JSON.parse(readFileSync(report, 'utf8'));
      },
    ],
    ['explain --json', () => jsonOf(['explain', 'samples/', '--json'], 'stdout')],
    ['explain --span --json', () => jsonOf(['explain', 'samples/', '--span', '01972d4e-8a00-7000-8000-000000000003', '--json'], 'stdout')],
    ['explain --step --json', () => jsonOf(['explain', 'samples/', '--step', '2', '--trajectory', '01972d4e-8a00-7000-8000-000000000001', '--json'], 'stdout')],
    ['explain --request --json', () => jsonOf(['explain', 'samples/', '--request', 'cap-h1', '--json'], 'stdout')],
    ['diff --json', () => jsonOf(['diff', 'samples/', '--json'], 'stdout')],
    ['profiles --json', () => jsonOf(['profiles', '--json'], 'stdout')],
    [
      'validate --json',
      async () => {
        const dir = join(out, 'validate');
        assert.equal((await runCli(['convert', 'samples/hermes-session.atof.ndjson', '-o', `${dir}/`, '-q'])).code, 0);
        return jsonOf(['validate', ...readdirSync(dir).map((f) => join(dir, f)), '--json'], 'stdout');
      },
    ],
  ];
  for (const [name, read] of documents) {
    it(`${name}: every key is snake_case`, async () => {
      const doc = await read();
      assert.ok(doc !== null && typeof doc === 'object', 'a JSON document');
      assert.deepEqual(camelKeys(doc), []);
    });
  }

  it('the report counts lines under by_kind and by_reason', async () => {
    const report = (await jsonOf(['convert', 'samples/', '-o', `${out}/`, '--json'], 'stderr')) as { lines: { used: { by_kind: Record<string, number> }; skipped: { by_reason: object } } };
    assert.deepEqual(report.lines.used.by_kind, { atof: 14, gateway: 6, hook: 21 });
    assert.deepEqual(report.lines.skipped.by_reason, {});
  });
});
