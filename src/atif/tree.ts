import type { AtofEvent } from '../ingest/atof.js';
import type { Nanos } from '../ingest/time.js';
import { isObject } from '../json/value.js';
import { delegationToolCallId } from './extras.js';

export interface AgentNode {
  uuid: string;
  name: string;
  sessionId?: string;
  /** The parent delegated to this agent (role `subagent` or a delegation tool-call id): drop it when empty. */
  referencedByParent: boolean;
  parentAgent?: string;
  children: string[];
  startTs: Nanos;
  /** First appearance on the timeline; breaks start-time ties (the reference uses hash order there). */
  order: number;
}

/** A scope's role in the session tree (`session`, `turn`, `subagent`), as its metadata names it. */
export const scopeRole = (e: AtofEvent): string | undefined => {
  const r = isObject(e.metadata) ? e.metadata.nemo_relay_scope_role : undefined;
  return typeof r === 'string' ? r : undefined;
};
/** Steps up the parent chain walked before cycle detection starts (see AgentTree.walkUp). */
const SHORT_WALK = 16;

const isAgentStart = (e: AtofEvent) => e.scopeCategory === 'start' && e.category === 'agent';

/**
 * The agent-scope tree of a sorted event list: agent starts become nodes, except `turn` scopes
 * nested inside a real agent (they are transparent); ownership walks up the scope-parent map.
 */
export class AgentTree {
  readonly nodes = new Map<string, AgentNode>();
  readonly roots: string[] = [];
  private readonly agents = new Set<string>();
  /** Scope uuid → parent uuid; built on first use, as walks that start at an agent (most) never need it. */
  private scopeParent: Map<string, string> | undefined;
  /** Scope → the nearest agent at or above it (null: none), for the walks that skip no scope of their own. */
  private readonly agentAbove = new Map<string, string | null>();
  /** Scope → the nearest non-turn agent scope at or above it (null: none), while agents are told from turns. */
  private readonly nonTurnAbove = new Map<string, string | null>();

  constructor(private readonly events: readonly AtofEvent[]) {
    const roles = new Map<string, string | undefined>();
    const agentStarts = events.filter(isAgentStart);
    for (const e of agentStarts) roles.set(e.uuid, scopeRole(e));
    for (const e of agentStarts) {
      if (scopeRole(e) !== 'turn' || this.nearestNonTurnAgent(e.parentUuid, roles, e.uuid) === undefined) this.agents.add(e.uuid);
    }
    let order = 0;
    for (const e of agentStarts) {
      if (!this.agents.has(e.uuid)) continue;
      const sessionId = isObject(e.metadata) && typeof e.metadata.session_id === 'string' ? e.metadata.session_id : undefined;
      const previous = this.nodes.get(e.uuid);
      const node: AgentNode = {
        uuid: e.uuid,
        name: e.name,
        referencedByParent: scopeRole(e) === 'subagent' || delegationToolCallId(e.metadata) !== undefined || delegationToolCallId(e.data) !== undefined,
        children: [],
        startTs: e.ts,
        order: previous ? previous.order : order++,
      };
      if (sessionId !== undefined) node.sessionId = sessionId;
      const parent = this.nearestAgent(e.parentUuid, e.uuid);
      if (parent !== undefined) node.parentAgent = parent;
      this.nodes.set(e.uuid, node); // several starts for one uuid: the last wins
    }
    const byStart = (a: string, b: string) => {
      const x = this.nodes.get(a)!;
      const y = this.nodes.get(b)!;
      return x.startTs !== y.startTs ? (x.startTs < y.startTs ? -1 : 1) : x.order - y.order;
    };
    const ordered = [...this.nodes.values()].sort((a, b) => a.order - b.order);
    for (const n of ordered) {
      if (n.parentAgent === undefined) this.roots.push(n.uuid);
      else this.nodes.get(n.parentAgent)?.children.push(n.uuid);
    }
    this.roots.sort(byStart);
    for (const n of this.nodes.values()) n.children.sort(byStart);
  }

  private nearestAgent(start: string | undefined, excluded?: string): string | undefined {
    return this.nearest(start, excluded, (cur) => this.agents.has(cur), this.agentAbove);
  }

  private nearestNonTurnAgent(start: string | undefined, roles: Map<string, string | undefined>, excluded: string): string | undefined {
    return this.nearest(start, excluded, (cur) => roles.has(cur) && roles.get(cur) !== 'turn', this.nonTurnAbove);
  }

  /**
   * The first scope up the chain from `start` that `accept`s, other than `excluded`. The answer for
   * every scope passed on the way is remembered: without that, each event under a chain of thousands
   * of nested scopes walked the whole chain again (quadratic in the depth). Only the answers of
   * `accept` are remembered, not of the exclusion, which depends on the caller: in the rare walk that
   * meets its excluded scope (a parent_uuid cycle through the agent itself) the walk is redone plainly.
   */
  private nearest(start: string | undefined, excluded: string | undefined, accept: (uuid: string) => boolean, memo: Map<string, string | null>): string | undefined {
    const found = this.walkUp(start, accept, memo);
    return found !== undefined && found === excluded ? this.walkUp(start, (cur) => cur !== excluded && accept(cur)) : found;
  }

  /**
   * The first scope up the parent chain from `start` (itself included) that `accept`s. A cycle in
   * parent_uuid ends the walk instead of looping forever; the visited set that detects it is only
   * started past a few steps, as nearly every walk (one per event) ends within one or two.
   */
  private walkUp(start: string | undefined, accept: (uuid: string) => boolean, memo?: Map<string, string | null>): string | undefined {
    let seen: Set<string> | undefined;
    let found: string | undefined;
    // The scopes passed (not accepted): their answer is the walk's, as their walks would go the same way.
    const passed: string[] = [];
    for (let cur = start, steps = 0; cur !== undefined; cur = this.parentOf(cur), steps++) {
      const known = memo?.get(cur);
      if (known !== undefined) {
        found = known ?? undefined;
        break;
      }
      if (steps >= SHORT_WALK) {
        seen ??= new Set();
        if (seen.has(cur)) break;
        seen.add(cur);
      }
      if (accept(cur)) {
        found = cur;
        break;
      }
      if (memo) passed.push(cur);
    }
    if (memo) for (const p of passed) memo.set(p, found ?? null);
    return found;
  }

  private parentOf(uuid: string): string | undefined {
    if (!this.scopeParent) {
      this.scopeParent = new Map();
      for (const e of this.events) if (e.scopeCategory === 'start' && e.parentUuid !== undefined) this.scopeParent.set(e.uuid, e.parentUuid);
    }
    return this.scopeParent.get(uuid);
  }

  /** The agent that owns an event: an agent event is its own owner; others walk up from their parent. */
  owner(e: AtofEvent): string | undefined {
    if (e.category === 'agent') return this.agents.has(e.uuid) ? e.uuid : undefined;
    return this.nearestAgent(e.parentUuid);
  }

  /** For the start or end of a turn nested in an agent (transparent: it owns nothing): that agent. */
  turnHolder(e: AtofEvent): string | undefined {
    return e.category === 'agent' && !this.agents.has(e.uuid) ? this.nearestAgent(e.parentUuid) : undefined;
  }

  /** The child node when `e` is the start of a direct child agent of `parent`. */
  directChildStart(parent: string, e: AtofEvent): AgentNode | undefined {
    if (!isAgentStart(e)) return undefined;
    const child = this.nodes.get(e.uuid);
    return child && child.parentAgent === parent ? child : undefined;
  }

  /** The exporter's root: the session id when it names an agent, else the only root. */
  chooseRoot(sessionUuid: string | undefined): string | undefined {
    if (sessionUuid !== undefined && this.nodes.has(sessionUuid)) return sessionUuid;
    return this.roots.length === 1 ? this.roots[0] : undefined;
  }
}

/** Events that become steps; in tree mode each needs an owning agent. */
export function isStepEvent(e: AtofEvent): boolean {
  if (e.kind === 'mark') return true;
  if (e.category === 'llm') return true;
  return e.category === 'tool' && e.scopeCategory === 'end';
}
