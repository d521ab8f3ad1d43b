import type { AtofEvent } from '../ingest/atof.js';
import { AGENT_KINDS, agentOfUserAgent } from '../hooks/agent-kind.js';
import { getOwn, isObject } from '../json/value.js';
import type { AgentInfo, Trajectory } from './types.js';

/** The `agent` fields a user may leave to the session (fix `agent-identity`). */
export type AgentField = 'name' | 'version' | 'model_name';

/** What the session's own events say of the agent that ran it. */
export interface SessionAgent {
  /** The agent kind the session layer wrote (`claude-code`, `codex`, `cursor`, `hermes`), else the one a request's User-Agent names. */
  name?: string;
  /** The agent's version, from a request's User-Agent naming that agent. */
  version?: string;
}

const AGENTS = new Set<string>(AGENT_KINDS.filter((k) => k !== 'gateway'));

/**
 * The agent of a session, from its events: the `agent_kind` of its agent and turn scopes (the
 * session layer writes it on each), else the agent a gateway request's `User-Agent` names; its
 * version from the first `User-Agent` naming that same agent. A session the gateway alone saw has
 * the kind `gateway`, which names no agent.
 */
export function sessionAgent(events: readonly AtofEvent[]): SessionAgent {
  let kind: string | undefined;
  let firstNamed: string | undefined;
  /** The first version each agent's User-Agent gave. */
  const versions = new Map<string, string>();
  for (const e of events) {
    if (e.scopeCategory !== 'start') continue;
    if (kind === undefined && e.category === 'agent' && isObject(e.metadata)) {
      const k = getOwn(e.metadata, 'agent_kind');
      if (typeof k === 'string' && AGENTS.has(k)) kind = k;
    }
    if (e.category !== 'llm') continue;
    const agent = requestUserAgent(e);
    if (agent === undefined) continue;
    firstNamed ??= agent.kind;
    if (!versions.has(agent.kind)) versions.set(agent.kind, agent.version);
    // Read no further than needed: a long session's requests all say the same.
    if (kind !== undefined && versions.has(kind)) break;
  }
  const name = kind ?? firstNamed;
  if (name === undefined) return {};
  const version = versions.get(name);
  return version === undefined ? { name } : { name, version };
}

function requestUserAgent(e: AtofEvent): { kind: string; version: string } | undefined {
  const headers = isObject(e.data) ? getOwn(e.data, 'headers') : undefined;
  if (!isObject(headers)) return undefined;
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'user-agent' && typeof value === 'string') return agentOfUserAgent(value);
  return undefined;
}

/**
 * Fix `agent-identity`: the `agent` of a trajectory and of each embedded one, with the fields the
 * user did not give (`fields`) taken from the session: its name and version (see sessionAgent; a
 * named agent whose version no request says is `unknown`, not the converter's own version), and the
 * model its agent steps used most (the earliest on a tie), which steps without a `model_name` of
 * their own then stand for. relay-0.3 writes `NeMo Relay`, the converter's version and `unknown`.
 * Each trajectory of the tree gets an agent object of its own (they shared the configured one); the
 * walk is a loop, as agents nest thousands deep.
 */
export function withSessionAgent(t: Trajectory, session: SessionAgent, fields: readonly AgentField[]): Trajectory {
  const stack = [t];
  for (let doc = stack.pop(); doc !== undefined; doc = stack.pop()) {
    const agent: AgentInfo = { ...doc.agent };
    if (fields.includes('name') && session.name !== undefined) {
      agent.name = session.name;
      if (fields.includes('version')) agent.version = session.version ?? 'unknown';
    }
    const model = fields.includes('model_name') ? mostUsedModel(doc) : undefined;
    if (model !== undefined) agent.model_name = model;
    doc.agent = agent;
    for (const child of doc.subagent_trajectories ?? []) stack.push(child);
  }
  return t;
}

function mostUsedModel(t: Trajectory): string | undefined {
  const counts = new Map<string, number>();
  for (const s of t.steps) if (s.source === 'agent' && s.model_name !== undefined) counts.set(s.model_name, (counts.get(s.model_name) ?? 0) + 1);
  let best: string | undefined;
  for (const [model, n] of counts) if (best === undefined || n > counts.get(best)!) best = model;
  return best;
}
