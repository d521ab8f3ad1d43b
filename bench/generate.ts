import { createWriteStream, type WriteStream } from 'node:fs';
import { canonicalJson } from '../src/json/stringify.js';
import type { Json } from '../src/json/value.js';
import { rng } from '../test/support/rng.js';

/**
 * Deterministic generator of realistic streams for the benchmark: many coding-agent sessions, each with
 * turns, hook-reported and gateway-captured LLM calls of the same request (the duplicates the dedupe
 * pass merges), tool calls with results, and subagents. Most sessions are ATOF events (as NeMo-Relay
 * writes them); a share arrive as what relay-atif reads without NeMo-Relay — raw hook payloads and
 * gateway capture records (Hermes hooks with OpenAI Chat captures of the same calls, Claude Code hooks
 * with Anthropic Messages captures, some streamed) — which the session replay turns into events.
 * Same seed and size → same bytes.
 */


const WORDS = 'cache parser vector budget lease module token queue router worker planner schema trace replica window cursor buffer span branch ledger'.split(' ');
const TOOLS = ['read_file', 'write_file', 'terminal', 'search_files', 'web_search'];

export interface GenerateOptions {
  seed: number;
  targetBytes: number;
  /** Put every LLM call into one trajectory (the 100,000-span case) instead of many sessions. */
  singleTrajectoryLlmSpans?: number;
  /** The share of sessions written as raw hook payloads and gateway captures (default 0.2). */
  rawShare?: number;
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
  /** A raw record (hook payload or gateway capture), written as capture tools write them: keys in their own order. */
  async raw(o: Record<string, unknown>): Promise<void> {
    const text = JSON.stringify(o) + '\n';
    this.bytes += Buffer.byteLength(text);
    this.events++;
    if (!this.out.write(text)) await new Promise<void>((res) => this.out.once('drain', () => res()));
  }
  /** The current time as capture tools print it (`…Z`). */
  at(max = 400): string {
    this.tick(max);
    return new Date(this.ms).toISOString();
  }
  get nowMs(): number {
    return this.ms;
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

const HERMES_TOOLS = TOOLS.map((name) => ({ type: 'function', function: { name, description: `The ${name} tool`, parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } }));

/**
 * A Hermes session as its hooks report it, with a gateway capture of every LLM call: the hooks'
 * `pre_api_request`/`post_api_request` and the capture are the same call, merged by the dedupe pass.
 */
async function rawHermesSession(g: Emitter, r: () => number, rounds: number): Promise<void> {
  const sid = `hermes-${g.uuid().slice(-8)}`;
  const model = 'qwen2.5:7b';
  const hook = (payload: Record<string, unknown>) => g.raw({ record: 'hook', agent: 'hermes', received_at: g.at(), payload: { ...payload, session_id: sid } });
  await hook({ hook_event_name: 'on_session_start', extra: { platform: 'cli', model } });
  const prompt = `Fix the ${g.sentence(3)} in src/${g.sentence(1)}.ts`;
  await hook({ hook_event_name: 'pre_llm_call', extra: { user_message: prompt, model } });
  const messages: unknown[] = [{ role: 'system', content: 'You are Hermes, a helpful coding agent.' }, { role: 'user', content: prompt }];
  for (let i = 1; i <= rounds; i++) {
    const requestId = `${sid}:api:${i}`;
    const body = { model, messages: messages.slice(-6), tools: HERMES_TOOLS, metadata: { request_id: requestId }, session_id: sid };
    const common = { task_id: `task-${sid}`, provider: 'ollama', model, platform: 'cli', api_call_count: i, api_request_id: requestId };
    // The first request is reported whole; later ones as hooks truncate them.
    await hook({ hook_event_name: 'pre_api_request', extra: { ...common, message_count: body.messages.length, request: i === 1 ? { method: 'POST', body } : { _truncated: true, method: 'POST' } } });
    const tool = TOOLS[Math.floor(r() * TOOLS.length)];
    const callId = `call_${g.uuid().slice(-8)}`;
    const wantsTool = i < rounds && r() < 0.6;
    const message = wantsTool
      ? { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: tool, arguments: JSON.stringify({ path: `src/${g.sentence(1)}.ts` }) } }] }
      : { role: 'assistant', content: g.sentence(30) };
    const usage = { prompt_tokens: 200 + Math.floor(r() * 4000), completion_tokens: 5 + Math.floor(r() * 400), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const startedAt = g.at(20);
    const response = { id: `chatcmpl-${callId.slice(-8)}`, object: 'chat.completion', created: Math.floor(g.nowMs / 1000), model, choices: [{ index: 0, message, finish_reason: wantsTool ? 'tool_calls' : 'stop' }], usage };
    const endedAt = g.at(2000);
    await g.raw({ record: 'gateway', id: `cap-${callId.slice(-8)}`, started_at: startedAt, ended_at: endedAt, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: 'Bearer redacted' }, body, response: { status: 200, headers: { 'content-type': 'application/json' }, body: response } });
    await hook({ hook_event_name: 'post_api_request', extra: { ...common, api_duration: 1.25, finish_reason: wantsTool ? 'tool_calls' : 'stop', response: i === 1 ? { raw_response: response } : { _truncated: true }, usage } });
    messages.push(message);
    if (!wantsTool) continue;
    const input = { path: `src/${g.sentence(1)}.ts` };
    const result = g.sentence(40);
    await hook({ hook_event_name: 'pre_tool_call', tool_name: tool, tool_call_id: callId, tool_input: input });
    await hook({ hook_event_name: 'post_tool_call', tool_name: tool, tool_call_id: callId, tool_input: input, result });
    messages.push({ role: 'tool', tool_call_id: callId, content: result });
  }
  await hook({ hook_event_name: 'on_session_end', extra: {} });
  await hook({ hook_event_name: 'on_session_finalize', extra: {} });
}

const CLAUDE_TOOLS = [{ name: 'Bash', description: 'Run a shell command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }];

/** Anthropic Messages SSE for one reply: a text block, then a tool_use block when there is one. */
function anthropicSse(id: string, model: string, text: string, toolUse: { id: string; input: unknown } | undefined, usage: { input_tokens: number; output_tokens: number }): string {
  const frames: unknown[] = [
    { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ...text.match(/.{1,40}/g)!.map((t) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } })),
    { type: 'content_block_stop', index: 0 },
  ];
  if (toolUse) {
    frames.push(
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: toolUse.id, name: 'Bash', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: JSON.stringify(toolUse.input) } },
      { type: 'content_block_stop', index: 1 },
    );
  }
  frames.push({ type: 'message_delta', delta: { stop_reason: toolUse ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }, { type: 'message_stop' });
  return frames.map((f) => `event: ${(f as { type: string }).type}\ndata: ${JSON.stringify(f)}\n\n`).join('');
}

/**
 * A Claude Code session as its hooks report it, with the gateway's captures of its Anthropic Messages
 * calls (attributed to the session by the `x-claude-code-session-id` header); half are streamed.
 */
async function rawClaudeSession(g: Emitter, r: () => number, rounds: number): Promise<void> {
  const sid = g.uuid().replace('0198a000', 'c1a0de00');
  const model = 'claude-sonnet-4-5';
  const base = { session_id: sid, transcript_path: `/home/dev/.claude/projects/demo/${sid}.jsonl`, cwd: '/home/dev/demo' };
  const hook = (payload: Record<string, unknown>) => g.raw({ record: 'hook', agent: 'claude-code', received_at: g.at(), payload: { ...base, ...payload } });
  await hook({ hook_event_name: 'SessionStart', source: 'startup' });
  const prompt = `Fix the ${g.sentence(3)} in src/${g.sentence(1)}.ts`;
  await hook({ hook_event_name: 'UserPromptSubmit', prompt });
  const messages: unknown[] = [{ role: 'user', content: [{ type: 'text', text: prompt }] }];
  for (let i = 1; i <= rounds; i++) {
    const streamed = r() < 0.5;
    const body = { model, max_tokens: 4096, stream: streamed, system: 'You are Claude Code, a coding agent.', tools: CLAUDE_TOOLS, messages: messages.slice(-6) };
    const toolUse = i < rounds && r() < 0.6 ? { id: `toolu_${g.uuid().slice(-10)}`, input: { command: `cat src/${g.sentence(1)}.ts` } } : undefined;
    const text = g.sentence(20);
    const usage = { input_tokens: 300 + Math.floor(r() * 4000), output_tokens: 5 + Math.floor(r() * 400) };
    const id = `msg_${g.uuid().slice(-10)}`;
    const startedAt = g.at(20);
    const endedAt = g.at(2000);
    const content = [{ type: 'text', text }, ...(toolUse ? [{ type: 'tool_use', id: toolUse.id, name: 'Bash', input: toolUse.input }] : [])];
    const response = streamed
      ? { status: 200, headers: { 'content-type': 'text/event-stream' }, sse: anthropicSse(id, model, text, toolUse, usage) }
      : { status: 200, headers: { 'content-type': 'application/json' }, body: { id, type: 'message', role: 'assistant', model, content, stop_reason: toolUse ? 'tool_use' : 'end_turn', stop_sequence: null, usage } };
    await g.raw({ record: 'gateway', id: `cap-${id.slice(-10)}`, started_at: startedAt, ended_at: endedAt, method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': sid, 'x-api-key': 'sk-ant-redacted' }, body, response });
    messages.push({ role: 'assistant', content });
    if (!toolUse) continue;
    const stdout = g.sentence(40);
    await hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: toolUse.input, tool_use_id: toolUse.id });
    await hook({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: toolUse.input, tool_use_id: toolUse.id, tool_response: { stdout, stderr: '', interrupted: false } });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: stdout }] });
  }
  await hook({ hook_event_name: 'Stop', stop_hook_active: false });
  await hook({ hook_event_name: 'SessionEnd', reason: 'exit' });
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
    const rawShare = opts.rawShare ?? 0.2;
    while (g.bytes < opts.targetBytes) {
      const kind = r();
      const rounds = 5 + Math.floor(r() * 30);
      if (kind < rawShare / 2) await rawHermesSession(g, r, rounds);
      else if (kind < rawShare) await rawClaudeSession(g, r, rounds);
      else await session(g, r, rounds);
    }
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  return { bytes: g.bytes, events: g.events };
}
