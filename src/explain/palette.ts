import chalk, { Chalk, type ChalkInstance } from 'chalk';

export interface ColorContext {
  env: Record<string, string | undefined>;
  stdoutIsTTY?: boolean;
  /** false after `--no-color`. */
  color?: boolean;
}

/**
 * The chalk instance for human output: no colours under NO_COLOR (set and non-empty, per no-color.org),
 * FORCE_COLOR=0 or TERM=dumb, with --no-color, or when stdout is not a terminal. An instance, not the global, so tests and
 * concurrent commands never share a level.
 */
export function chalkFor(ctx: ColorContext): ChalkInstance {
  const noColorEnv = ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '';
  // The other conventions a terminal user may rely on: FORCE_COLOR=0 and a dumb terminal.
  const declined = ctx.env.FORCE_COLOR === '0' || ctx.env.FORCE_COLOR === 'false' || ctx.env.TERM === 'dumb';
  const off = noColorEnv || declined || ctx.color === false || !ctx.stdoutIsTTY;
  return new Chalk({ level: off ? 0 : Math.max(chalk.level, 1) as 1 | 2 | 3 });
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
