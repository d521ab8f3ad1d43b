import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import type { Step, Trajectory } from '../../src/atif/types.js';
import { FIXES, type FixName } from '../../src/profiles/fixes.js';
import { ROOT, runCli, runJson } from './cli.js';

/**
 * Helpers for test/fixes-raw-*.test.ts: each raw-log fix has a fixture
 * `test/fixtures/fixes-raw/<fix name>.ndjson` of hook and gateway records, compared through the
 * replayed ATOF stream (`relay-atif events`), which no exporter fix touches.
 */
export const rawFixture = (name: FixName) => `test/fixtures/fixes-raw/${name}.ndjson`;

/** One replayed ATOF event as `events` prints it. */
export interface EventJson {
  kind: string;
  name: string;
  category: string;
  scope_category?: string;
  uuid: string;
  parent_uuid: string | null;
  timestamp: string;
  data: unknown;
  metadata: Record<string, unknown> | null;
}

/** `relay-atif events` stdout for a fixture under the given profile flags. */
export async function eventsText(name: FixName, ...flags: string[]): Promise<string> {
  const r = await runCli(['events', rawFixture(name), '-q', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

export async function events(name: FixName, ...flags: string[]): Promise<EventJson[]> {
  return (await eventsText(name, ...flags)).trim().split('\n').map((line) => JSON.parse(line) as EventJson);
}

/** The `data` of the fixture's first LLM end as replayed (the assembled answer of a gateway call). */
export async function llmEndData(name: FixName, ...flags: string[]): Promise<unknown> {
  return (await events(name, ...flags)).find((e) => e.category === 'llm' && e.scope_category === 'end')?.data;
}

/** A chat tool call as an assembled chat completion holds it. */
export type ChatCall = { id?: string; type?: string; function: { name: string; arguments: string } };

/** The tool calls of an assembled chat completion's first choice. */
export const chatToolCalls = (data: unknown): ChatCall[] => (data as { choices: Array<{ message: { tool_calls: ChatCall[] } }> }).choices[0].message.tool_calls;

/** Each call of a chat completion's first choice as [id, name, arguments]. */
export const callTriples = (data: unknown) => chatToolCalls(data).map((c) => [c.id, c.function.name, c.function.arguments]);

/** `convert` of a fixture (one trajectory) under the given profile flags, with its stderr (the run summary). */
export async function converted(name: FixName, ...flags: string[]): Promise<{ t: Trajectory; stderr: string }> {
  const r = await runCli(['convert', rawFixture(name), '-o', '-', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return { t: JSON.parse(r.stdout) as Trajectory, stderr: r.stderr };
}

/** The fixture's first agent step as `convert` writes it. */
export async function agentStep(name: FixName, ...flags: string[]): Promise<Step> {
  const r = await runCli(['convert', rawFixture(name), '-o', '-', '-q', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Trajectory).steps.find((s) => s.source === 'agent')!;
}

/** What `explain --request --json` prints of one gateway call (the fields these tests read). */
export interface AttributionJson {
  chain: { link?: string; session_id?: string; fix?: string; rejected: Array<{ link: string; reason: string }> };
  selection: { rule: string; session_id: string; created_session: boolean };
  owner: { rule: string; status: string; source?: string };
}

export async function attribution(name: FixName, captureId: string, ...flags: string[]): Promise<AttributionJson> {
  const report = await runJson<{ requests: AttributionJson[] }>(['explain', rawFixture(name), '--request', captureId, ...flags]);
  assert.equal(report.requests.length, 1);
  return report.requests[0];
}

export const SEED = ['--profile', 'relay-0.3'] as const;

/** Scope starts of a category, e.g. the turns. */
export const starts = (list: EventJson[], category: string) => list.filter((e) => e.kind === 'scope' && e.category === category && e.scope_category === 'start');

/**
 * What every raw-log fix must show (issue 8): it is registered with its origin and in the default
 * profile; on its fixture the default replay differs from relay-0.3, relay-0.3 plus only this fix
 * gives the default replay (the fixture exercises no other fix), and `--no-fix` restores relay-0.3.
 * `also`: other raw-log fixes the fixture exercises too (a Cursor MCP call pair, say, is also matched
 * by tool-end-name-arguments; a Claude Code probe that --no-fix claude-startup-probe lets through opens
 * its turn as claude-gateway-turn says); they are then on in every replay compared.
 */
export function registryAndProfileTests(name: FixName, also: readonly FixName[] = []): void {
  const others = also.flatMap((fix) => ['--fix', fix]);
  it('is registered with its origin and enabled by default', () => {
    const info = FIXES.find((f) => f.name === name);
    assert.ok(info?.origin, 'an origin');
    assert.equal(info?.inDefault, true);
    assert.ok(existsSync(join(ROOT, rawFixture(name))), 'a fixture');
  });

  it('the default replay differs from relay-0.3, and relay-0.3 with only this fix is the default replay', async () => {
    const seed = await eventsText(name, ...SEED, ...others);
    const byDefault = await eventsText(name);
    assert.notEqual(byDefault, seed);
    assert.equal(await eventsText(name, ...SEED, ...others, '--fix', name), byDefault);
  });

  it('--no-fix restores the relay-0.3 replay exactly', async () => {
    assert.equal(await eventsText(name, '--no-fix', name), await eventsText(name, ...SEED, ...others));
  });
}
