import { canonicalJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';
import type { ChecksJson, FlagsJson } from './pairs.js';
import type { Styles } from './palette.js';
import { formatDuration, truncate } from './format.js';
import { cell, renderTable } from './table.js';
import type { SpanPairJson, SpanReport } from './span-report.js';
import { PLACEMENT_TEXT, TOOL_RULE_TEXT, type ToolReport } from './tool-report.js';

const SIG_WIDTH = 100;

/** `explain --span` for an LLM span: facts, every pair decision with its checks, state, metrics, warnings. */
export function renderSpan(r: SpanReport, s: Styles): string {
  const out = [`${s.head('LLM span')} ${s.id(r.span)}  ${r.name}  ${s.dim(`(trajectory ${r.session_id})`)}`];
  const suppressors = r.suppressed_by.length > 0 ? ` by ${r.suppressed_by.join(', ')}` : '';
  const facts: Array<[string, string]> = [['state', s.state(r.state) + suppressors], ['eligibility', r.eligibility]];
  if (r.events.starts > 1 || r.events.ends > 1) facts.push(['events', `${r.events.starts} starts, ${r.events.ends} ends (the last of each counts)`]);
  const f = r.facts;
  if (f) {
    facts.push(
      ['parent', f.parent ?? 'none (root-level spans are never merged)'],
      ['model', f.model ? `${f.model.name} (category_profile.model_name of the ${f.model.from})` : 'none (compatible with any)'],
      ['window', `${f.window.start} → ${f.window.end} (${formatDuration(BigInt(f.window.duration_ns))})`],
      ['source', f.source],
      ['hook', markerText(f.markers.hook)],
      ['gateway', markerText(f.markers.gateway)],
      ['non-exact', markerText(f.markers.non_exact)],
      ['request', `${f.request.branch}  ${truncate(f.request.signature, SIG_WIDTH)}`],
      ['response', `${f.response.branch}  ${truncate(f.response.signature, SIG_WIDTH)}`],
      ['fidelity', `${f.fidelity.score} = max(start ${f.fidelity.start.rule} ${f.fidelity.start.score}, end ${f.fidelity.end.rule} ${f.fidelity.end.score})`],
      ['end metrics', metricsText(f.end_metrics)],
    );
    if (f.end_has_tool_calls) facts.push(['tool calls', 'its end lists tool calls (they feed tool correlation even when the span is suppressed)']);
  }
  for (const line of renderTable(facts.map(([k, v]) => [cell(k, s.dim), cell(v)]))) out.push(line);
  if (f && f.keys.length > 0) {
    out.push('', s.head('Correlation keys'));
    for (const line of renderTable(f.keys.map((k) => [cell(k.key), cell(k.origins.map((o) => `${o.event} ${o.source} ${o.path}`).join('; '), s.dim)]))) out.push(line);
  } else if (f) out.push('', s.head('Correlation keys') + ' (none)');

  out.push('', s.head(`Pair decisions (${r.pairs.length}, in evaluation order)`));
  if (!f) out.push(`  none: ${r.eligibility}, so the span was never compared`);
  else if (f.parent === null) out.push('  none: without a parent every pair is KEPT_NO_PARENT');
  else if (r.pairs.length === 0) out.push('  none: no other candidate under this parent');
  r.pairs.forEach((p, i) => out.push(...renderPair(p, i + 1, s)));
  if (r.other_parents.length > 0) {
    out.push('', s.head(`Overlapping candidates under another parent (${r.other_parents.length}): never merged`));
    out.push(
      ...renderTable(
        r.other_parents.map((p) => {
          const [mine, theirs] = p.side === 'left' ? [p.checks.parent.left, p.checks.parent.right] : [p.checks.parent.right, p.checks.parent.left];
          return [cell(p.other, s.id), cell(p.other_name), cell(p.rule, s.rule), cell(`parent ${theirs ?? 'none'} (this span: ${mine ?? 'none'})`, s.dim)];
        }),
      ),
    );
  }

  out.push('', s.head('Metrics'));
  const m = r.metrics;
  const metricLines: Array<[string, string]> = [];
  if (m.supplemental !== null) metricLines.push(['absorbed', `${metricsText(m.supplemental)} from ${m.absorbed_from.join(', ')} (fill-missing: its own values win)`]);
  if (m.given_to.length > 0) metricLines.push(['given', `its end metrics went to ${m.given_to.join(', ')} (fill-missing)`]);
  // A span it gave them to was suppressed in its turn: say where they ended, as that span's report does.
  for (const g of m.given_on ?? []) {
    metricLines.push(['', g.to.length > 0 ? `${g.via} is suppressed itself: they went on to ${g.to.join(', ')} (fix ${g.fix})` : `${g.via} is suppressed itself: they reach no step (W_METRICS_LOST on it)`]);
  }
  if (m.passed_on !== null) metricLines.push(['passed on', `metrics absorbed from ${m.absorbed_from.join(', ')} went on to ${m.passed_on.to.join(', ')} (fix ${m.passed_on.fix})`]);
  if (m.lost !== null) metricLines.push(['lost', `${metricsText(m.lost)} absorbed from ${m.absorbed_from.join(', ')} reach no step: this span is suppressed`]);
  if (metricLines.length === 0) metricLines.push(['moved', 'nothing']);
  for (const line of renderTable(metricLines.map(([k, v]) => [cell(k, s.dim), cell(v)]))) out.push(line);

  out.push('', s.head('Steps in the output'));
  if (r.steps.length === 0) out.push(`  none${r.state === 'SPAN_SUPPRESSED' ? ': both events of a suppressed span are skipped' : ''}`);
  else for (const line of renderTable(r.steps.map((st) => [cell(`step ${st.step_id}`), cell(st.source), cell(`trajectory ${st.trajectory_id}`, s.dim)]))) out.push(line);
  for (const st of r.removed_steps ?? []) {
    out.push(`  its ${st.source} step (trajectory ${st.trajectory_id}) was removed by the projected tool-call cleanup, ${s.rule(st.rule)}: content-less, its tool calls all observed in a later agent step`);
    if (st.metrics !== null) out.push(`    its metrics ${metricsText(st.metrics)} reach no step and no total`);
  }
  if (r.warnings.length > 0) {
    out.push('', s.head('Warnings'));
    for (const line of r.warnings.map((w) => `  ${s.warn(w)}`)) out.push(line);
  }
  return out.join('\n') + '\n';
}

function renderPair(p: SpanPairJson, n: number, s: Styles): string[] {
  const c = p.checks;
  // Checks are recorded left/right; print them as this span / the other span.
  const mine = <T>(l: T, r: T): [T, T] => (p.side === 'left' ? [l, r] : [r, l]);
  const mark = (pass: boolean) => (pass ? s.good('✓') : s.bad('✗'));
  const rows: Array<[string, string, string]> = [];
  const [pThis, pOther] = mine(c.parent.left, c.parent.right);
  rows.push(['parent', mark(c.parent.pass), `${pThis ?? 'none'} ${c.parent.pass ? '=' : 'vs'} ${pOther ?? 'none'}`]);
  if (c.model) {
    const [a, b] = mine(c.model.left, c.model.right);
    rows.push(['model', mark(c.model.pass), a === null || b === null ? `${a ?? 'none'} / ${b ?? 'none'} (a missing name is compatible)` : `${a} ${c.model.pass ? '=' : '≠'} ${b}`]);
  }
  if (c.overlap) {
    const gap = BigInt(c.overlap.gap_ns);
    const what = c.overlap.touching ? 'windows touch (closed intervals overlap)' : gap < 0n ? `windows share ${formatDuration(-gap)}` : `windows are ${formatDuration(gap)} apart (no tolerance)`;
    rows.push(['overlap', mark(c.overlap.pass), `${what}; gap ${c.overlap.gap_ns} ns`]);
  }
  if (c.payload) {
    const eq = (b: boolean) => (b ? 'equal' : 'differs');
    rows.push(['payload', mark(c.payload.pass), `request ${eq(c.payload.request_equal)}, response ${eq(c.payload.response_equal)}`]);
    // The other span's signatures, where they differ from this span's (printed under its facts).
    if (c.payload.request && !c.payload.request_equal) rows.push(['', '', `other request  ${truncate(mine(c.payload.request.left, c.payload.request.right)[1], SIG_WIDTH)}`]);
    if (c.payload.response && !c.payload.response_equal) rows.push(['', '', `other response ${truncate(mine(c.payload.response.left, c.payload.response.right)[1], SIG_WIDTH)}`]);
  }
  if (c.complementary) {
    const [a, b] = mine(c.complementary.left, c.complementary.right);
    const flags = a && b ? ` (this: ${flagsText(a)}; other: ${flagsText(b)})` : '';
    const hook = c.complementary.hook_side === undefined ? '' : (c.complementary.hook_side === p.side ? 'this span' : 'the other span') + ' is the non-exact hook, its counterpart is gateway-instrumented';
    rows.push(['complementary', mark(c.complementary.pass), (c.complementary.reason ?? hook) + flags]);
  }
  if (c.evidence) {
    const e = c.evidence;
    const pass = e.request_signature || e.shared_keys.length > 0;
    let text = e.request_signature
      ? 'request signatures equal (evidence = request signature only: the last user message)'
      : e.shared_keys.length > 0
        ? `shared keys ${e.shared_keys.join(', ')}`
        : 'request signatures differ and no key is shared';
    if (!pass && e.left_keys && e.right_keys) {
      const [a, b] = mine(e.left_keys, e.right_keys);
      text += ` (this: ${a.join(', ') || 'none'}; other: ${b.join(', ') || 'none'})`;
    }
    rows.push(['evidence', mark(pass), text]);
  }
  if (c.fidelity) {
    const [a, b] = mine(c.fidelity.left, c.fidelity.right);
    // The decision says who was suppressed: a fix can break a tie (dedupe-tie-break) or keep a pair apart (dedupe-cross-round).
    const loser = p.suppressed === undefined ? '' : p.suppressed === p.other ? 'the other span is suppressed' : 'this span is suppressed';
    const verdict = loser === '' ? (a === b ? 'tie: both kept' : 'both kept') : a === b ? `tie broken: ${loser}` : loser;
    rows.push(['fidelity', a === b ? s.warn('=') : mark(true), `this ${a} vs other ${b}: ${verdict}`]);
  }
  if (c.rounds) rows.push(['rounds', mark(c.rounds.pass), `one side is already the same call as ${c.rounds.kept_with}, whose window does not overlap the other side: a different round`]);
  if (c.tie_break) rows.push(['tie-break', mark(c.tie_break.pass), `${tieBreakText(c.tie_break, p.side)} (fix ${c.tie_break.fix})`]);
  if (p.metrics_passed_on) {
    const [whose, via] = p.suppressed === p.other ? ["the other span's", 'this span'] : ["this span's", 'the other span'];
    rows.push(['metrics', '→', `${whose} metrics, taken by ${via}, went on to ${p.metrics_passed_on.to.join(', ')} (fix ${p.metrics_passed_on.fix}; the verdict is unchanged)`]);
  }
  const basis = p.basis && !p.rule.endsWith(p.basis) ? s.dim(` (basis ${p.basis})`) : '';
  const head = `  ${n}. vs ${s.id(p.other)} ${p.other_name}  ${s.rule(p.rule)}${basis}${p.fix ? s.warn(` [changed by fix ${p.fix}]`) : ''}`;
  return [head, ...renderTable(rows.map(([k, m, v]) => [cell(k, s.dim), cell(m), cell(v)]), '     ')];
}

const TIE_BROKEN_BY: Record<string, string> = {
  GATEWAY_ONLY: 'the gateway-only span over a hook span',
  EARLIER_START: 'the earlier start',
  SMALLER_UUID: 'the smaller uuid (same start)',
};

/** What dedupe-tie-break decided about a tie, as recorded, from the side of the span shown. */
function tieBreakText(t: NonNullable<ChecksJson['tie_break']>, side: 'left' | 'right'): string {
  const mine = <T>(l: T, r: T): [T, T] => (side === 'left' ? [l, r] : [r, l]);
  if (t.pass) return `broken: ${t.kept === side ? 'this span' : 'the other span'} stays, by ${TIE_BROKEN_BY[t.by!] ?? t.by}`;
  switch (t.reason) {
    case 'DISTINCT_KEYS': {
      const [a, b] = mine(t.keys!.left, t.keys!.right);
      return `not broken: both carry correlation keys of one kind and share none (this: ${a.join(', ')}; other: ${b.join(', ')}): two calls`;
    }
    case 'DISTINCT_RESPONSE_IDS': {
      const [a, b] = mine(t.response_ids!.left, t.response_ids!.right);
      return `not broken: the answers carry different provider response ids (this: ${a}; other: ${b}): two calls with one request`;
    }
    case 'WINDOWS_ONLY_TOUCH':
      return 'not broken: the windows only touch (one call ending as the next identical one starts is more likely a repeat)';
    default:
      return `not broken: ${t.reason}`;
  }
}

function markerText(m: { event: string; key: string } | null): string {
  return m ? `yes: metadata key ${m.key} on the ${m.event}` : 'no';
}

function flagsText(f: FlagsJson): string {
  const on = [f.hook && 'hook', f.gateway && 'gateway', f.non_exact && 'non-exact'].filter(Boolean);
  return on.length > 0 ? on.join('+') : 'no markers';
}

function metricsText(m: Json | null): string {
  return m === null ? 'none' : truncate(canonicalJson(m), SIG_WIDTH);
}

/** `explain --span` for a tool span: its correlation rule and where its result went. */
export function renderTool(r: ToolReport, s: Styles): string {
  const out = [`${s.head('tool span')} ${s.id(r.tool)}  ${r.name}  ${s.dim(`(trajectory ${r.session_id})`)}`];
  r.links.forEach((l, i) => {
    if (r.links.length > 1) out.push(s.dim(`  tool end ${i + 1} of ${r.links.length}`));
    const rows: Array<[string, string]> = [
      ['rule', `${l.rule}: ${TOOL_RULE_TEXT[l.rule]}`],
      ['source_call_id', l.source_call_id ?? 'none'],
      ['placement', l.placement ? `${l.placement}: ${PLACEMENT_TEXT[l.placement]}` : 'not recorded'],
      ['step', l.step ? `step ${l.step.step_id} (${l.step.source}) of trajectory ${l.step.trajectory_id}` : 'none'],
    ];
    for (const line of renderTable(rows.map(([k, v]) => [cell(k, s.dim), cell(v)]))) out.push(line);
  });
  return out.join('\n') + '\n';
}
