import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

describe('help', () => {
  it('help of an unknown command says it is unknown (exit 2), as the command alone does; help of a command is unchanged', async () => {
    const alone = await runCli(['nope']);
    const help = await runCli(['help', 'nope']);
    assert.equal(help.code, 2);
    assert.match(help.stderr, /^error: unknown command 'nope'\n/);
    assert.equal(help.stderr, alone.stderr);
    // A close name gets commander's suggestion, as `relay-atif conver` does.
    assert.match((await runCli(['help', 'conver'])).stderr, /^error: unknown command 'conver'\n\(Did you mean convert\?\)/);
    const convert = await runCli(['help', 'convert']);
    assert.equal(convert.code, 0);
    assert.match(convert.stdout, /^Usage: relay-atif convert /);
  });
});
