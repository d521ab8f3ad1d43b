import { jsonStringAt, mergeMetadata } from '../../hooks/index.js';
import type { SessionAlias } from '../../gateway/session-selection.js';
import { parseJson } from '../../json/parse.js';
import { setOwn, type Json, type JsonObject } from '../../json/value.js';
import type { SessionInputOf } from '../events.js';

/**
 * Codex child threads (relay-cli.md §3.7.1, alignment/codex.rs): a Codex `SessionStart` whose thread
 * was spawned by another thread is really a subagent of that parent thread. The parent id is found
 * in the hook payload, the hook metadata, or the first line of the transcript file.
 */
export interface CodexSubagentContext {
  provider: 'codex';
  parentSessionId: string;
  nickname?: string;
  role?: string;
  depth?: string;
}

/**
 * Reads the first line of a transcript file. Live, Codex child detection opens the file named by
 * `transcript_path`; offline that file is usually not at hand, and reading local files would make the
 * output depend on the machine, so the replay only reads what the caller supplies.
 */
export type TranscriptReader = (path: string) => string | undefined;

const SPAWN = 'source.subagent.thread_spawn';
const PREFIXES = ['', 'payload.', 'session_meta.payload.'] as const;

const PARENT_PATHS = [...PREFIXES, 'extra.'].map((p) => `${p}${SPAWN}.parent_thread_id`);
const nicknamePaths = (key: string) => [...PREFIXES.map((p) => `${p}${key}`), ...PREFIXES.map((p) => `${p}${SPAWN}.${key}`)];
const NICKNAME_PATHS = nicknamePaths('agent_nickname');
const ROLE_PATHS = nicknamePaths('agent_role');
const DEPTH_PATHS = PREFIXES.map((p) => `${p}${SPAWN}.depth`);

/**
 * The thread-spawn context in one JSON value (seed `json_string_at`: the first existing path decides;
 * `fallThrough` is fix `json-null-fallthrough`).
 */
export function codexContextFromValue(value: Json | undefined, fallThrough = false): CodexSubagentContext | undefined {
  const parentSessionId = jsonStringAt(value, PARENT_PATHS, fallThrough);
  if (parentSessionId === undefined) return undefined;
  const context: CodexSubagentContext = { provider: 'codex', parentSessionId };
  const nickname = jsonStringAt(value, NICKNAME_PATHS, fallThrough);
  const role = jsonStringAt(value, ROLE_PATHS, fallThrough);
  const depth = jsonStringAt(value, DEPTH_PATHS, fallThrough);
  if (nickname !== undefined) context.nickname = nickname;
  if (role !== undefined) context.role = role;
  if (depth !== undefined) context.depth = depth;
  return context;
}

/** Payload, then metadata, then the transcript's first line; a thread naming itself as parent is no child. */
export function codexSubagentContext(event: SessionInputOf<'AgentStarted'>, readTranscript?: TranscriptReader, fallThrough = false): CodexSubagentContext | undefined {
  if (event.agentKind !== 'codex') return undefined;
  const context =
    codexContextFromValue(event.payload, fallThrough) ?? codexContextFromValue(event.metadata, fallThrough) ?? contextFromTranscript(event, readTranscript, fallThrough);
  return context && context.parentSessionId !== event.sessionId ? context : undefined;
}

function contextFromTranscript(event: SessionInputOf<'AgentStarted'>, readTranscript: TranscriptReader | undefined, fallThrough: boolean): CodexSubagentContext | undefined {
  if (!readTranscript) return undefined;
  const path = jsonStringAt(event.metadata, ['transcript_path']) ?? jsonStringAt(event.payload, ['transcript_path']);
  if (path === undefined) return undefined;
  const line = readTranscript(path);
  if (line === undefined) return undefined;
  try {
    return codexContextFromValue(parseJson(line.trim()), fallThrough);
  } catch {
    return undefined;
  }
}

/** The child start's metadata stamped with the parent-thread fields, so the subagent scope is filterable. */
export function augmentCodexMetadata(metadata: Json, context: CodexSubagentContext): Json {
  const fields: JsonObject = { thread_source: 'subagent', codex_parent_thread_id: context.parentSessionId };
  if (context.nickname !== undefined) fields.agent_nickname = context.nickname;
  if (context.role !== undefined) fields.agent_role = context.role;
  if (context.depth !== undefined) fields.codex_subagent_depth = context.depth;
  return mergeMetadata(metadata, fields);
}

/** The child's start as a subagent of the parent thread; the child session id becomes the subagent id. */
export function codexSubagentStartEvent(event: SessionInputOf<'AgentStarted'>, context: CodexSubagentContext): SessionInputOf<'SubagentStarted'> {
  const extra: JsonObject = {};
  setOwn(extra, 'codex_subagent_session_id', event.sessionId);
  return {
    type: 'SubagentStarted',
    sessionId: context.parentSessionId,
    agentKind: event.agentKind,
    eventName: event.eventName,
    subagentId: event.sessionId,
    payload: event.payload,
    metadata: mergeMetadata(event.metadata, extra),
  };
}

export function codexAliasForChild(childSessionId: string, context: CodexSubagentContext): SessionAlias {
  return {
    parentSessionId: context.parentSessionId,
    subagentId: childSessionId,
    metadata: { thread_source: 'subagent', codex_parent_thread_id: context.parentSessionId, codex_subagent_session_id: childSessionId },
  };
}
