/**
 * Fix `cursor-mcp-result` (relay-cli.md §1.2 tool result keys, §1.4 Cursor): Cursor's
 * `afterMCPExecution` carries the MCP tool's output as `result_json`, a key the reference does not
 * read, so the MCP call ended with a null result and its output reached no step. Fixture: a Cursor
 * prompt, the gateway call that asks for `get_issue`, the MCP hooks around it, and `stop`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { adaptHook, seededUuids } from '../src/hooks/index.js';
import type { Json } from '../src/json/value.js';
import { runCli } from './support/cli.js';
import { events, rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'cursor-mcp-result';
const OUTPUT = '{"title":"Crash on start"}';

describe(FIX, () => {
  // The fixture's MCP hooks carry no tool id, so its tool end is also matched by name and arguments.
  registryAndProfileTests(FIX, ['tool-end-name-arguments']);

  it('relay-0.3 ends the afterMCPExecution tool with null; the fix with its result_json', async () => {
    const mcpEnd = async (...flags: string[]) =>
      (await events(FIX, ...flags)).find((e) => e.category === 'tool' && e.scope_category === 'end' && e.metadata?.hook_event_name === 'afterMCPExecution');
    assert.equal((await mcpEnd(...SEED))?.data, null);
    assert.equal((await mcpEnd())?.data, OUTPUT);
  });

  it('so the trajectory has the MCP output as the observation of a get_issue call', async () => {
    const r = await runCli(['convert', rawFixture(FIX), '-o', '-', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const step = (JSON.parse(r.stdout) as Trajectory).steps.find((s) => s.source === 'agent')!;
    const result = step.observation?.results.find((x) => x.content === OUTPUT);
    assert.ok(result, 'an observation with the MCP output');
    assert.equal(step.tool_calls?.find((c) => c.tool_call_id === result.source_call_id)?.function_name, 'get_issue');
  });
});

describe(`${FIX}: the Cursor adapter (library)`, () => {
  const resultOf = (payload: Json, cursorMcpResult: boolean) => {
    const [event] = adaptHook('cursor', payload, { ids: seededUuids('fix-test', 1_780_000_000_000), cursorMcpResult }).events;
    return event.type === 'ToolEnded' ? event.result : 'not a tool end';
  };
  const mcp = { hook_event_name: 'afterMCPExecution', conversation_id: 'c', tool_name: 'get_issue', result_json: OUTPUT };

  it('reads result_json only with the fix', () => {
    assert.equal(resultOf(mcp, false), null);
    assert.equal(resultOf(mcp, true), OUTPUT);
  });

  it('a result key the adapters read still wins, and other hooks are unchanged', () => {
    assert.equal(resultOf({ ...mcp, output: 'explicit' }, true), 'explicit');
    assert.equal(resultOf({ ...mcp, result: null }, true), null);
    const shell = { hook_event_name: 'afterShellExecution', conversation_id: 'c', command: 'ls', result_json: 'x' };
    assert.equal(resultOf({ ...shell, output: 'a.ts' }, true), 'a.ts');
    assert.equal(resultOf(shell, true), null, 'result_json is read from afterMCPExecution alone');
  });
});
