import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { conformanceCases, hasShared, SHARED } from './support/shared.js';
import { runCli } from './support/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'relay-atif.js');
// NO_COLOR: the findings are matched as text, and `node --test` on a terminal sets FORCE_COLOR for its children.
const run = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
const python = spawnSync('python3', ['--version']).status === 0;
const cases = conformanceCases();

test('validate agrees with atif_validate.py on every conformance reference', { skip: !hasShared || !python ? 'needs ../shared and python3' : false }, () => {
  const files = cases.map((c) => join(c.dir, 'reference.json'));
  const ours = JSON.parse(run(['validate', '--json', ...files]).stdout) as { documents: Array<{ file: string; valid: boolean; findings: Array<{ rule: string; level: string }> }> };
  const py = spawnSync('python3', [join(SHARED, 'tools', 'atif_validate.py'), '--json', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const theirs = JSON.parse(py.stdout) as { files: Array<{ path?: string; file?: string; findings: Array<{ level: string; rule: string }> }> };
  assert.equal(ours.documents.length, files.length);
  theirs.files.forEach((f, i) => {
    const pyValid = !f.findings.some((x) => x.level === 'error');
    assert.equal(ours.documents[i].valid, pyValid, files[i]);
    const rules = (list: Array<{ level: string; rule: string }>) => list.filter((x) => x.level === 'error').map((x) => x.rule).sort();
    assert.deepEqual(rules(ours.documents[i].findings), rules(f.findings), files[i]);
  });
});

test('validate exit codes: 0 valid, 1 invalid, 2 missing file; --strict fails on warnings', { skip: !hasShared ? 'needs ../shared' : false }, () => {
  const dir = join(SHARED, 'tools', 'atif_validate_cases');
  const valid = readdirSync(join(dir, 'valid')).map((f) => join(dir, 'valid', f));
  assert.equal(run(['validate', ...valid]).status, 0);
  const invalid = readdirSync(join(dir, 'invalid'))[0];
  const bad = run(['validate', join(dir, 'invalid', invalid)]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, new RegExp(`\\[${invalid.split('__')[0]}\\]`));
  assert.equal(run(['validate', 'no-such.json']).status, 2);
  const strictCase = readdirSync(join(dir, 'strict'))[0];
  assert.equal(run(['validate', join(dir, 'strict', strictCase)]).status, 0);
  assert.equal(run(['validate', '--strict', join(dir, 'strict', strictCase)]).status, 1);
});

test('schema is a JSON Schema that accepts every default-profile output of the conformance inputs', { skip: !hasShared ? 'needs ../shared' : false }, async () => {
  const schema = JSON.parse(run(['schema']).stdout);
  const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  const out = mkdtempSync(join(tmpdir(), 'relay-atif-schema-'));
  let checked = 0;
  for (const c of cases) {
    const r = await runCli(['convert', join(c.dir, 'input.ndjson'), '--session-id', c.options.session_id, '--agent-name', c.options.agent_name, '--agent-version', c.options.agent_version, '--model-name', c.options.model_name ?? '', '-o', join(out, `${c.name}/`), '-q', '--validate']);
    assert.equal(r.code, 0, `${c.name}: ${r.stderr}`);
    for (const f of readdirSync(join(out, c.name))) {
      const doc = JSON.parse(readFileSync(join(out, c.name, f), 'utf8'));
      assert.ok(validate(doc), `${c.name}: ${ajv.errorsText(validate.errors)}`);
      checked++;
    }
  }
  assert.ok(checked >= 120, `checked ${checked}`);
  const input = JSON.parse(run(['schema', '--input']).stdout);
  assert.ok(ajv.compile(input));
});

test('profiles lists every fix', () => {
  const r = run(['profiles', '--json']);
  assert.equal(r.status, 0);
  const { fixes, profiles } = JSON.parse(r.stdout);
  assert.ok(fixes.length >= 4);
  assert.deepEqual(profiles.find((p: { name: string }) => p.name === 'relay-0.3').fixes, []);
});
