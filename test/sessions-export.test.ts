/**
 * Ports of the session_tests.rs tests (relay-cli.md §4.6, S16–S23) that check the ATIF the
 * reference's observability plugin writes from the session's events. Offline, the emitted ATOF
 * events go through relay-atif's exporter with the `relay-0.3` profile (the reference exporter),
 * one trajectory per top-level scope, with `extra.observed_events` as the plugin writes it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveFixes } from '../src/profiles/fixes.js';
import type { Trajectory } from '../src/atif/types.js';
import { adaptHook, seededUuids, type NormalizedEvent } from '../src/hooks/index.js';
import { canonicalJson } from '../src/json/stringify.js';
import type { Json, JsonObject } from '../src/json/value.js';
import { convertEvents } from '../src/pipeline/stream.js';
import { agentEnded, agentStarted, Harness, hookMark, llmEnded, llmStarted, promptSubmitted } from './fixtures/sessions/harness.js';

const OPTIONS = { agent: { name: 'NeMo Relay', version: '0.3.0' }, fixes: resolveFixes('relay-0.3'), observedEvents: true, dedupe: true };

function trajectories(h: Harness): Trajectory[] {
  return convertEvents(h.events, OPTIONS).trajectories.flatMap((c) => (c.trajectory ? [c.trajectory] : []));
}

/** The trajectory whose observed events carry `sessionId` (the Rust helper `read_atif_for_session`). */
function forSession(h: Harness, sessionId: string): Trajectory & { extra?: { observed_events?: JsonObject[] } } {
  const found = trajectories(h).find((t) => canonicalJson(t as unknown as Json).includes(`"session_id":${JSON.stringify(sessionId)}`));
  assert.ok(found, `expected a trajectory for session ${sessionId}`);
  return found as Trajectory & { extra?: { observed_events?: JsonObject[] } };
}

function hermes(h: Harness, payloads: Json[]): void {
  for (const payload of payloads) h.apply(adaptHook('hermes', payload, { ids: seededUuids('hermes-export', 1_780_000_000_000) }).events as NormalizedEvent[]);
}

describe('session_tests.rs (relay-cli.md §4.6): ATIF from session events', () => {
  it('writes_atif_on_session_end_from_plugin_config', () => {
    const h = new Harness();
    const headers = { 'x-nemo-relay-session-metadata': '{"team":"coverage"}', 'x-nemo-relay-gateway-mode': 'required' };
    h.apply(
      [
        agentStarted({ sessionId: 'atif-session', agentKind: 'codex', eventName: 'sessionStart', payload: { start: true }, metadata: { agent: 'codex' } }),
        promptSubmitted({ sessionId: 'atif-session', agentKind: 'codex', payload: { prompt: 'hello' } }),
        agentEnded({ sessionId: 'atif-session', agentKind: 'codex', eventName: 'sessionEnd', payload: { done: true } }),
      ],
      headers,
    );
    const atif = forSession(h, 'atif-session');
    const observed = atif.extra?.observed_events ?? [];
    assert.ok(observed.length >= 2);
    assert.equal(observed[0].name, 'codex-turn');
    // The session config from the batch headers is on the turn scope.
    assert.deepEqual([(observed[0].metadata as JsonObject).team, (observed[0].metadata as JsonObject).gateway_mode], ['coverage', 'required']);
  });

  it('duplicate_agent_end_does_not_overwrite_atif_with_empty_session', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'dup-end' }), promptSubmitted({ sessionId: 'dup-end', payload: { prompt: 'hello' } }), agentEnded({ sessionId: 'dup-end', payload: { done: true } })]);
    const first = forSession(h, 'dup-end').extra?.observed_events?.length ?? 0;
    assert.ok(first > 0);
    h.apply([agentEnded({ sessionId: 'dup-end', payload: { done_again: true } })]);
    assert.equal(forSession(h, 'dup-end').extra?.observed_events?.length, first);
    assert.equal(trajectories(h).length, 1, 'no second, empty trajectory');
  });

  it('writes_hermes_api_hook_usage_to_atif_metrics', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'hermes-usage', agentKind: 'hermes', eventName: 'on_session_start' }),
      llmStarted({ sessionId: 'hermes-usage', apiCallId: 'hermes-usage:task-1:1', modelName: 'qwen', request: { model: 'qwen' } }),
      llmEnded({ sessionId: 'hermes-usage', apiCallId: 'hermes-usage:task-1:1', modelName: 'qwen', request: {}, response: { usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 3 } } } }),
      agentEnded({ sessionId: 'hermes-usage', agentKind: 'hermes', eventName: 'on_session_finalize' }),
    ]);
    const atif = forSession(h, 'hermes-usage') as unknown as JsonObject & { steps: JsonObject[]; final_metrics: JsonObject };
    assert.equal(atif.subagent_trajectories, undefined);
    const metrics = atif.steps[1].metrics as JsonObject;
    assert.deepEqual([metrics.prompt_tokens, metrics.completion_tokens, metrics.cached_tokens], [10, 5, 3]);
    const totals = atif.final_metrics;
    assert.deepEqual([totals.total_prompt_tokens, totals.total_completion_tokens, totals.total_cached_tokens], [10, 5, 3]);
  });

  it('hermes_uncorrelatable_pre_tool_call_does_not_create_shutdown_trajectory', () => {
    const h = new Harness();
    hermes(h, [
      { hook_event_name: 'on_session_start', session_id: 'hermes-main' },
      { hook_event_name: 'pre_tool_call', task_id: 'task-1', tool_name: 'terminal', tool_input: { command: 'pwd' } },
      { hook_event_name: 'on_session_finalize', session_id: 'hermes-main' },
    ]);
    h.tick();
    h.manager.closeAll('gateway_shutdown');
    const serialized = canonicalJson(trajectories(h) as unknown as Json);
    assert.ok(serialized.includes('hermes-main'));
    assert.ok(!serialized.includes('task-1'));
    assert.ok(!serialized.includes('gateway_shutdown'));
  });

  it('hermes_turn_end_snapshots_atif_without_boundary_system_step', () => {
    const h = new Harness();
    hermes(h, [
      { hook_event_name: 'on_session_start', session_id: 'hermes-clean' },
      { hook_event_name: 'pre_api_request', session_id: 'hermes-clean', extra: { task_id: 'task-1', api_call_count: 1, provider: 'custom', model: 'qwen', request: { method: 'POST', body: { model: 'qwen', messages: [{ role: 'user', content: 'hello' }] } } } },
      { hook_event_name: 'post_api_request', session_id: 'hermes-clean', extra: { task_id: 'task-1', api_call_count: 1, provider: 'custom', model: 'qwen', response: { assistant_message: { role: 'assistant', content: 'done' }, usage: { prompt_tokens: 10, completion_tokens: 5 } } } },
      { hook_event_name: 'on_session_end', session_id: 'hermes-clean' },
    ]);
    const atif = forSession(h, 'hermes-clean') as unknown as JsonObject & { steps: JsonObject[] };
    assert.equal(atif.subagent_trajectories, undefined);
    assert.deepEqual(atif.steps.map((s) => s.source), ['user', 'agent']);
  });

  it('hermes_orphan_subagent_stop_exports_readable_mark_with_lineage', () => {
    const h = new Harness();
    hermes(h, [
      { hook_event_name: 'on_session_start', session_id: 'hermes-orphan' },
      { hook_event_name: 'subagent_stop', session_id: 'hermes-orphan', extra: { subagent_id: 'worker-1', child_status: 'completed' } },
      { hook_event_name: 'on_session_finalize', session_id: 'hermes-orphan' },
    ]);
    const atif = forSession(h, 'hermes-orphan') as unknown as JsonObject & { steps: Array<JsonObject & { extra: JsonObject & { event_payload: JsonObject; ancestry: JsonObject } }> };
    assert.equal(atif.subagent_trajectories, undefined);
    assert.equal(atif.steps.length, 1);
    const step = atif.steps[0];
    assert.equal(step.source, 'system');
    assert.equal(step.message, 'subagent_stop');
    assert.equal(step.extra.event_payload.hook_event_name, 'subagent_stop');
    assert.equal((step.extra.event_payload.extra as JsonObject).subagent_id, 'worker-1');
    assert.equal(step.extra.ancestry.function_name, 'subagent_end_without_start');
    assert.equal(step.extra.ancestry.parent_name, 'hermes-turn');
  });

  it('hermes_subagent_child_session_embeds_non_empty_atif_trajectory', () => {
    const h = new Harness();
    hermes(h, [
      { hook_event_name: 'on_session_start', session_id: 'parent-session' },
      { hook_event_name: 'subagent_start', session_id: 'parent-session', extra: { child_goal: 'read plugin yaml', child_role: 'leaf', child_session_id: 'child-session', child_subagent_id: 'sa-1', parent_turn_id: 'parent-turn-1', telemetry_schema_version: 'hermes.observer.v1' } },
      { hook_event_name: 'on_session_start', session_id: 'child-session' },
      { hook_event_name: 'pre_api_request', session_id: 'child-session', extra: { task_id: 'child-task', api_call_count: 1, provider: 'custom', model: 'qwen', request: { body: { model: 'qwen', messages: [{ role: 'user', content: 'read plugin yaml' }] } } } },
      { hook_event_name: 'post_api_request', session_id: 'child-session', extra: { task_id: 'child-task', api_call_count: 1, provider: 'custom', model: 'qwen', response: { assistant_message: { role: 'assistant', content: 'name: nemo_flow' }, usage: { prompt_tokens: 3, completion_tokens: 2 } } } },
      { hook_event_name: 'on_session_end', session_id: 'child-session' },
      { hook_event_name: 'subagent_stop', session_id: 'parent-session', extra: { child_session_id: 'child-session', child_status: 'completed' } },
      { hook_event_name: 'on_session_finalize', session_id: 'parent-session' },
    ]);
    const atif = forSession(h, 'parent-session') as unknown as JsonObject & { subagent_trajectories: Array<JsonObject & { steps: JsonObject[] }> };
    assert.ok(Array.isArray(atif.subagent_trajectories) && atif.subagent_trajectories.length > 0);
    const child = atif.subagent_trajectories[0];
    assert.equal(child.session_id, 'child-session');
    assert.deepEqual(child.steps.slice(0, 2).map((s) => s.source), ['user', 'agent']);
    assert.equal(child.subagent_trajectories, undefined);
    assert.ok(!canonicalJson(atif as unknown as Json).includes('subagent_end_without_start'));
  });

  it('empty_hook_marks_do_not_create_empty_atif_steps', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'empty-mark', agentKind: 'hermes', eventName: 'on_session_start' }),
      hookMark({ sessionId: 'empty-mark', agentKind: 'hermes', eventName: 'unknown' }),
      agentEnded({ sessionId: 'empty-mark', agentKind: 'hermes', eventName: 'on_session_finalize' }),
    ]);
    const atif = forSession(h, 'empty-mark') as unknown as JsonObject & { steps: JsonObject[] };
    assert.deepEqual(atif.steps, []);
    assert.equal(atif.subagent_trajectories, undefined);
  });
});
