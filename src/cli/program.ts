import { Command, CommanderError } from 'commander';
import { convertCommand } from './commands/convert.js';
import { diffCommand } from './commands/diff.js';
import { eventsCommand } from './commands/events.js';
import { explainCommand } from './commands/explain.js';
import { profilesCommand } from './commands/profiles.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';
import { CliError, EXIT, usageError, type ExitCode } from './exit-codes.js';
import { printable } from './printable.js';
import type { CliIO } from './io.js';
import { optionsFor, type CommandName } from './options.js';
import { StatusLine } from './status-line.js';
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
  { name: 'explain', args: '[inputs...]', summary: 'show why every LLM span was merged or kept apart (--span ID, --step N --trajectory ID)', handler: explainCommand as Handler },
  { name: 'validate', args: '[files...]', summary: 'check ATIF trajectories (JSON files, or NDJSON one per line); every violation with its JSON path and rule', handler: validateCommand as Handler },
  { name: 'schema', args: '', summary: 'print the JSON Schema of ATIF v1.7 (--input: of the input record kinds)', handler: schemaCommand as Handler },
  { name: 'profiles', args: '', summary: 'list the profiles and the named fixes they enable', handler: profilesCommand as Handler },
  { name: 'diff', args: '[inputs...]', summary: 'trajectories with vs without the dedupe pass; or diff A B of two ATIF trajectory files (exit 0 equal, 1 different, 2 bad input, 3 an input that cannot be read)', handler: diffCommand as Handler },
  { name: 'events', args: '[inputs...]', summary: 'the ATOF stream the live runtime would have written for hook logs and gateway captures (NDJSON, canonical JSON)', handler: eventsCommand as Handler },
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
    // commander's errors quote the arguments (an unknown option, an unknown command): escaped as ours are.
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(printable(s, true)) })
    .showHelpAfterError();
  for (const spec of COMMANDS) {
    const cmd = program.command(`${spec.name} ${spec.args}`.trim()).description(spec.summary).exitOverride();
    for (const opt of optionsFor(spec.name)) cmd.addOption(opt);
    // commander passes the variadic argument first only when the command declares one.
    cmd.action(async (...received: unknown[]) => {
      const [args, flags] = spec.args ? [received[0] as string[], received[1]] : [[], received[0]];
      // An empty argument (an unset shell variable) would resolve to the current directory and read it.
      if (args?.includes('')) throw usageError("an input argument is empty (an unset shell variable?); name a file, a directory or '-' for stdin");
      // A bar drawn while the command runs stays until it ends (what it writes to stderr goes above);
      // it is cleared before anything else is said, an error included.
      const status = new StatusLine(io.stderr);
      try {
        exitCode = await spec.handler(args ?? [], flags as never, { ...io, stderr: status.stderr, status });
      } finally {
        status.stop();
      }
    });
  }
  return {
    program,
    async run(argv: string[]): Promise<ExitCode> {
      try {
        await program.parseAsync(helpTopicChecked(argv, program), { from: 'user' });
        return exitCode;
      } catch (err) {
        if (err instanceof CommanderError) {
          // --help and --version end with code 0; every other commander error is a usage error.
          return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
        }
        if (err instanceof CliError) {
          // An error without a message (a closed output pipe) ends quietly.
          if (err.message !== '') io.stderr.write(`relay-atif: ${printable(err.message, true)}\n`);
          return err.exitCode;
        }
        throw err;
      }
    },
  };
}

/**
 * `help NAME` of a NAME that is no command: commander prints the root help alone (exit 2) without
 * saying why. Parsed as `NAME`, it is reported as `relay-atif NAME` is: "unknown command 'NAME'"
 * (with a suggestion when a command is close), then the help.
 */
function helpTopicChecked(argv: string[], program: Command): string[] {
  const [first, topic, ...rest] = argv;
  // `help help`: commander finds no command named help, and ended silently with exit 2; the root help
  // (which lists `help [command]`) is the answer.
  if (first === 'help' && topic === 'help') return ['--help'];
  if (first !== 'help' || topic === undefined || topic.startsWith('-')) return argv;
  return program.commands.some((c) => c.name() === topic || c.aliases().includes(topic)) ? argv : [topic, ...rest];
}
