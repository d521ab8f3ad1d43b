import { getOwn, isObject, type Json } from '../json/value.js';
import type { Styles } from '../explain/palette.js';
import { shortJson } from '../explain/format.js';
import { NO_TRAJECTORIES } from '../explain/render-overview.js';
import { cell, renderTable } from '../explain/table.js';
import { changedBy, type DedupeDiff, type DedupeDiffReport, type RemovedStep } from './dedupe-diff.js';
import type { Difference } from './json-diff.js';
import { profileLabel } from '../profiles/fixes.js';

const VALUE_WIDTH = 80;

/** A step as a name (`agent step 4 of openrouter`), anything else as short JSON. */
function describe(v: Json | undefined): string {
  if (isObject(v) && typeof v.source === 'string' && getOwn(v, 'step_id') !== undefined) {
    const extra = getOwn(v, 'extra');
    const ancestry = isObject(extra) ? getOwn(extra, 'ancestry') : undefined;
    const fn = isObject(ancestry) ? getOwn(ancestry, 'function_name') : undefined;
    return `${v.source} step ${shortJson(getOwn(v, 'step_id'))}${typeof fn === 'string' ? ` of ${fn}` : ''}`;
  }
  return shortJson(v, VALUE_WIDTH);
}

/** One line per difference: `~` changed, `-` only in A, `+` only in B, `↕` same step in another order. */
export function differenceLines(diffs: readonly Difference[], s: Styles, indent = ''): string[] {
  return diffs.map((d) => differenceLine(d, s, indent) + (d.note ? s.dim(` (${d.note})`) : ''));
}

function differenceLine(d: Difference, s: Styles, indent: string): string {
  const at = d.b_path ? `${d.path} ${s.dim('↔')} ${d.b_path}` : d.path;
  switch (d.kind) {
    case 'changed':
      return `${indent}${s.warn('~')} ${at}: ${describe(d.a)} → ${describe(d.b)}`;
    case 'removed':
      return `${indent}${s.bad('-')} ${at}: ${describe(d.a)}`;
    case 'added':
      return `${indent}${s.good('+')} ${at}: ${describe(d.b)}`;
    case 'moved':
      return `${indent}${s.warn('↕')} ${at}: the same step, in another order`;
  }
}

export function renderTrajectoryDiff(diffs: readonly Difference[], names: { a: string; b: string }, s: Styles): string {
  const head = s.dim(`A = ${names.a}, B = ${names.b}`);
  if (diffs.length === 0) return `${head}\n${s.good('equal')}\n`;
  const n = diffs.length;
  return [head, ...differenceLines(diffs, s), `${n} difference${n === 1 ? '' : 's'}`].join('\n') + '\n';
}

/** `diff [inputs...]`: per trajectory, what the dedupe pass removed and moved. */
export function renderDedupeDiff(r: DedupeDiffReport, s: Styles): string {
  if (r.trajectories.length === 0) return NO_TRAJECTORIES;
  const profile = profileLabel(r);
  return r.trajectories.map((t) => renderDedupeDiffTrajectory(t, profile, s)).join('');
}


/** One trajectory's part of {@link renderDedupeDiff} (the parts follow each other as they are); `profile` as profileLabel names it. */
export function renderDedupeDiffTrajectory(t: DedupeDiff, profile: string, s: Styles): string {
  const out: string[] = [];
  const parts = [`${t.removed_steps.length} step(s) removed`, `${t.moved_metrics.length} metric field(s) moved`];
  out.push(`${s.head(`trajectory ${t.session_id}`)} ${s.dim(`(without → with dedupe, profile ${profile})`)}: ${changedBy(t) ? parts.join(', ') : 'dedupe changed nothing'}`);
  if (t.removed_steps.length > 0) {
    out.push(s.head('  removed steps (numbered as without dedupe)'));
    pushAll(
      out,
      renderTable(
        t.removed_steps.map((x) => [
          cell(`step ${x.step_id}`),
          cell(x.source),
          cell(x.span, s.id),
          cell(x.span_name),
          cell(x.decisions.map((d) => (d.fix === undefined ? d.rule : `${d.rule} [fix ${d.fix}]`)).join(', '), s.rule),
          cell(x.decisions.map(keptText).join(', ')),
        ]),
        '    ',
      ),
    );
  }
  if (t.moved_metrics.length > 0) {
    out.push(s.head('  metrics moved to the kept span (numbered as with dedupe)'));
    pushAll(
      out,
      renderTable(
        t.moved_metrics.map((m) => [
          cell(`step ${m.step_id}`),
          cell(m.path),
          cell(`${m.without === null ? 'none' : shortJson(m.without, VALUE_WIDTH)} → ${m.with === null ? 'none' : shortJson(m.with, VALUE_WIDTH)}`),
          cell(`from ${m.from.join(', ')}`, s.dim),
        ]),
        '    ',
      ),
    );
  }
  if (t.final_metrics.length > 0) {
    out.push(s.head('  final metrics'));
    pushAll(out, differenceLines(t.final_metrics, s, '    '));
  }
  if (t.other_differences.length > 0) {
    out.push(s.head(`  other differences (${t.other_differences.length})`));
    pushAll(out, differenceLines(t.other_differences, s, '    '));
  }
  return out.join('\n') + '\n';
}

/** The span a pair kept; when that one was removed in its turn (a chain), the spans that stand for it in the output. */
function keptText(d: RemovedStep['decisions'][number]): string {
  const kept = `kept ${d.kept} ${d.kept_name}`;
  if (d.survivors.length === 1 && d.survivors[0].span === d.kept) return kept;
  const survivors = d.survivors.length === 0 ? 'none' : d.survivors.map((x) => `${x.span} ${x.name}`).join(' and ');
  return `${kept} (itself removed; in the output: ${survivors})`;
}

/**
 * Appends every line, one call each: `out.push(...lines)` passes the lines as arguments, and a table of
 * a few hundred thousand rows (the removed steps of one trajectory of 500,000 LLM spans) overflows the
 * call stack.
 */
function pushAll(out: string[], lines: Iterable<string>): void {
  for (const line of lines) out.push(line);
}
