import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXES, resolveFixes } from '../src/profiles/fixes.js';
import { ROOT, runCli, runJson } from './support/cli.js';
import { convertText, fixture } from './support/fixes.js';

/** The fixes of issue 8 beyond the ATIF-validity ones; each has its own fixture. */
const ISSUE_8 = [
  'no-repeated-user-step',
  'response-model',
  'anthropic-tool-use',
  'responses-function-calls',
  'keep-interleaved-extra',
  'signature-tool-calls',
  'dedupe-cross-round',
  'dedupe-chain-metrics',
  'dedupe-tie-break',
] as const;
/** Later fixes whose ATOF fixture exercises them alone (anthropic-token-accounting's also takes anthropic-tool-use). */
const LATER = ['responses-cached-tokens', 'provider-reported-cost', 'annotated-response-cost', 'llm-optimization-summary', 'relay-telemetry-marks', 'response-cache-marks', 'guardrail-rejection-step', 'final-metrics-per-field', 'provider-reasoning', 'chat-refusal-message', 'responses-refusal-message', 'anthropic-refusal-message', 'empty-tool-arguments', 'hook-turn-steps', 'responses-custom-tool-calls', 'responses-web-search-calls', 'null-request-user-step', 'responses-reasoning-effort', 'request-tool-results', 'agent-session-extra', 'tool-result-annotation', 'hermes-summary-messages', 'empty-answer-message', 'image-parts', 'document-blocks'] as const;
/** Fixes a fixture exercises besides its own once that one is off (its turn scope names the agent's session): off with it. */
const ALSO_OFF: Partial<Record<string, string[]>> = { 'hook-turn-steps': ['agent-session-extra'], 'null-request-user-step': ['agent-session-extra'], 'hermes-summary-messages': ['agent-session-extra'], 'image-parts': ['anthropic-tool-use'], 'document-blocks': ['anthropic-tool-use'] };

describe('the fix registry', () => {
  it('lists every fix of issue 8 with its origin, in the default profile and not in relay-0.3', async () => {
    const out = await runCli(['profiles', '--json']);
    const r = JSON.parse(out.stdout) as { profiles: Array<{ name: string; fixes: string[] }>; fixes: Array<{ name: string; origin: string; in_default: boolean }> };
    const byName = new Map(r.fixes.map((f) => [f.name, f]));
    for (const name of ISSUE_8) {
      assert.ok(byName.get(name)?.origin, `${name} has an origin`);
      assert.equal(byName.get(name)?.in_default, true, name);
    }
    assert.deepEqual(r.profiles.find((p) => p.name === 'relay-0.3')?.fixes, []);
    assert.deepEqual(r.profiles.find((p) => p.name === 'default')?.fixes, FIXES.filter((f) => f.inDefault).map((f) => f.name));
    assert.deepEqual([...resolveFixes('default', [], ['dedupe-tie-break'])].includes('dedupe-tie-break'), false);
  });

  it('the human listing names each fix and its NeMo-Relay PR or reason', async () => {
    const r = await runCli(['profiles']);
    assert.match(r.stdout, /\* no-repeated-user-step +.*NeMo-Relay #545/);
    assert.match(r.stdout, /\* dedupe-cross-round +.*E7/);
  });
});

describe('each fix against its fixture', () => {
  for (const name of [...ISSUE_8, ...LATER]) {
    describe(name, () => {
      it('has a fixture', () => assert.ok(existsSync(join(ROOT, fixture(name)))));

      it('the default profile differs from relay-0.3, and so does relay-0.3 with only this fix', async () => {
        const seed = await convertText(name, '--profile', 'relay-0.3');
        assert.notEqual(await convertText(name), seed);
        assert.notEqual(await convertText(name, '--profile', 'relay-0.3', '--fix', name), seed);
      });

      it('--no-fix restores the relay-0.3 output exactly', async () => {
        const also = (ALSO_OFF[name] ?? []).flatMap((f) => ['--no-fix', f]);
        assert.equal(await convertText(name, '--no-fix', name, ...also), await convertText(name, '--profile', 'relay-0.3'));
      });

      it('the default output is valid ATIF v1.7', async () => {
        const r = await runCli(['convert', fixture(name), '--session-id', 's', '-o', '-', '-q', '--validate']);
        assert.equal(r.code, 0, r.stderr);
      });
    });
  }
});

describe('--fix and --no-fix on the command line', () => {
  const tie = fixture('dedupe-tie-break');

  it('one fix both switched on and off is a usage error naming it, in either order, in every command that takes them', async () => {
    const commands = [['convert', tie], ['explain', tie], ['diff', tie], ['events', tie], ['diff', 'test/fixtures/explain/atif-a.json', 'test/fixtures/explain/atif-b.json']];
    for (const command of commands) {
      for (const order of [['--fix', 'dedupe-tie-break', '--no-fix', 'dedupe-tie-break'], ['--no-fix', 'dedupe-tie-break', '--fix', 'dedupe-tie-break']]) {
        const r = await runCli([...command, ...order, '-q']);
        const args = [...command, ...order].join(' ');
        assert.equal(r.code, 2, `${args}: ${r.stderr}`);
        assert.equal(r.stdout, '', args);
        assert.match(r.stderr, /--fix dedupe-tie-break and --no-fix dedupe-tie-break contradict each other/, args);
      }
    }
  });
});

describe('reports name the fixes switched on or off', () => {
  const tie = fixture('dedupe-tie-break');
  const noTieBreak = { enabled: [], disabled: ['dedupe-tie-break'] };

  it('explain: the overview heading and its JSON (the decisions are those without the fix)', async () => {
    const text = await runCli(['explain', tie, '--no-fix', 'dedupe-tie-break', '-q']);
    assert.match(text.stdout, /^trajectory unscoped \(flat mode, profile default, --no-fix dedupe-tie-break\)\n/);
    assert.match(text.stdout, /KEPT_EQUAL_FIDELITY/);
    const json = await runJson<{ profile: string; fix_changes: unknown }>(['explain', tie, '--no-fix', 'dedupe-tie-break']);
    assert.equal(json.profile, 'default', 'profile keeps the name given to --profile');
    assert.deepEqual(json.fix_changes, noTieBreak);
    // A fix the profile has already changes nothing, so it is not named; one it lacks is.
    assert.match((await runCli(['explain', tie, '--fix', 'dedupe-tie-break', '-q'])).stdout, /^trajectory unscoped \(flat mode, profile default\)\n/);
    const added = await runJson<{ profile: string; fix_changes: unknown }>(['explain', tie, '--profile', 'relay-0.3', '--fix', 'dedupe-tie-break', '--session-id', 's']);
    assert.deepEqual([added.profile, added.fix_changes], ['relay-0.3', { enabled: ['dedupe-tie-break'], disabled: [] }]);
  });

  it('the dedupe diff: its headings and its JSON, streamed and with --session-id', async () => {
    for (const extra of [[], ['--session-id', 's']]) {
      const text = await runCli(['diff', tie, '--no-fix', 'dedupe-tie-break', '-q', ...extra]);
      assert.match(text.stdout, /^trajectory \S+ \(without → with dedupe, profile default, --no-fix dedupe-tie-break\): /, extra.join(' '));
      const r = await runCli(['diff', tie, '--no-fix', 'dedupe-tie-break', '-q', '--json', ...extra]);
      const json = JSON.parse(r.stdout) as { profile: string; fix_changes: unknown };
      assert.deepEqual([json.profile, json.fix_changes], ['default', noTieBreak], extra.join(' '));
    }
  });

  it('convert: --report and --json carry the same profile and fix_changes', async () => {
    const r = await runCli(['convert', tie, '--no-fix', 'dedupe-tie-break', '-o', '/dev/null', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stderr) as { profile: string; fix_changes: unknown };
    assert.deepEqual([report.profile, report.fix_changes], ['default', noTieBreak]);
    const plain = JSON.parse((await runCli(['convert', tie, '-o', '/dev/null', '--json'])).stderr) as { fix_changes: unknown };
    assert.deepEqual(plain.fix_changes, { enabled: [], disabled: [] });
  });
});
