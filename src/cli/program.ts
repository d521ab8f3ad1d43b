import { Command, CommanderError } from 'commander';
import { convertCommand, type ConvertFlags } from './commands/convert.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { CliIO } from './io.js';
import { optionsFor, type CommandName } from './options.js';
import { VERSION } from './version.js';

type Handler = (args: string[], flags: never, io: CliIO) => Promise<ExitCode>;

interface CommandSpec {
  name: CommandName;
  args: string;
  summary: string;
  handler: Handler;
}

const COMMANDS: CommandSpec[] = [
  { name: 'convert', args: '[inputs...]', summary: 'convert NDJSON logs / ATOF streams to ATIF v1.7 trajectories', handler: convertCommand as Handler },
];

/**
 * The CLI as a value: commands are thin handlers over injected IO, so tests drive it without a
 * process. `run` resolves to the exit code instead of exiting.
 */
export function createProgram(io: CliIO): { program: Command; run(argv: string[]): Promise<ExitCode> } {
  let exitCode: ExitCode = EXIT.OK;
  const program = new Command('relay-atif')
    .description('Offline NeMo-Relay fusion of coding-agent hook and LLM gateway logs into ATIF v1.7 trajectories')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError();
  for (const spec of COMMANDS) {
    const cmd = program.command(`${spec.name} ${spec.args}`).description(spec.summary).exitOverride();
    for (const opt of optionsFor(spec.name)) cmd.addOption(opt);
    cmd.action(async (args: string[], flags: Record<string, unknown>) => {
      exitCode = await spec.handler(args ?? [], flags as never, io);
    });
  }
  return {
    program,
    async run(argv: string[]): Promise<ExitCode> {
      try {
        await program.parseAsync(argv, { from: 'user' });
        return exitCode;
      } catch (err) {
        if (err instanceof CommanderError) {
          // --help and --version end with code 0; every other commander error is a usage error.
          return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
        }
        if (err instanceof CliError) {
          io.stderr.write(`relay-atif: ${err.message}\n`);
          return err.exitCode;
        }
        throw err;
      }
    },
  };
}
