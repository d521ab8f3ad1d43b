/**
 * Fix `cursor-shell-tool` (relay-cli.md §1.2 tool keys, §1.4 Cursor): Cursor's shell hooks carry
 * `command`, `cwd`, `output` and `duration`, none of the tool name, id or input keys the adapters read,
 * so relay-0.3 made each command two calls `unknown_tool` with no arguments (the after hook's own
 * synthetic id, and null arguments that tool-end-name-arguments cannot match), and the command itself
 * reached no step. Fixture: a Cursor prompt, one `npm test` (before and after hooks, the after hook
 * without `cwd`, as Cursor sends it) and `stop`; hooks alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adaptHook, seededUuids } from '../src/hooks/index.js';
import type { Json } from '../src/json/value.js';
import { converted, events, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'cursor-shell-tool';

describe(FIX, () => {
  // The end finds its start by name and arguments, which is what tool-end-name-arguments does.
  registryAndProfileTests(FIX, ['tool-end-name-arguments']);

  it('relay-0.3 replays two unknown_tool spans with null arguments; the fix one Shell span {command}', async () => {
    const toolStarts = async (...flags: string[]) =>
      (await events(FIX, ...flags)).filter((e) => e.category === 'tool' && e.scope_category === 'start').map((e) => [e.name, e.data]);
    assert.deepEqual(await toolStarts(...SEED), [['unknown_tool', null], ['unknown_tool', null]]);
    assert.deepEqual(await toolStarts(), [['Shell', { command: 'npm test' }]]);
  });

  it('so the trajectory has one Shell call with the command and its output as the result', async () => {
    const agentSteps = async (...flags: string[]) => (await converted(FIX, '-q', ...flags)).t.steps.filter((s) => s.source === 'agent');
    const [step] = await agentSteps();
    assert.deepEqual(step.tool_calls?.map((c) => [c.function_name, c.arguments]), [['Shell', { command: 'npm test' }]]);
    assert.deepEqual(step.observation?.results.map((r) => [r.source_call_id, r.content]), [[step.tool_calls?.[0].tool_call_id, 'FAIL src/cart.test.ts']]);
    const [without] = await agentSteps('--no-fix', FIX);
    assert.deepEqual(without.tool_calls?.map((c) => [c.function_name, c.arguments]), [['unknown_tool', {}], ['unknown_tool', {}]]);
  });
});

describe(`${FIX}: the Cursor adapter (library)`, () => {
  const toolOf = (payload: Json, cursorShellTool: boolean) => {
    const [event] = adaptHook('cursor', payload, { ids: seededUuids('fix-test', 1_780_000_000_000), cursorShellTool }).events;
    return event.type === 'ToolStarted' || event.type === 'ToolEnded' ? [event.toolName, event.arguments] : 'not a tool event';
  };
  const before = { hook_event_name: 'beforeShellExecution', conversation_id: 'c', command: 'ls -la', cwd: '/w' };

  it('names the tool Shell and gives it {command} only with the fix; cwd stays out of the arguments', () => {
    assert.deepEqual(toolOf(before, false), ['unknown_tool', null]);
    assert.deepEqual(toolOf(before, true), ['Shell', { command: 'ls -la' }]);
    assert.deepEqual(toolOf({ ...before, hook_event_name: 'afterShellExecution', output: 'a.ts' }, true), ['Shell', { command: 'ls -la' }]);
  });

  it("keeps a name or arguments the hook has, and leaves MCP hooks (whose command is the server's) alone", () => {
    assert.deepEqual(toolOf({ ...before, tool_name: 'run_terminal_cmd' }, true), ['run_terminal_cmd', { command: 'ls -la' }]);
    assert.deepEqual(toolOf({ ...before, tool_input: { command: 'ls' } }, true), ['Shell', { command: 'ls' }]);
    assert.deepEqual(toolOf({ hook_event_name: 'beforeMCPExecution', conversation_id: 'c', tool_name: 'q', command: 'npx mcp-server' }, true), ['q', null]);
    const { command: _dropped, ...noCommand } = before;
    assert.deepEqual(toolOf(noCommand, true), ['unknown_tool', null], 'no command: nothing to name');
  });
});
