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

  it('help help prints the root help (exit 0), which lists help [command]', async () => {
    const helpHelp = await runCli(['help', 'help']);
    assert.equal(helpHelp.code, 0);
    assert.equal(helpHelp.stdout, (await runCli(['--help'])).stdout);
    assert.match(helpHelp.stdout, /help \[command\]/);
  });
});

describe('options offered', () => {
  it('--no-color only where the human output has colours (explain, diff, validate); profiles prints none, even on a TTY', async () => {
    for (const command of ['convert', 'explain', 'validate', 'schema', 'profiles', 'diff', 'events']) {
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0, command);
      assert.equal(/--no-color/.test(help.stdout), ['explain', 'diff', 'validate'].includes(command), command);
    }
    assert.doesNotMatch((await runCli(['profiles'], { stdoutIsTTY: true })).stdout, /\x1b\[/);
  });
});
