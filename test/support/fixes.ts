import type { PairRow } from '../../src/explain/table-report.js';
import assert from 'node:assert/strict';
import type { Step, Trajectory } from '../../src/atif/types.js';
import { runCli, runJson } from './cli.js';

/** Helpers for test/fixes-*.test.ts: each fix has a fixture `test/fixtures/fixes/<fix name>.ndjson`. */
export const fixture = (name: string) => `test/fixtures/fixes/${name}.ndjson`;

/**
 * The converter's stdout for a fixture (one trajectory, session id `s`, no observed events), with the
 * agent given on the command line (as the conformance runs give it), so that fix agent-identity, which
 * names every session's agent, leaves each fixture to the fix it shows.
 */
export async function convertText(name: string, ...flags: string[]): Promise<string> {
  const r = await runCli(['convert', fixture(name), '--session-id', 's', '--no-observed-events', '-o', '-', '-q', '--agent-name', 'NeMo Relay', '--model-name', 'unknown', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

export async function convert(name: string, ...flags: string[]): Promise<Trajectory> {
  const lines = (await convertText(name, ...flags)).trim().split('\n');
  assert.equal(lines.length, 1, 'one trajectory');
  return JSON.parse(lines[0]) as Trajectory;
}

export const seed = (name: string) => convert(name, '--profile', 'relay-0.3');
export const byDefault = (name: string) => convert(name);

/** Step sources in order, e.g. ['user', 'agent']. */
export const sources = (t: Trajectory) => t.steps.map((s) => s.source);

/** A copy of the steps without the given fields (to compare everything a fix does not touch). */
export function without(steps: Step[], ...fields: Array<keyof Step>): Step[] {
  return steps.map((s) => {
    const copy = structuredClone(s);
    for (const f of fields) delete copy[f];
    return copy;
  });
}

/** Steps renumbered from 1, as the exporter does after removing some. */
export function renumbered(steps: Step[]): Step[] {
  return steps.map((s, i) => ({ ...structuredClone(s), step_id: i + 1 }));
}

export type PairJson = PairRow;

export interface OverviewJson {
  profile: string;
  trajectories: Array<{ spans: Array<{ span: string; state: string; warnings: string[]; absorbed_from: string[] }>; pairs: PairJson[]; rule_counts: Record<string, number> }>;
}

/** `explain --json` overview of a fixture under the given flags. */
export const overview = (name: string, ...flags: string[]) => runJson<OverviewJson>(['explain', fixture(name), '--session-id', 's', ...flags]);

export const span = (tail: string) => `01970000-0000-7000-8000-${tail.padStart(12, '0')}`;

/** Every trajectory `convert` writes for the input file (one NDJSON line each), without observed events. */
export async function convertAll(input: string, ...flags: string[]): Promise<Trajectory[]> {
  const r = await runCli(['convert', input, '-o', '-', '-q', '--no-observed-events', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((line) => JSON.parse(line) as Trajectory);
}
