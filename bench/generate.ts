import { createWriteStream, type WriteStream } from 'node:fs';
import { canonicalJson } from '../src/json/stringify.js';
import type { Json } from '../src/json/value.js';
import { rng } from '../test/support/rng.js';

/**
 * Deterministic generator of realistic ATOF streams for the benchmark: many coding-agent sessions,
 * each with turns, hook-reported and gateway-captured LLM calls of the same request (the duplicates the
 * dedupe pass merges), tool calls with results, and subagents. Same seed and size → same bytes.
 */


const WORDS = 'cache parser vector budget lease module token queue router worker planner schema trace replica window cursor buffer span branch ledger'.split(' ');
const TOOLS = ['read_file', 'write_file', 'terminal', 'search_files', 'web_search'];

export interface GenerateOptions {
  seed: number;
  targetBytes: number;
  /** Put every LLM call into one trajectory (the 100,000-span case) instead of many sessions. */
  singleTrajectoryLlmSpans?: number;
}

class Emitter {
  bytes = 0;
  events = 0;
  private ms = Date.UTC(2026, 5, 1);
  private counter = 0;
  constructor(private readonly out: WriteStream, private readonly r: () => number) {}
  uuid(): string {
    const n = (this.counter++).toString(16).padStart(12, '0');
    return `0198a000-0000-7000-8000-${n}`;
  }
  tick(max = 400): string {
    this.ms += 1 + Math.floor(this.r() * max);
    return new Date(this.ms).toISOString().replace('Z', '+00:00');
  }
  now(): string {
    return new Date(this.ms).toISOString().replace('Z', '+00:00');
  }
  async line(o: Record<string, unknown>): Promise<void> {
    // Written as NeMo-Relay's ATOF exporter writes: compact, keys sorted at every level.
    const text = canonicalJson({ kind: 'scope', atof_version: '0.1', attributes: [], data: null, data_schema: null, metadata: null, category_profile: null, ...o } as Json) + '\n';
    this.bytes += Buffer.byteLength(text);
    this.events++;
    if (!this.out.write(text)) await new Promise<void>((res) => this.out.once("drain", () => res()));
  }
  sentence(n: number): string {
    return Array.from({ length: n }, () => WORDS[Math.floor(this.r() * WORDS.length)]).join(' ');
  }
}

async function llmRound(g: Emitter, r: () => number, parent: string, prompt: string, withHook: boolean): Promise<string | undefined> {
  const hook = g.uuid();
  const gw = g.uuid();
  const model = 'qwen2.5:7b';
  const callId = `call_${g.uuid().slice(-8)}`;
  const tool = TOOLS[Math.floor(r() * TOOLS.length)];
  const wantsTool = r() < 0.6;
  const request = { messages: [{ role: 'system', content: 'You are a coding agent.' }, { role: 'user', content: prompt }], model, tools: TOOLS.map((name) => ({ type: 'function', function: { name, parameters: { type: 'object' } } })) };
  const key = `req-${hook.slice(-8)}`;
  const hookMeta = { hook_event_name: 'pre_api_request', api_call_id: key, fidelity_source: 'hermes_api_hooks', provider_payload_exact: false };
  const gwMeta = { gateway_path: '/v1/chat/completions', llm_correlation_source: 'pre_api_request', llm_correlation_status: 'matched_hint', llm_correlation_request_id: key };
  if (withHook) await g.line({ uuid: hook, parent_uuid: parent, timestamp: g.tick(), name: 'openrouter', scope_category: 'start', category: 'llm', category_profile: { model_name: model }, data: { content: { message_count: 2 }, headers: {} }, metadata: hookMeta });
  await g.line({ uuid: gw, parent_uuid: parent, timestamp: g.tick(20), name: 'openai.chat_completions', scope_category: 'start', category: 'llm', category_profile: { model_name: model }, data: { content: request, headers: { 'content-type': 'application/json' } }, metadata: gwMeta });
  const message = wantsTool
    ? { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: tool, arguments: JSON.stringify({ path: `src/${g.sentence(1)}.ts` }) } }] }
    : { role: 'assistant', content: g.sentence(30) };
  const usage = { prompt_tokens: 200 + Math.floor(r() * 4000), completion_tokens: 5 + Math.floor(r() * 400), total_tokens: 0 };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  await g.line({ uuid: gw, parent_uuid: parent, timestamp: g.tick(2000), name: 'openai.chat_completions', scope_category: 'end', category: 'llm', category_profile: { model_name: model }, data: { id: `chatcmpl-${gw.slice(-6)}`, model, choices: [{ index: 0, finish_reason: wantsTool ? 'tool_calls' : 'stop', message }], usage }, metadata: gwMeta });
  if (withHook) await g.line({ uuid: hook, parent_uuid: parent, timestamp: g.tick(5), name: 'openrouter', scope_category: 'end', category: 'llm', category_profile: { model_name: model }, data: { finish_reason: 'stop' }, metadata: { ...hookMeta, hook_event_name: 'post_api_request' } });
  if (!wantsTool) return undefined;
  const t = g.uuid();
  await g.line({ uuid: t, parent_uuid: parent, timestamp: g.tick(10), name: tool, scope_category: 'start', category: 'tool', category_profile: { tool_call_id: callId }, data: { path: 'src/x.ts' }, metadata: { hook_event_name: 'pre_tool_call' } });
  await g.line({ uuid: t, parent_uuid: parent, timestamp: g.tick(300), name: tool, scope_category: 'end', category: 'tool', category_profile: { tool_call_id: callId }, data: g.sentence(40), metadata: { hook_event_name: 'post_tool_call' } });
  return callId;
}

async function session(g: Emitter, r: () => number, rounds: number): Promise<void> {
  const root = g.uuid();
  await g.line({ uuid: root, parent_uuid: '0198a000-0000-7000-8000-ffffffffffff', timestamp: g.tick(), name: 'hermes', scope_category: 'start', category: 'agent', metadata: { nemo_relay_scope_role: 'session', session_id: `sess-${root.slice(-6)}` } });
  const turn = g.uuid();
  await g.line({ uuid: turn, parent_uuid: root, timestamp: g.tick(), name: 'hermes-turn', scope_category: 'start', category: 'agent', data: { prompt: 'work' }, metadata: { nemo_relay_scope_role: 'turn' } });
  const prompt = `Fix the ${g.sentence(3)} in src/${g.sentence(1)}.ts`;
  for (let i = 0; i < rounds; i++) {
    const callId = await llmRound(g, r, turn, prompt, r() < 0.7);
    if (callId && r() < 0.08) {
      const child = g.uuid();
      await g.line({ uuid: child, parent_uuid: turn, timestamp: g.tick(5), name: 'worker', scope_category: 'start', category: 'agent', data: { task: g.sentence(5) }, metadata: { nemo_relay_scope_role: 'subagent', session_id: `child-${child.slice(-6)}`, tool_call_id: callId } });
      for (let j = 0; j < 2; j++) await llmRound(g, r, child, `Subtask ${g.sentence(3)}`, false);
      await g.line({ uuid: child, parent_uuid: turn, timestamp: g.tick(5), name: 'worker', scope_category: 'end', category: 'agent' });
    }
  }
  await g.line({ uuid: turn, parent_uuid: root, timestamp: g.tick(), name: 'hermes-turn', scope_category: 'end', category: 'agent', metadata: { nemo_relay_scope_role: 'turn' } });
  await g.line({ uuid: root, parent_uuid: '0198a000-0000-7000-8000-ffffffffffff', timestamp: g.tick(), name: 'hermes', scope_category: 'end', category: 'agent', metadata: { nemo_relay_scope_role: 'session' } });
}

/** Writes a stream to `path`; resolves with its size and event count. */
export async function generate(path: string, opts: GenerateOptions): Promise<{ bytes: number; events: number }> {
  const out = createWriteStream(path);
  const r = rng(opts.seed);
  const g = new Emitter(out, r);
  if (opts.singleTrajectoryLlmSpans !== undefined) {
    const root = g.uuid();
    await g.line({ uuid: root, parent_uuid: null, timestamp: g.tick(), name: 'agent', scope_category: 'start', category: 'agent' });
    // Half the spans are hook/gateway pairs of one call: 2 spans per round with a hook.
    for (let spans = 0; spans < opts.singleTrajectoryLlmSpans; ) {
      const hook = r() < 0.5;
      await llmRound(g, r, root, `Task ${g.sentence(2)}`, hook);
      spans += hook ? 2 : 1;
    }
    await g.line({ uuid: root, parent_uuid: null, timestamp: g.tick(), name: 'agent', scope_category: 'end', category: 'agent' });
  } else {
    while (g.bytes < opts.targetBytes) await session(g, r, 5 + Math.floor(r() * 30));
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  return { bytes: g.bytes, events: g.events };
}
