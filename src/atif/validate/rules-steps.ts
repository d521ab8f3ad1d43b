import { error, quote, warning, type Finding } from './finding.js';
import { isPythonIsoTimestamp, isRfc3339DateTime } from './iso-timestamp.js';
import { STEP_SOURCES } from './model.js';
import type { JsonPath } from './path.js';
import { comparePyNumbers, hasProp, isNone, isPyBlank, isPyDict, isPyInt, prop, pyNumberText } from './py-values.js';
import type { RuleContext } from './rule-context.js';
import { V1_2, V1_8, atLeast } from './versions.js';

/** Fields that only make sense on a step produced by the LLM (R3). */
const AGENT_ONLY_FIELDS = ['model_name', 'reasoning_effort', 'reasoning_content', 'tool_calls', 'metrics'] as const;

/** R2: `steps[i].step_id == i + 1`; reported once, at the first step out of sequence. */
export function* stepIdSequence(steps: readonly unknown[], at: JsonPath): Generator<Finding> {
  let first: { index: number; stepId: string } | undefined;
  let outOfSequence = 0;
  steps.forEach((step, index) => {
    const stepId = isPyDict(step) ? prop(step, 'step_id') : undefined;
    if (!isPyInt(stepId) || comparePyNumbers(stepId, index + 1) === 0) return;
    outOfSequence++;
    first ??= { index, stepId: pyNumberText(stepId) };
  });
  if (!first) return;
  const note = outOfSequence === 1 ? '' : ` (${outOfSequence} steps out of sequence in total)`;
  yield error(
    [...at, first.index, 'step_id'],
    'step-id-sequence',
    `step_ids must be sequential from 1: expected ${first.index + 1}, got ${first.stepId}${note}`,
  );
}

/** Cross-field rules of one step (its structure is checked by the model). */
export function* stepRules(step: unknown, at: JsonPath, ctx: RuleContext): Generator<Finding> {
  if (!isPyDict(step)) return;
  const source = prop(step, 'source');
  const knownSource = typeof source === 'string' && (STEP_SOURCES as readonly string[]).includes(source);
  if (knownSource && source !== 'agent') yield* agentOnlyFields(step, at, source);
  if (source === 'agent') yield* deterministicDispatch(step, at);
  if (knownSource) yield* observationSource(step, at, source, ctx);
  yield* contextManagement(step, at, knownSource ? source : undefined);
  yield* toolCallReferences(step, at, ctx);
  yield* timestampStyle(step, at);
}

function* agentOnlyFields(step: Record<string, unknown>, at: JsonPath, source: string): Generator<Finding> {
  for (const key of AGENT_ONLY_FIELDS) {
    if (!isNone(prop(step, key))) {
      yield error(
        [...at, key],
        'agent-only-field',
        `field ${quote(key)} is only allowed on agent steps, but source is ${quote(source)}`,
      );
    }
  }
}

/** R4: `llm_call_count: 0` marks a deterministic (non-LLM) dispatch, which has no metrics or reasoning. */
function* deterministicDispatch(step: Record<string, unknown>, at: JsonPath): Generator<Finding> {
  const count = prop(step, 'llm_call_count');
  if (!isPyInt(count) || comparePyNumbers(count, 0) !== 0) return;
  for (const key of ['metrics', 'reasoning_content']) {
    if (!isNone(prop(step, key))) {
      yield error(
        [...at, key],
        'llm-call-count-zero',
        `field ${quote(key)} must be absent when llm_call_count is 0 (deterministic, non-LLM dispatch)`,
      );
    }
  }
}

function* observationSource(
  step: Record<string, unknown>,
  at: JsonPath,
  source: string,
  ctx: RuleContext,
): Generator<Finding> {
  if (isNone(prop(step, 'observation'))) return;
  if (source === 'user') {
    yield warning([...at, 'observation'], 'observation-source', 'observations are described for agent and system steps only');
  } else if (source === 'system' && !atLeast(ctx.version, V1_2)) {
    yield warning(
      [...at, 'observation'],
      'observation-source',
      'observations on system steps were introduced in ATIF-v1.2',
    );
  }
}

/** RFC §VII: `extra.context_management = {type, boundary}`, defined for system steps. */
function* contextManagement(step: Record<string, unknown>, at: JsonPath, source: string | undefined): Generator<Finding> {
  const extra = prop(step, 'extra');
  if (!isPyDict(extra) || !hasProp(extra, 'context_management')) return;
  const cm = prop(extra, 'context_management');
  const cmPath = [...at, 'extra', 'context_management'];
  if (!isPyDict(cm) || typeof prop(cm, 'type') !== 'string' || typeof prop(cm, 'boundary') !== 'string') {
    yield warning(cmPath, 'context-management', "context_management should be an object with string 'type' and 'boundary'");
  }
  if (source !== undefined && source !== 'system') {
    yield warning(cmPath, 'context-management', 'the context_management convention is defined for system steps');
  }
}

/**
 * R7 and R13: each `source_call_id` names a tool call of the same step; tool_call_ids are unique
 * within a step (an error from v1.8 on, a warning before).
 */
function* toolCallReferences(step: Record<string, unknown>, at: JsonPath, ctx: RuleContext): Generator<Finding> {
  const firstIndexById = new Map<string, number>();
  const toolCalls = prop(step, 'tool_calls');
  if (Array.isArray(toolCalls)) {
    for (const [index, call] of toolCalls.entries()) {
      if (!isPyDict(call)) continue;
      const callPath = [...at, 'tool_calls', index];
      yield* blankToolCallNames(call, callPath);
      const id = prop(call, 'tool_call_id');
      if (typeof id !== 'string') continue;
      const first = firstIndexById.get(id);
      if (first === undefined) {
        firstIndexById.set(id, index);
        continue;
      }
      const message = `tool_call_id ${quote(id)} is repeated within the step (first at tool_calls[${first}])`;
      const idPath = [...callPath, 'tool_call_id'];
      yield atLeast(ctx.version, V1_8)
        ? error(idPath, 'duplicate-tool-call-id', message)
        : warning(idPath, 'duplicate-tool-call-id', message);
    }
  }
  const observation = prop(step, 'observation');
  const results = isPyDict(observation) ? prop(observation, 'results') : undefined;
  if (!Array.isArray(results)) return;
  for (const [index, result] of results.entries()) {
    const sourceCallId = isPyDict(result) ? prop(result, 'source_call_id') : undefined;
    if (typeof sourceCallId !== 'string' || firstIndexById.has(sourceCallId)) continue;
    yield error(
      [...at, 'observation', 'results', index, 'source_call_id'],
      'source-call-id',
      `source_call_id ${quote(sourceCallId)} does not match any tool_call_id in this step's tool_calls`,
    );
  }
}

function* blankToolCallNames(call: Record<string, unknown>, at: JsonPath): Generator<Finding> {
  for (const key of ['tool_call_id', 'function_name']) {
    const value = prop(call, key);
    if (typeof value === 'string' && isPyBlank(value)) yield warning([...at, key], 'empty-string', `${key} is empty`);
  }
}

/** Timestamps the reference accepts but that are not RFC 3339 with an offset (date-only, naive, ...). */
function* timestampStyle(step: Record<string, unknown>, at: JsonPath): Generator<Finding> {
  const timestamp = prop(step, 'timestamp');
  if (typeof timestamp !== 'string' || !isPythonIsoTimestamp(timestamp) || isRfc3339DateTime(timestamp)) return;
  yield warning(
    [...at, 'timestamp'],
    'timestamp-style',
    `accepted ISO 8601 form but not RFC 3339 date-time with an explicit offset (e.g. 2026-01-15T10:30:00.123Z): ${quote(timestamp)}`,
  );
}
