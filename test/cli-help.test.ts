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

describe('each command describes its own --strict and --json', () => {
  // One line served explain and validate ("exit 1 when any input line was skipped … (validate: when any
  // warning is found)"): validate reads no input lines, and explain's help spoke of validate. convert's
  // --json is its summary on stderr, where a user reading "print a machine-readable JSON report" piped
  // stdout to jq and got the trajectories.
  const optionLine = async (command: string, flag: string) => {
    const help = (await runCli([command, '--help'])).stdout.replace(/\n {10,}/g, ' ');
    return help.split('\n').find((l) => l.trimStart().startsWith(flag)) ?? '';
  };
  it('validate --strict fails on warnings; explain --strict on skipped or rejected lines, naming no other command', async () => {
    const validate = await optionLine('validate', '--strict');
    assert.match(validate, /warning/);
    assert.doesNotMatch(validate, /input line/);
    const explain = await optionLine('explain', '--strict');
    assert.match(explain, /skipped .* or rejected/);
    assert.doesNotMatch(explain, /validate|warning/);
  });
  it("convert --json says the report goes to stderr; the other commands' --json is their report", async () => {
    assert.match(await optionLine('convert', '--json'), /on stderr/);
    for (const command of ['explain', 'diff', 'validate', 'profiles']) assert.doesNotMatch(await optionLine(command, '--json'), /stderr/, command);
  });
});
