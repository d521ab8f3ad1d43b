import type { Styles } from './palette.js';
import type { AliasDecision, AttributionLog, GatewayAttribution } from '../sessions/attribution.js';
import { isObject, type Json, type JsonObject } from '../json/value.js';
import type { SpanConversion, WrittenStep } from './request-outcome.js';

/**
 * `explain --request`: the recorded attribution of one gateway call, and what the conversion did with
 * its LLM span, rendered for people. The JSON form is the {@link GatewayAttribution} records themselves
 * with a `conversion` ({@link SpanConversion}), keys in snake_case ({@link attributionsJson}).
 */

export type RequestLookup =
  | { kind: 'found'; attributions: GatewayAttribution[] }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'unknown'; captureIds: string[] };

/** A capture id (exact), else a unique prefix of a capture id or of an LLM span uuid. */
export function lookupRequest(log: AttributionLog, query: string): RequestLookup {
  const byCapture = log.forCapture(query);
  if (byCapture.length > 0) return { kind: 'found', attributions: byCapture };
  const captureIds = [...new Set(log.all.map((a) => a.captureId))];
  const captures = query === '' ? [] : captureIds.filter((id) => id.startsWith(query));
  const wanted = query.toLowerCase();
  const spans = log.llmSpans().filter((uuid) => uuid.startsWith(wanted));
  if (captures.length + spans.length > 1) return { kind: 'ambiguous', candidates: [...captures, ...spans] };
  if (captures.length === 1) return { kind: 'found', attributions: log.forCapture(captures[0]) };
  if (spans.length === 1) return { kind: 'found', attributions: [log.forLlmSpan(spans[0]) as GatewayAttribution] };
  return { kind: 'unknown', captureIds };
}

/**
 * `conversion`: what the conversion did with the call's LLM span (absent when it has none, or when
 * its events came too late for any trajectory).
 */
export function renderRequest(a: GatewayAttribution, conversion: SpanConversion | undefined, s: Styles): string {
  const out: string[] = [];
  const where = a.origin ? `  (${a.origin.file}:${a.origin.line})` : '';
  out.push(`${s.head('request')} ${s.id(a.captureId)}  ${a.method} ${a.path} → ${a.provider}${s.dim(where)}`);
  out.push(`  arrived ${a.startedAt}${a.endedAt ? `, completed ${a.endedAt}` : ', never completed'}; outcome ${a.outcome}${a.responseNotRead !== undefined ? s.warn(`, response not read in full: ${a.responseNotRead}`) : ''}`);
  if (a.lateEvents !== undefined) out.push(`  ${s.warn(describeLate(a.lateEvents))}`);
  out.push(s.head('session id chain') + s.dim(' (the first link that applies wins)'));
  const chain = a.chain.links;
  const width = Math.max(...chain.map((l) => l.length));
  const chosen = a.chain.link === undefined ? chain.length : chain.indexOf(a.chain.link);
  chain.forEach((link, i) => {
    const name = link.padEnd(width);
    const rejected = a.chain.rejected.find((r) => r.link === link);
    if (i === chosen) out.push(`  ${i + 1} ${s.rule(name)}  ${s.good('chose')} ${JSON.stringify(a.chain.sessionId)}`);
    else if (rejected) out.push(`  ${i + 1} ${s.rule(name)}  ${s.dim('no:')} ${rejected.detail} ${s.dim(`[${rejected.reason}]`)}`);
    else out.push(`  ${i + 1} ${s.rule(name)}  ${s.dim('not reached')}`);
  });
  if (a.chain.link === undefined) out.push(`  ${s.warn('no link applied')}: the request names no session`);
  if (a.chain.fix !== undefined) out.push(`  changed by fix: ${a.chain.fix} (relay-atif profiles describes it)`);
  out.push(`${s.head('alias')}    ${describeAlias(a.alias, s)}`);
  out.push(`${s.head('session')}  ${s.rule(a.selection.rule)} → ${s.id(a.selection.sessionId)} ${describeSelection(a)}`);
  const o = a.owner;
  const parent = o.parentScopeUuid ? ` under ${o.parentScopeName ?? 'scope'} ${s.id(o.parentScopeUuid)}` : '';
  const source = o.source !== undefined ? `, source ${o.source}` : '';
  out.push(`${s.head('owner')}    ${s.rule(o.rule)} → llm_correlation_status ${o.status}${source}${o.subagentId ? `, subagent ${o.subagentId}` : ''}${parent}`);
  if (o.fix !== undefined) out.push(`           ${OWNER_FIX_WORDING[o.fix]}; changed by fix: ${o.fix}`);
  for (const skip of o.skipped) out.push(`           ${s.dim(`${skip.rule}: ${skip.reason}`)}`);
  const noSpan = o.rule === 'STARTUP_PROBE' ? 'none (the probe is forwarded without LLM events: no turn, no step)' : 'none (an unmanaged stream emits no LLM events)';
  out.push(`${s.head('LLM span')} ${a.llmSpan ? s.id(a.llmSpan) : s.dim(noSpan)}`);
  if (a.answerFixes !== undefined) out.push(`  ${s.dim('answer')}      read with fix: ${a.answerFixes.join(', ')} (each changed the answer; relay-atif profiles describes each)`);
  if (a.llmSpan !== undefined) out.push(...renderConversion(conversion, a, s));
  return out.join('\n') + '\n';
}

/**
 * What became of the call in the output, as the conversion recorded it: its dedupe state (by which
 * span and rule it was suppressed, and where that span's steps are) and the steps it wrote, or why
 * there are none. A call that wrote nothing must say so: its answer is not in the output.
 */
function renderConversion(c: SpanConversion | undefined, a: GatewayAttribution, s: Styles): string[] {
  if (c === undefined) {
    // Said above when its events came too late; else its group was never converted (a stopped run).
    return a.lateEvents?.includes('start') ? [] : [`  ${s.warn('in no trajectory of the output')}`];
  }
  const out = [`  ${s.dim('trajectory')}  ${s.id(c.trajectoryId)}`];
  out.push(`  ${s.dim('dedupe')}      ${s.state(c.state)}${c.eligibility === 'CANDIDATE' ? '' : ` (${c.eligibility})`}`);
  for (const by of c.suppressedBy) {
    const rule = by.rule !== undefined ? `, rule ${s.rule(by.rule)}${by.fix !== undefined ? ` (fix ${by.fix})` : ''}` : '';
    const where = by.steps.length > 0 ? `; that span wrote ${by.steps.map((st) => stepText(st, c)).join(', ')}` : '; that span wrote no step either';
    out.push(`              suppressed by ${s.id(by.span)} (${by.name})${rule}${where}`);
  }
  if (c.steps.length > 0) out.push(`  ${s.dim('steps')}       ${c.steps.map((st) => stepText(st, c)).join(', ')}`);
  else out.push(`  ${s.dim('steps')}       ${s.warn('none')}: ${noStepReason(c)}`);
  for (const r of c.removedSteps) out.push(`              its ${r.source} step was removed by the projected tool-call cleanup (${s.rule(r.rule)}): its tool calls are all in a later agent step`);
  return out;
}

/** A written step, with its trajectory when it is a subagent's (not the top-level one named above). */
function stepText(st: WrittenStep, c: SpanConversion): string {
  return `step ${st.stepId} (${st.source})${st.trajectoryId === c.trajectoryId ? '' : ` of trajectory ${st.trajectoryId}`}`;
}

/** Why a span wrote no step, from its recorded dedupe state and eligibility and the cleanup's decisions. */
function noStepReason(c: SpanConversion): string {
  if (c.state === 'SPAN_SUPPRESSED') return 'a suppressed span writes no step (both its events are skipped): this call\'s answer is not in the output as its own';
  if (c.eligibility === 'NOT_CANDIDATE_TOKEN_COUNT') return 'a token count is no inference and writes no step (fix count-tokens-calls)';
  if (c.removedSteps.length > 0) return 'the step it wrote was removed (below)';
  return `no step holds its events (dedupe ${c.state}, ${c.eligibility})`;
}

/** What each fix that can change an owner decision did, as the report says it. */
const OWNER_FIX_WORDING: Readonly<Record<NonNullable<GatewayAttribution['owner']['fix']>, string>> = {
  'codex-client-metadata-session': 'the subagent is the Codex thread the request names (client_metadata.thread_id)',
  'claude-code-agent-header': 'the subagent is the Claude Code agent the request names (x-claude-code-agent-id)',
  'claude-startup-probe': 'a Claude Code startup probe (max_tokens 1, the single user message "test", no turn open)',
};

/** What came too late for the output: the LLM end alone (the response is missing), or the whole call. */
function describeLate(late: ReadonlyArray<'start' | 'end'>): string {
  const lost = late.includes('start') ? 'the call is' : 'the response is';
  return `its LLM ${late.join(' and ')} came after its top-level scope was written, as live: ${lost} not in the output`;
}

function describeAlias(alias: AliasDecision, s: Styles): string {
  switch (alias.rule) {
    case 'NO_SESSION_ID':
      return `${s.rule(alias.rule)}: nothing to rewrite`;
    case 'NO_ALIAS':
      return `${s.rule(alias.rule)}: ${JSON.stringify(alias.sessionId)} is no aliased child session and no child start waits for it`;
    case 'ALIAS_REWRITE':
      return `${s.rule(alias.rule)}: child session ${JSON.stringify(alias.childSessionId)} is subagent ${JSON.stringify(alias.subagentId)} of ${JSON.stringify(alias.parentSessionId)}`;
    case 'PENDING_CHILD_PROMOTED':
      return `${s.rule(alias.rule)}: the waiting start of child ${JSON.stringify(alias.childSessionId)} became subagent ${JSON.stringify(alias.subagentId)} of ${JSON.stringify(alias.parentSessionId)}`;
    case 'PENDING_CHILD_DISCARDED':
      return `${s.rule(alias.rule)}: child ${JSON.stringify(alias.childSessionId)} already had activity, so its waiting start was dropped`;
  }
}

function describeSelection(a: GatewayAttribution): string {
  const created = a.selection.createdSession ? `(created, agent kind ${a.selection.agentKind ?? 'gateway'} from the provider)` : '(existing session)';
  switch (a.selection.rule) {
    case 'SESSION_ID':
      return created;
    case 'SINGLE_ACTIVE_SESSION':
      return `(no session id: the only session the gateway held)`;
    case 'GATEWAY_FALLBACK_SESSION':
      return `(no session id, and the gateway did not hold exactly one session: all unattributed traffic shares it) ${created}`;
  }
}

/**
 * Attributions as `--json` prints them: the keys in snake_case, as in every other JSON document of
 * the CLI (the recorded data is camelCase, as the code is). Every key of an attribution is a field
 * name of ours, never input data, so the conversion cannot touch what was read.
 */
export function attributionsJson(attributions: readonly GatewayAttribution[], conversionOf: (a: GatewayAttribution) => SpanConversion | undefined = () => undefined): Json {
  return snakeKeys(attributions.map((a) => ({ ...a, conversion: conversionOf(a) })) as unknown as Json);
}

function snakeKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = snakeKeys(x);
  return out;
}
