/**
 * The exit-code table. These numbers are part of the CLI's contract: documented in the README and
 * never renumbered.
 */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** Completed with problems: --strict skips or rejections, a validate failure, a diff difference. */
  PROBLEMS: 1,
  /** Usage error, or an input that does not exist. */
  USAGE: 2,
  /** An input could not be read or parsed at all. */
  UNREADABLE: 3,
  /** An output could not be written. */
  OUTPUT: 4,
  /** Stdout was closed by its reader before the output ended (the status of a process SIGPIPE ends). */
  BROKEN_PIPE: 141,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The status of a run that failed on a bug of its own (an exception no command turned into one of the
 * codes above), its stack printed as "relay-atif: internal error: …": EX_SOFTWARE of sysexits.h. Kept
 * out of EXIT on purpose: the fuzzer's "an exit code from the table" must not accept it.
 */
export const INTERNAL_ERROR = 70;

/** An error that ends the command with a given exit code and a message for stderr. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(EXIT.USAGE, message);
