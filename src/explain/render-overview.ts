import type { ChecksJson } from './pairs.js';
import type { Styles } from './palette.js';
import { formatDuration } from './format.js';
import type { ShortIdMarkers } from './short-id-markers.js';
import { cell, markedCell, renderTable, type Cell } from './table.js';
import { joinInChunks } from '../util/text-chunks.js';
import type { PairRow, SpanRow, TrajectoryOverview } from './table-report.js';

/** What the overview (and the dedupe diff) print when no trajectory was read. */
export const NO_TRAJECTORIES = 'no trajectories (no events)\n';

/**
 * One trajectory's part of the overview: spans, non-candidates, pairs and per-rule counts. Short span
 * ids are left as markers (`marks`), filled in once every span of the input is known; parts follow
 * each other with a blank line between them. Printed in chunks (see joinInChunks): the part of one
 * trajectory of half a million spans is longer than a string may be.
 */
export function renderTrajectory(t: TrajectoryOverview, profile: string, s: Styles, marks: ShortIdMarkers): string[] {
  const spans = new Set(t.spans.map((r) => r.span));
  // Tables with short ids: the candidates (0), the non-candidates (1) and the pairs (2).
  const id = (uuid: string, table: number, col = 0) => markedCell(marks.mark(spans.has(uuid) ? 'id' : 'uuid', uuid, table, col));
  const head = (text: string, table: number, col = 0) => markedCell(marks.mark('head', text, table, col));
  const lines = [s.head(`trajectory ${t.session_id}`) + s.dim(` (${t.mode} mode, profile ${profile})`)];
  const candidates = t.spans.filter((r) => r.eligibility === 'CANDIDATE');
  const others = t.spans.filter((r) => r.eligibility !== 'CANDIDATE');
  lines.push('', s.head(`LLM span candidates (${candidates.length})`));
  if (candidates.length > 0) {
    const header = [head('span', 0), ...['name', 'source', 'model', 'start', 'length', 'fidelity', 'state', 'warnings'].map((h) => cell(h, s.dim))];
    for (const line of renderTable([header, ...candidates.map((r) => [id(r.span, 0), ...spanCells(r, s)])])) lines.push(line);
  } else lines.push('  (none)');
  if (others.length > 0) {
    const tokenCounts = others.some((r) => r.eligibility === 'NOT_CANDIDATE_TOKEN_COUNT') ? '; a token count writes no step' : '';
    lines.push('', s.head(`Not candidates (${others.length}): never compared, passed through as is${tokenCounts}`));
    for (const line of renderTable(others.map((r) => [id(r.span, 1), cell(r.name), cell(r.eligibility, s.warn)]))) lines.push(line);
  }
  const unlisted = t.unlisted_pairs ?? 0;
  const total = t.pairs.length + unlisted;
  const matchedLeft = t.unlisted_matched_pairs ?? 0;
  const which = matchedLeft > 0 ? `the first ${t.pairs.length} of the ${t.pairs.length + matchedLeft} that matched (explain --span lists any span's)` : `the ${t.pairs.length} that matched`;
  lines.push(
    '',
    s.head(`Pairs past the parent check (${total}, in evaluation order)`) +
      (unlisted > 0 ? s.dim(` — too many to list: only ${which}; the other ${unlisted} are counted per rule below`) : ''),
  );
  if (t.pairs.length > 0) {
    const header = [head('left', 2, 0), head('right', 2, 1), cell('rule', s.dim), cell('outcome', s.dim)];
    for (const line of renderTable([header, ...t.pairs.map((p) => [id(p.left, 2, 0), id(p.right, 2, 1), cell(p.rule, s.rule), cell(pairOutcome(p))])])) lines.push(line);
  } else lines.push('  (none)');
  const counts = Object.entries(t.rule_counts);
  if (counts.length > 0) {
    lines.push('', s.head('Pairs per rule'));
    for (const line of renderTable(counts.map(([rule, n]) => [cell(rule, s.rule), cell(String(n))]))) lines.push(line);
  }
  return joinInChunks(lines.map((line) => line + '\n'));
}

/** A candidate's cells after its span id. */
function spanCells(r: SpanRow, s: Styles): Cell[] {
  return [
    cell(r.name),
    cell(r.source ?? ''),
    cell(r.model ?? '-'),
    cell(r.window?.start ?? ''),
    cell(r.window ? formatDuration(BigInt(r.window.duration_ns)) : ''),
    cell(r.fidelity === undefined ? '' : String(r.fidelity)),
    cell(r.state, s.state),
    cell(r.warnings.join(' '), s.warn),
  ];
}

/**
 * One line saying what a pair's rule meant here, and the fix that changed it, if one did; then what a
 * fix did without changing the verdict (metrics dedupe-chain-metrics passed on).
 */
export function pairOutcome(p: PairRow): string {
  let text = ruleOutcome(p);
  if (p.fix) text = `${text}${text === '' ? '' : ' '}[fix ${p.fix}]`;
  if (p.metrics_passed_on) {
    const [from, via] = p.suppressed === p.left ? ['left', 'right'] : ['right', 'left'];
    text += `; ${from}'s metrics went on via ${via} to ${p.metrics_passed_on.to.join(', ')} (fix ${p.metrics_passed_on.fix}, verdict unchanged)`;
  }
  return text;
}

const TIE_BROKEN_BY: Record<string, string> = { GATEWAY_ONLY: 'gateway-only span', EARLIER_START: 'earlier start', SMALLER_UUID: 'smaller uuid' };
const TIE_KEPT_BECAUSE: Record<string, string> = {
  DISTINCT_KEYS: 'correlation keys differ',
  DISTINCT_RESPONSE_IDS: 'provider response ids differ',
  WINDOWS_ONLY_TOUCH: 'windows only touch',
};

/** What dedupe-tie-break decided, when it looked at the tie: how it broke it, or why it did not. */
function tieBreakNote(c: ChecksJson): string {
  const t = c.tie_break;
  if (!t) return '';
  return t.pass ? `, tie broken by ${TIE_BROKEN_BY[t.by!] ?? t.by}` : `; not broken (${t.fix}): ${TIE_KEPT_BECAUSE[t.reason!] ?? t.reason}`;
}

/** What a pair's rule meant here, from the values its checks recorded. */
function ruleOutcome(p: PairRow): string {
  const c: ChecksJson = p.checks;
  switch (p.rule) {
    case 'MERGED_SAME_PAYLOAD':
    case 'MERGED_COMPLEMENTARY_REQUEST_SIGNATURE':
    case 'MERGED_COMPLEMENTARY_CORRELATION_KEY':
      return `${p.suppressed === p.left ? 'left' : 'right'} suppressed: fidelity ${c.fidelity?.left} vs ${c.fidelity?.right}${tieBreakNote(c)}`;
    case 'KEPT_EQUAL_FIDELITY':
      return `same request (${p.basis}) but fidelity ties at ${c.fidelity?.left}: both kept${tieBreakNote(c)}`;
    case 'KEPT_CROSS_ROUND':
      return `matched, but one side is already the same call as ${c.rounds?.kept_with}, which does not overlap the other side: both kept`;
    case 'KEPT_MODEL_MISMATCH':
      return `models ${JSON.stringify(c.model?.left)} vs ${JSON.stringify(c.model?.right)}`;
    case 'KEPT_NO_OVERLAP':
      return `windows ${formatDuration(BigInt(c.overlap?.gap_ns ?? '0'))} apart`;
    case 'KEPT_NOT_COMPLEMENTARY':
      return `${differing(c)}; ${c.complementary?.reason}`;
    case 'KEPT_NO_SHARED_KEY':
      return `${differing(c)}; no shared correlation key`;
    default:
      return '';
  }
}

function differing(c: ChecksJson): string {
  const which = [c.payload?.request_equal ? '' : 'request', c.payload?.response_equal ? '' : 'response'].filter(Boolean);
  return `${which.join(' and ')} signature${which.length > 1 ? 's differ' : ' differs'}`;
}
