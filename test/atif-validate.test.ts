import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { atifJsonSchema, hasErrors, validateFile, validateJson, type Finding } from '../src/atif/validate/index.js';

/**
 * The validator against the shared reference material: the reference checker's own test cases, the
 * real Harbor trajectories, the conformance references, and atif_validate.py itself (run once).
 */
const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
const CASES = join(SHARED, 'tools/atif_validate_cases');
const HARBOR = join(SHARED, 'real-atif/harbor');
const CONFORMANCE = join(SHARED, 'conformance/cases');
const PYTHON_VALIDATOR = join(SHARED, 'tools/atif_validate.py');
const noShared = existsSync(CASES) ? false : `shared reference material not found at ${SHARED}`;
const noPython = noShared || pythonMissing();

function pythonMissing(): string | false {
  const probe = spawnSync('python3', ['--version']);
  return probe.error || probe.status !== 0 ? 'python3 is not available' : false;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

/** `RULE__description.json` → `RULE`. */
function ruleOf(file: string): string {
  return basename(file).split('__')[0]!;
}

const show = (findings: readonly Finding[]) => findings.map((f) => `${f.level} ${f.rule} ${f.path}: ${f.message}`).join('\n');

describe('atif_validate_cases', { skip: noShared }, () => {
  const cases = (kind: string) => (noShared ? [] : jsonFiles(join(CASES, kind)));

  test('every valid case passes, also in strict mode', async () => {
    for (const file of cases('valid')) {
      assert.deepEqual(await validateFile(file, { strict: true }), [], file);
    }
  });

  test('every invalid case is rejected with an error of the rule in its name', async () => {
    for (const file of cases('invalid')) {
      const findings = await validateFile(file);
      const rule = ruleOf(file);
      assert.ok(findings.some((f) => f.level === 'error' && f.rule === rule), `${file}: no error '${rule}'\n${show(findings)}`);
    }
  });

  test('every strict case passes by default, warns with the rule in its name, and fails in strict mode', async () => {
    for (const file of cases('strict')) {
      const rule = ruleOf(file);
      const findings = await validateFile(file);
      assert.equal(hasErrors(findings), false, `${file}\n${show(findings)}`);
      assert.ok(findings.some((f) => f.level === 'warning' && f.rule === rule), `${file}: no warning '${rule}'`);
      const strict = await validateFile(file, { strict: true });
      assert.ok(strict.some((f) => f.level === 'error' && f.rule === rule), `${file}: strict mode did not fail on '${rule}'`);
    }
  });

  test('media paths are checked only on request', async () => {
    assert.deepEqual(await validateFile(join(CASES, 'media/present.json'), { checkMedia: true }), []);
    const absent = join(CASES, 'media/media-missing__absent_image.json');
    assert.equal(hasErrors(await validateFile(absent)), false);
    const checked = await validateFile(absent, { checkMedia: true });
    assert.ok(checked.some((f) => f.level === 'error' && f.rule === 'media-missing'), show(checked));
  });

  test('require-version rejects another declared version', async () => {
    const legacy = await validateFile(join(CASES, 'valid/legacy_session_ref_v1_6.json'), { requireVersion: 'ATIF-v1.7' });
    assert.ok(legacy.some((f) => f.rule === 'require-version' && f.path === '$.schema_version'));
    assert.deepEqual(await validateFile(join(CASES, 'valid/full_v1_7.json'), { requireVersion: 'ATIF-v1.7' }), []);
  });
});

describe('real Harbor trajectories', { skip: noShared }, () => {
  test('every file validates without errors', async () => {
    const files = jsonFiles(HARBOR);
    assert.ok(files.length > 0, `no JSON files under ${HARBOR}`);
    for (const file of files) {
      const errors = (await validateFile(file)).filter((f) => f.level === 'error');
      assert.deepEqual(errors, [], file);
    }
  });
});

interface PythonFileReport {
  file: string;
  errors: number;
  findings: Finding[];
}

describe('agreement with atif_validate.py', { skip: noPython }, () => {
  const conformance = noShared ? [] : readdirSync(CONFORMANCE).sort().map((c) => join(CONFORMANCE, c, 'reference.json')).filter(existsSync);
  let mutationsDir = '';
  let mutations: string[] = [];
  const python = new Map<string, PythonFileReport>();

  before(() => {
    mutationsDir = mkdtempSync(join(tmpdir(), 'atif-validate-'));
    mutations = writeMutations(mutationsDir, [...jsonFiles(join(CASES, 'valid')), ...jsonFiles(join(CASES, 'strict'))]);
    const files = [...conformance, ...jsonFiles(CASES), ...jsonFiles(HARBOR), ...mutations];
    const run = spawnSync('python3', [PYTHON_VALIDATOR, '--json', ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.ok(run.status === 0 || run.status === 1, `atif_validate.py failed: ${run.stderr}`);
    for (const report of (JSON.parse(run.stdout) as { files: PythonFileReport[] }).files) python.set(report.file, report);
  });

  after(() => {
    if (mutationsDir) rmSync(mutationsDir, { recursive: true, force: true });
  });

  test('conformance references: same verdict (has errors or not)', async () => {
    assert.ok(conformance.length > 0);
    for (const file of conformance) {
      const ours = await validateFile(file);
      assert.equal(hasErrors(ours), python.get(file)!.errors > 0, `${file}\n${show(ours)}`);
    }
  });

  test('same findings (level, rule, path) on every reference file and on mutated documents', async () => {
    const key = (f: Finding) => `${f.level} ${f.rule} ${f.path}`;
    for (const [file, report] of python) {
      const ours = (await validateFile(file)).map(key).sort();
      assert.deepEqual(ours, report.findings.map(key).sort(), file);
    }
  });
});

describe('JSON Schema', { skip: noShared }, () => {
  const ajv = new Ajv2020.default({ allErrors: true, allowUnionTypes: true });
  const validate = ajv.compile(atifJsonSchema());
  const isValidV17 = (text: string) => {
    const doc = JSON.parse(text) as { schema_version?: unknown };
    return doc.schema_version === 'ATIF-v1.7' && !hasErrors(validateJson(text)) ? doc : undefined;
  };

  test('accepts the valid v1.7 cases and every valid v1.7 conformance reference', () => {
    const files = [
      ...jsonFiles(join(CASES, 'valid')),
      ...readdirSync(CONFORMANCE).map((c) => join(CONFORMANCE, c, 'reference.json')),
    ].filter(existsSync);
    let checked = 0;
    for (const file of files) {
      const doc = isValidV17(readFileSync(file, 'utf8'));
      if (!doc) continue;
      checked++;
      assert.ok(validate(doc), `${file}: ${ajv.errorsText(validate.errors)}`);
    }
    assert.ok(checked >= 20, `only ${checked} valid v1.7 documents found`);
  });

  test('rejects structural violations', () => {
    for (const name of ['unknown-field__step_role_key', 'type__arguments_string', 'required__message_null', 'min-items__empty_steps']) {
      const doc = JSON.parse(readFileSync(join(CASES, 'invalid', `${name}.json`), 'utf8')) as unknown;
      assert.equal(validate(doc), false, name);
    }
  });
});

/**
 * Deterministic mutations of the given documents (seeded, so every run checks the same files):
 * values replaced by other JSON values, keys removed or added, array items repeated, versions changed.
 */
function writeMutations(dir: string, sources: readonly string[]): string[] {
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const values: unknown[] = [
    null, true, 0, -1, 1, 1.5, 'x', '', ' ', [], {}, [1, 2], { a: 1 }, 'ATIF-v1.5', 'ATIF-v1.8', 'agent', 'user', 'assistant',
    '2026-01-01', 'not a time', { type: 'text', text: 't' }, { type: 'image', text: 't' },
    { type: 'audio', source: { media_type: 'audio/mp3', path: 'a.mp3' } }, { trajectory_id: 'nowhere' }, { session_id: 's' },
    { results: [{ source_call_id: 'nope' }] }, { tool_call_id: '', function_name: ' ', arguments: {} },
  ];
  const keys = ['bogus', 'llm_call_count', 'trajectory_id', 'extra', 'text', 'source', 'metrics', 'tool_calls', 'weird key'];
  const containers = (node: unknown, out: unknown[] = []): unknown[] => {
    if (node !== null && typeof node === 'object') {
      out.push(node);
      for (const child of Object.values(node)) containers(child, out);
    }
    return out;
  };
  const files: string[] = [];
  for (const source of sources) {
    for (let n = 0; n < 12; n++) {
      const doc = JSON.parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const node = pick(containers(doc)) as Record<string, unknown> | unknown[];
        const existing = Object.keys(node);
        const op = random();
        if (Array.isArray(node)) {
          if (node.length > 0 && op < 0.5) node.push(structuredClone(pick(node)));
          else if (node.length > 0) node[Math.floor(random() * node.length)] = structuredClone(pick(values));
        } else if (op < 0.45 && existing.length > 0) node[pick(existing)] = structuredClone(pick(values));
        else if (op < 0.7 && existing.length > 0) delete node[pick(existing)];
        else if (op < 0.9) node[pick(keys)] = structuredClone(pick(values));
        else doc.schema_version = `ATIF-v1.${Math.floor(random() * 9)}`;
      }
      const file = join(dir, `${basename(source, '.json')}-${n}.json`);
      writeFileSync(file, JSON.stringify(doc, null, 1));
      files.push(file);
    }
  }
  return files;
}
