import chalk, { Chalk, type ChalkInstance } from 'chalk';

export interface ColorContext {
  env: Record<string, string | undefined>;
  stdoutIsTTY?: boolean;
  /** false after `--no-color`. */
  color?: boolean;
}

/**
 * The chalk instance for human output: no colours under NO_COLOR (set and non-empty, per no-color.org),
 * FORCE_COLOR=0 or TERM=dumb, with --no-color, or when stdout is not a terminal. FORCE_COLOR set to a
 * level (1, 2, 3, true, or empty: 16 colours, as Node and chalk read it) asks for colours where they would
 * be off, stdout piped included (`| less -R`, a CI log that renders them); it was ignored there. --no-color
 * and NO_COLOR still win over it: they are the user's own "no", where FORCE_COLOR is often set by a tool
 * for its children (`node --test` on a terminal does), and no-color.org's NO_COLOR is meant to hold
 * whatever else asks. An instance, not the global, so tests and concurrent commands never share a level.
 */
export function chalkFor(ctx: ColorContext): ChalkInstance {
  const noColorEnv = ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '';
  if (noColorEnv || ctx.color === false) return new Chalk({ level: 0 });
  const forced = forcedLevel(ctx.env.FORCE_COLOR);
  if (forced !== undefined) return new Chalk({ level: forced });
  // The other conventions a terminal user may rely on: FORCE_COLOR=0 and a dumb terminal.
  const declined = ctx.env.FORCE_COLOR === '0' || ctx.env.FORCE_COLOR === 'false' || ctx.env.TERM === 'dumb';
  const off = declined || !ctx.stdoutIsTTY;
  return new Chalk({ level: off ? 0 : Math.max(chalk.level, 1) as 1 | 2 | 3 });
}

/** The level FORCE_COLOR asks for (Node's values: 1, true or empty 16 colours, 2 256, 3 16 million); else undefined. */
function forcedLevel(value: string | undefined): 1 | 2 | 3 | undefined {
  if (value === undefined) return undefined;
  if (value === '' || value === '1' || value === 'true') return 1;
  if (value === '2' || value === '3') return Number(value) as 2 | 3;
  return undefined;
}

/** The styles of a chalk level (0: none), as a worker thread rebuilds those of the main thread. */
export function stylesOfLevel(level: number): Styles {
  return stylesFor(new Chalk({ level: Math.min(3, Math.max(0, level)) as 0 | 1 | 2 | 3 }));
}

/** Semantic styles shared by explain and diff, so a rule or state looks the same everywhere. */
export interface Styles {
  head(s: string): string;
  id(s: string): string;
  dim(s: string): string;
  warn(s: string): string;
  good(s: string): string;
  bad(s: string): string;
  rule(rule: string): string;
  state(state: string): string;
}

export function stylesFor(c: ChalkInstance): Styles {
  return {
    head: (s) => c.bold(s),
    id: (s) => c.cyan(s),
    dim: (s) => c.dim(s),
    warn: (s) => c.yellow(s),
    good: (s) => c.green(s),
    bad: (s) => c.red(s),
    rule: (r) => (r.startsWith('MERGED_') ? c.green(r) : r === 'KEPT_EQUAL_FIDELITY' ? c.yellow(r) : c.dim(r)),
    state: (s) =>
      s === 'SPAN_SUPPRESSED' ? c.red(s) : s === 'SPAN_SURVIVOR' ? c.green(s) : s === 'SPAN_KEPT_TIED' ? c.yellow(s) : c.dim(s),
  };
}
