import type { Styles } from './palette.js';
import { cell, renderTable } from './table.js';
import type { StepReport } from './step-report.js';

/** `explain --step N --trajectory ID`: the events behind one written step and the decisions on it. */
export function renderStep(r: StepReport, s: Styles): string {
  const out = [`${s.head(`step ${r.step_id}`)} of trajectory ${s.id(r.trajectory_id)}: ${r.source}${r.timestamp ? ` at ${r.timestamp}` : ''}`];
  if (!r.origin) out.push('  origin not recorded');
  else {
    out.push(`  produced by ${r.origin.kind} from ${r.origin.events.length} event(s):`);
    out.push(
      ...renderTable(
        r.origin.events.map((e) => [
          cell(e.uuid, s.id),
          cell(e.name),
          cell([e.kind, e.category, e.scope_category].filter(Boolean).join(' ')),
          cell(e.timestamp),
          cell(e.file ? `${e.file}:${e.line}` : '', s.dim),
        ]),
        '    ',
      ),
    );
  }
  if (r.span) {
    const extra = [
      r.span.suppressed_by.length > 0 ? `suppressed by ${r.span.suppressed_by.join(', ')}` : '',
      r.span.absorbed_from.length > 0 ? `absorbed metrics of ${r.span.absorbed_from.join(', ')}` : '',
    ].filter(Boolean);
    out.push(`  LLM span ${s.id(r.span.uuid)} ${r.span.name}: ${s.state(r.span.state)}${extra.length ? ` (${extra.join('; ')})` : ''}`);
    out.push(s.dim(`  (explain --span ${r.span.uuid} shows its pair decisions)`));
  }
  if (r.gateway_call) {
    const cut = r.gateway_call.response_not_read;
    out.push(`  gateway capture ${s.id(r.gateway_call.capture_id)}${cut !== undefined ? s.warn(`: response not read in full (${cut}); the step holds what was read`) : ''}`);
    out.push(s.dim(`  (explain --request ${r.gateway_call.capture_id} shows how it was attributed)`));
  }
  if (r.fixes) out.push(`  changed by fix: ${r.fixes.join(', ')} (relay-atif profiles describes each)`);
  if (r.tool_step?.rule === 'TOOLSTEP_BOUNDARY') out.push(`  projected tool-call cleanup: ${r.tool_step.rule} (not an agent step: it ends the run of agent steps the cleanup compares)`);
  else if (r.tool_step) out.push(`  projected tool-call cleanup: ${r.tool_step.rule}${r.tool_step.detail ? ` (${r.tool_step.detail})` : ''}`);
  if (r.tool_results.length > 0) {
    out.push('  tool results in this step:');
    out.push(
      ...renderTable(
        r.tool_results.map((t) => [cell(t.tool, s.id), cell(t.name), cell(t.rule), cell(t.source_call_id ?? 'no id'), cell(t.placement ?? '')]),
        '    ',
      ),
    );
  }
  return out.join('\n') + '\n';
}
