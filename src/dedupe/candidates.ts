import type { AtofEvent } from '../ingest/atof.js';
import { profileModelName } from '../ingest/atof.js';
import type { Nanos } from '../ingest/time.js';
import { canonicalJson } from '../json/stringify.js';
import { isObject, type Json } from '../json/value.js';
import { isTokenCountCall } from '../providers/anthropic.js';
import { unwrapLlmRequest } from '../providers/content.js';
import { extractUserMessage } from '../providers/request.js';
import { isErrorAnswer } from '../providers/response.js';
import { SEED_RULES, type ProviderRules } from '../providers/rules.js';
import { ResponseReadings } from '../providers/readings.js';
import type { PromotedToolCall } from '../providers/tool-calls.js';
import { extractMetrics, withAnnotatedCost, withOptimizationSummary, type Metrics } from '../providers/usage.js';
import { groupBy } from '../util/group-by.js';
import { eventFidelity, gatewayMarker, hookMarker, nonExactMarker, type Fidelity } from './fidelity.js';
import { collectKeys, type CorrelationKeys } from './keys.js';

export type Eligibility = 'CANDIDATE' | 'NOT_CANDIDATE_NO_START' | 'NOT_CANDIDATE_NO_END' | 'NOT_CANDIDATE_START_NO_DATA' | 'NOT_CANDIDATE_END_NO_DATA' | 'NOT_CANDIDATE_TOKEN_COUNT';

/** A flag with the event and metadata key that set it (for explain). */
export interface Marker {
  event: 'start' | 'end';
  key: string;
}

/** One complete LLM span as the dedupe pass compares it. Signatures are computed once, here. */
export interface SpanCandidate {
  uuid: string;
  name: string;
  parentUuid?: string;
  startTs: Nanos;
  endTs: Nanos;
  requestSignature: string;
  requestBranch: string;
  responseSignature: string;
  /** With signature-tool-calls: the seed's message-only signature, so explain can name the fix when only tool calls differ. */
  responseMessageSignature?: string;
  responseBranch: string;
  keys: CorrelationKeys;
  modelName?: string;
  modelFrom?: 'start' | 'end';
  score: number;
  startFidelity: Fidelity;
  endFidelity: Fidelity;
  endMetrics?: Metrics;
  hook?: Marker;
  gateway?: Marker;
  nonExact?: Marker;
  /** The end lists tool calls (they still feed tool correlation when the span is suppressed). */
  endHasToolCalls: boolean;
  /** The provider's id of the answer (`chatcmpl-…`, `resp_…`, `msg_…`): each call's answer has its own. */
  responseId?: string;
  /** The end holds a provider's error answer (`{"error": {…}}`): a failed attempt, not an answer. */
  errorAnswer?: true;
}

/** How candidates read payloads: the seed's rules unless fixes say otherwise. */
export interface CandidateOptions {
  /** Provider-shape rules for the response message and tool calls (anthropic-tool-use). */
  rules?: ProviderRules;
  /** The response signature covers the promoted tool calls too (signature-tool-calls, HEAD #205). */
  signatureToolCalls?: boolean;
  /** Response readings shared with the rest of the conversion (made here when absent); their rules win over `rules`. */
  readings?: ResponseReadings;
}

/** Every uuid seen with category `llm`, with its eligibility and (when eligible) its candidate. */
export interface LlmSpan {
  uuid: string;
  name: string;
  eligibility: Eligibility;
  candidate?: SpanCandidate;
  startCount: number;
  endCount: number;
}

/**
 * Groups `llm` events by uuid (the last start and last end in time order win) and builds candidates
 * for spans with a start and an end that both carry data. `events` must be timestamp-sorted.
 */
export function collectLlmSpans(events: readonly AtofEvent[], options: CandidateOptions = {}): LlmSpan[] {
  const opts = options.readings ? options : { ...options, readings: new ResponseReadings(options.rules ?? SEED_RULES) };
  const groups = new Map<string, { start?: AtofEvent; end?: AtofEvent; name: string; starts: number; ends: number }>();
  for (const e of events) {
    if (e.category !== 'llm') continue;
    let g = groups.get(e.uuid);
    if (!g) groups.set(e.uuid, (g = { name: e.name, starts: 0, ends: 0 }));
    if (e.scopeCategory === 'start') {
      g.start = e;
      g.starts++;
    } else if (e.scopeCategory === 'end') {
      g.end = e;
      g.ends++;
    }
  }
  const spans: LlmSpan[] = [];
  for (const [uuid, g] of groups) {
    const name = g.start?.name ?? g.end?.name ?? g.name;
    // Fix count-tokens-calls: a token count is no inference, so no call's duplicate either.
    const tokenCount = opts.readings!.rules.tokenCountCalls === true && isTokenCountCall(name);
    const span: LlmSpan = { uuid, name, eligibility: tokenCount ? 'NOT_CANDIDATE_TOKEN_COUNT' : eligibility(g.start, g.end), startCount: g.starts, endCount: g.ends };
    if (span.eligibility === 'CANDIDATE') span.candidate = buildCandidate(uuid, g.start!, g.end!, opts);
    spans.push(span);
  }
  return spans;
}

/** Candidates per parent, each list in the given order (spans without a parent are in no pair that can match). */
export function candidatesByParent(candidates: Iterable<SpanCandidate>): Map<string, SpanCandidate[]> {
  return groupBy(candidates, (c) => c.parentUuid);
}

function eligibility(start: AtofEvent | undefined, end: AtofEvent | undefined): Eligibility {
  if (!start) return 'NOT_CANDIDATE_NO_START';
  if (!end) return 'NOT_CANDIDATE_NO_END';
  if (start.data === undefined) return 'NOT_CANDIDATE_START_NO_DATA';
  if (end.data === undefined) return 'NOT_CANDIDATE_END_NO_DATA';
  return 'CANDIDATE';
}

function buildCandidate(uuid: string, start: AtofEvent, end: AtofEvent, opts: CandidateOptions): SpanCandidate {
  const readings = opts.readings!;
  const request = extractUserMessage(unwrapLlmRequest(start.data!));
  const response = readings.messageOf(end.data!);
  const toolCalls = readings.toolCallsOf(end.data!);
  const keys: CorrelationKeys = new Map();
  collectKeys('start', start.metadata, start.data, keys);
  collectKeys('end', end.metadata, end.data, keys);
  const startFidelity = eventFidelity(start.metadata);
  const endFidelity = eventFidelity(end.metadata);
  const messageSignature = canonicalJson(response.value);
  const c: SpanCandidate = {
    uuid,
    name: start.name,
    startTs: start.ts,
    endTs: end.ts,
    requestSignature: canonicalJson(request.value),
    requestBranch: request.branch,
    // HEAD's signature is {message, tool_calls}: tool-only answers with different calls differ.
    responseSignature: opts.signatureToolCalls ? withToolCallsSignature(messageSignature, toolCalls) : messageSignature,
    responseBranch: response.branch,
    keys,
    score: Math.max(startFidelity.score, endFidelity.score),
    startFidelity,
    endFidelity,
    endHasToolCalls: toolCalls !== undefined,
  };
  if (opts.signatureToolCalls) c.responseMessageSignature = messageSignature;
  const parent = start.parentUuid ?? end.parentUuid;
  if (parent) c.parentUuid = parent;
  const startModel = profileModelName(start);
  const endModel = profileModelName(end);
  if (startModel !== undefined) [c.modelName, c.modelFrom] = [startModel, 'start'];
  else if (endModel !== undefined) [c.modelName, c.modelFrom] = [endModel, 'end'];
  const read = extractMetrics(end.data!, readings.rules);
  // Fix annotated-response-cost: the end's annotated cost is its metrics' too, so it is passed on to a
  // merged partner's step as the response's own cost would be.
  const costed = readings.rules.annotatedResponseCost ? withAnnotatedCost(read, end.categoryProfile).metrics : read;
  // Fix llm-optimization-summary: likewise the end's optimization summary.
  const metrics = readings.rules.llmOptimizationSummary ? withOptimizationSummary(costed, end.categoryProfile).metrics : costed;
  if (metrics) c.endMetrics = metrics;
  const responseId = isObject(end.data) ? end.data.id : undefined;
  if (typeof responseId === 'string' && responseId !== '') c.responseId = responseId;
  if (isErrorAnswer(end.data!)) c.errorAnswer = true;
  const hook = marker(hookMarker, start, end);
  const gateway = marker(gatewayMarker, start, end);
  const nonExact = marker(nonExactMarker, start, end);
  if (hook) c.hook = hook;
  if (gateway) c.gateway = gateway;
  if (nonExact) c.nonExact = nonExact;
  return c;
}

/** The key a marker test finds in the start's metadata, else in the end's. */
function marker(find: (m: AtofEvent['metadata']) => string | undefined, start: AtofEvent, end: AtofEvent): Marker | undefined {
  const s = find(start.metadata);
  if (s) return { event: 'start', key: s };
  const e = find(end.metadata);
  return e ? { event: 'end', key: e } : undefined;
}

/**
 * canonicalJson({message, tool_calls}) from the message's own signature: the keys are in sorted
 * order, so the message text is spliced in rather than printed a second time.
 */
function withToolCallsSignature(messageSignature: string, calls: readonly PromotedToolCall[] | undefined): string {
  return `{"message":${messageSignature},"tool_calls":${canonicalJson(toolCallsJson(calls))}}`;
}

/** Promoted tool calls as JSON (they are plain objects in ATIF's shape), `null` when there are none. */
function toolCallsJson(calls: readonly PromotedToolCall[] | undefined): Json {
  return calls ? (calls as unknown as Json[]) : null;
}
