import { InvalidArgumentError, Option } from 'commander';
import { FIXES, PROFILE_NAMES } from '../profiles/fixes.js';

export type CommandName = 'convert' | 'explain' | 'diff' | 'validate' | 'schema' | 'profiles' | 'events';

/** One row of the option table: commander, the help text and the README are all fed from here. */
export interface OptionSpec {
  flags: string;
  description: string;
  commands: readonly CommandName[];
  default?: string | boolean | string[];
  choices?: readonly string[];
  /** Repeatable: each use appends to a list. */
  repeatable?: boolean;
  /** A `--no-x <value>` option that is not commander's negation of `--x` stores under this key. */
  attribute?: string;
  /**
   * Its value names a file or directory: an empty one is refused as it is parsed (a usage error naming
   * the option), before anything is read. `-o "$OUT"` with OUT unset resolved '' to the current
   * directory and wrote trajectories there; `--report ''` failed only after the whole run (EISDIR).
   */
  path?: true;
  /**
   * Its value is an id that cannot be empty: refused as it is parsed (a usage error naming the option).
   * `--session-id "$RUN_ID"` with RUN_ID unset wrote a trajectory whose session_id was '' (in
   * `trajectory-_.json`, which every such run then wrote over).
   */
  id?: true;
}

const EXPORT: CommandName[] = ['convert', 'explain', 'diff'];
/** The commands whose human output has colours (profiles' listing and schema's JSON have none: they take no --no-color). */
const COLOURED: CommandName[] = ['explain', 'diff', 'validate'];
/** The raw-log fixes change the replay, so `events` takes the profile options too. */
const PROFILED: CommandName[] = [...EXPORT, 'events'];

export const OPTION_TABLE: readonly OptionSpec[] = [
  { flags: '-o, --output <path>', description: "'-' for NDJSON on stdout, a directory (existing, or ending in '/') for one file per trajectory, else one pretty JSON file", commands: ['convert'], default: '-', path: true },
  { flags: '--filename-template <template>', description: 'file name per trajectory in an output directory; must contain {session_id}', commands: ['convert'], default: 'trajectory-{session_id}.json' },
  { flags: '--session-id <id>', description: 'export every event as one trajectory with this session id (the exporter API) instead of one per top-level agent', commands: EXPORT, id: true },
  { flags: '--agent-name <name>', description: "agent.name of every trajectory (default: the session's agent, e.g. claude-code, with fix agent-identity; else 'NeMo Relay')", commands: EXPORT },
  { flags: '--agent-version <version>', description: "agent.version of every trajectory (default: the agent's version a request's User-Agent names, with fix agent-identity; else this converter's)", commands: EXPORT },
  { flags: '--model-name <name>', description: "agent.model_name ('' leaves it unset; default: the model the trajectory's agent steps used most, with fix agent-identity; else 'unknown')", commands: EXPORT },
  { flags: '--profile <name>', description: 'behaviour profile: default (reference + named fixes) or relay-0.3 (the reference, quirks included)', commands: PROFILED, default: 'default', choices: PROFILE_NAMES },
  { flags: '--fix <name>', description: 'enable a named fix on top of the profile (repeatable)', commands: PROFILED, repeatable: true, choices: FIXES.map((f) => f.name) },
  { flags: '--no-fix <name>', description: 'disable a named fix of the profile (repeatable)', commands: PROFILED, repeatable: true, choices: FIXES.map((f) => f.name), attribute: 'noFix' },
  { flags: '--no-observed-events', description: "leave out the root extra.observed_events (the raw ATOF events) that the reference plugin writes", commands: ['convert'] },
  { flags: '--no-dedupe', description: 'keep every LLM span (skip the hook/gateway dedupe pass)', commands: ['convert'] },
  { flags: '--strict', description: 'stop at the first input line skipped (blank lines aside) or rejected, naming it (exit 1)', commands: ['convert', 'events'] },
  { flags: '--strict', description: 'exit 1 when any input line was skipped (blank lines aside) or rejected', commands: ['explain'] },
  { flags: '--strict', description: 'exit 1 on a warning too, not only on an error', commands: ['validate'] },
  { flags: '--report <file>', description: 'write the line accounting and per-trajectory counts as JSON', commands: ['convert'], path: true },
  { flags: '--json', description: 'print the run summary as one JSON document on stderr (stdout keeps the trajectories)', commands: ['convert'] },
  { flags: '--json', description: 'print a machine-readable JSON report', commands: ['explain', 'diff', 'validate', 'profiles'] },
  { flags: '-q, --quiet', description: 'print no run summary on stderr', commands: ['convert', 'explain', 'diff', 'validate'] },
  { flags: '--no-progress', description: 'draw no progress bar (one is drawn on stderr while input files of 64 MiB or more are read, when stderr is a terminal)', commands: ['convert', 'explain', 'diff', 'events'] },
  { flags: '--verbose', description: 'print every kind of skipped or rejected line (not only the first five), each with its first line, on stderr', commands: ['convert', 'explain', 'diff', 'events'] },
  { flags: '--no-color', description: 'no colours in human output (also off when NO_COLOR is set, FORCE_COLOR=0, TERM=dumb, or stdout is not a TTY; FORCE_COLOR=1, 2 or 3 turns them on when piped)', commands: COLOURED },
  { flags: '--jobs <n>', description: 'work on N threads: the main one and N-1 workers (default: the number of cores; 1: the main thread only); the output is the same for every N (explain: the overview, --span and --step; diff: of event logs)', commands: ['convert', 'explain', 'diff'] },
  { flags: '--validate', description: 'validate every written trajectory (default: exit 1 when one is invalid)', commands: ['convert'] },
  { flags: '--require-version <label>', description: 'fail documents whose schema_version is not this label (e.g. ATIF-v1.7)', commands: ['validate'] },
  { flags: '--input', description: 'print the JSON Schema of the input record kinds instead', commands: ['schema'] },
  { flags: '--span <id>', description: 'explain one LLM or tool span: a full uuid or a unique prefix', commands: ['explain'] },
  { flags: '--step <n>', description: 'explain which events produced step N (with --trajectory)', commands: ['explain'] },
  { flags: '--trajectory <id>', description: 'the trajectory (session id or subagent trajectory id, or a prefix of only one) for --step; alone, limits the overview to it (not with --span or --request, which look in every trajectory)', commands: ['explain'] },
  { flags: '--agent <name>', description: 'the agent of bare hook payloads (lines with hook_event_name and no "record"): claude-code, codex, cursor or hermes', commands: ['convert', 'explain', 'diff', 'events'] },
  { flags: '--read-transcripts', description: "read the first line of each Codex session's transcript_path file, as the live hook does, to link a child thread to its parent thread when its hook does not name it (the output then depends on those files; a missing one is counted)", commands: ['convert', 'explain', 'diff', 'events'] },
  { flags: '--hook-clock-offset <seconds>', description: "add SECONDS (e.g. -3 or 2.5) to every hook record's time before the replay: for hooks logged on a host whose clock is apart from the gateway's, which the run summary says when calls contradict the hook times", commands: ['convert', 'explain', 'diff', 'events'] },
  { flags: '--request <id>', description: 'explain how one gateway call was attributed to a session: a capture id, or its LLM span uuid (or a unique prefix)', commands: ['explain'] },
  { flags: '-q, --quiet', description: 'print no run summary on stderr', commands: ['events'] },
];

/** The commander options of one command, built from the table. */
export function optionsFor(command: CommandName): Option[] {
  return OPTION_TABLE.filter((o) => o.commands.includes(command)).map((spec) => {
    const opt = new Option(spec.flags, spec.description);
    if (spec.choices && !spec.repeatable) opt.choices(spec.choices as string[]);
    if (spec.repeatable) {
      const allowed = spec.choices;
      opt.argParser((value: string, previous: string[] | undefined) => {
        if (allowed && !allowed.includes(value)) throw new InvalidArgumentError(`'${value}' is not one of: ${allowed.join(', ')}`);
        return [...(previous ?? []), value];
      });
    }
    if (spec.path) opt.argParser(nonEmptyPath);
    if (spec.id) opt.argParser(nonEmptyId);
    if (spec.attribute) {
      const attribute = spec.attribute;
      opt.negate = false;
      opt.attributeName = () => attribute;
    }
    if (spec.default !== undefined) opt.default(spec.default);
    return opt;
  });
}

/** The value of a path option, unless it is empty (commander's message then names the option). */
function nonEmptyPath(value: string): string {
  if (value === '') throw new InvalidArgumentError('A path cannot be empty (an unset shell variable?).');
  return value;
}

/** The value of an id option, unless it is empty (commander's message then names the option). */
function nonEmptyId(value: string): string {
  if (value === '') throw new InvalidArgumentError('An id cannot be empty (an unset shell variable?).');
  return value;
}
