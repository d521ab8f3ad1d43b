import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AtofEvent } from '../src/ingest/atof.js';
import { AgentTree } from '../src/atif/tree.js';
import { at, ev, uuid } from './support/events.js';

/**
 * The tree's walks up the parent chain remember what they found for every scope they pass (else a
 * chain of thousands of nested scopes is walked again for each event under it). Checked against the
 * plain walks: a fresh walk per question, a visited set ending it at a cycle.
 */
describe('AgentTree walks up the parent chain', () => {
  type Spec = { id: number; parent: number; kind: 'session' | 'subagent' | 'turn' | 'agent' | 'tool' | 'function' | 'llm' | 'mark' };
  const KINDS = ['session', 'subagent', 'turn', 'agent', 'tool', 'function', 'llm', 'mark'] as const;

  function events(specs: Spec[]): AtofEvent[] {
    return specs.map((s, i) => {
      const parent = s.parent === 0 ? null : uuid(s.parent);
      const common = { uuid: uuid(s.id), parent_uuid: parent, timestamp: at(i), name: `${s.kind}-${s.id}` };
      if (s.kind === 'mark') return ev({ ...common, kind: 'mark', data: { i } });
      const agent = s.kind === 'session' || s.kind === 'subagent' || s.kind === 'turn' || s.kind === 'agent';
      const metadata = agent && s.kind !== 'agent' ? { nemo_relay_scope_role: s.kind } : null;
      return ev({ ...common, scope_category: 'start', category: agent ? 'agent' : s.kind, metadata });
    });
  }

  /** The tree's answers worked out plainly (the walks as they were before they remembered anything). */
  function naive(evs: AtofEvent[]) {
    const parentOf = new Map<string, string>();
    for (const e of evs) if (e.scopeCategory === 'start' && e.parentUuid !== undefined) parentOf.set(e.uuid, e.parentUuid);
    const walk = (start: string | undefined, accept: (u: string) => boolean) => {
      const seen = new Set<string>();
      for (let cur = start; cur !== undefined && !seen.has(cur); cur = parentOf.get(cur)) {
        seen.add(cur);
        if (accept(cur)) return cur;
      }
      return undefined;
    };
    const starts = evs.filter((e) => e.scopeCategory === 'start' && e.category === 'agent');
    const roleOf = (e: AtofEvent) => (e.metadata as { nemo_relay_scope_role?: unknown } | undefined)?.nemo_relay_scope_role;
    const roles = new Map<string, unknown>();
    for (const e of starts) roles.set(e.uuid, roleOf(e));
    const agents = new Set<string>();
    for (const e of starts) {
      if (roleOf(e) !== 'turn' || walk(e.parentUuid, (c) => c !== e.uuid && roles.has(c) && roles.get(c) !== 'turn') === undefined) agents.add(e.uuid);
    }
    const parentAgent = new Map<string, string | undefined>();
    for (const e of starts) if (agents.has(e.uuid)) parentAgent.set(e.uuid, walk(e.parentUuid, (c) => c !== e.uuid && agents.has(c)));
    const owner = (e: AtofEvent) => (e.category === 'agent' ? (agents.has(e.uuid) ? e.uuid : undefined) : walk(e.parentUuid, (c) => agents.has(c)));
    return { parentAgent, owners: evs.map(owner) };
  }

  function check(specs: Spec[]) {
    const evs = events(specs);
    const tree = new AgentTree(evs);
    const expected = naive(evs);
    assert.deepEqual(new Map([...tree.nodes].map(([u, n]) => [u, n.parentAgent])), expected.parentAgent);
    assert.deepEqual(evs.map((e) => tree.owner(e)), expected.owners);
  }

  it('finds what the plain walks find, parent_uuid cycles included', () => {
    // Few ids, parents drawn from all of them: chains, repeated starts of one scope, and cycles.
    const spec = (ids: number) => fc.record({ id: fc.integer({ min: 1, max: ids }), parent: fc.integer({ min: 0, max: ids }), kind: fc.constantFrom(...KINDS) });
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }).chain((ids) => fc.array(spec(ids), { minLength: 1, maxLength: 80 })), check),
      { numRuns: 1500, seed: 20261128 },
    );
  });

  it('finds what the plain walks find on long chains (past the walks that keep no visited set)', () => {
    const chain = fc.array(fc.constantFrom(...KINDS), { minLength: 20, maxLength: 120 }).chain((kinds) =>
      // Scope i+1's parent is scope i, now and then another scope (a branch or a cycle).
      fc.tuple(fc.constant(kinds), fc.array(fc.integer({ min: 0, max: kinds.length }), { minLength: kinds.length, maxLength: kinds.length }), fc.array(fc.boolean(), { minLength: kinds.length, maxLength: kinds.length })),
    );
    fc.assert(
      fc.property(chain, ([kinds, others, jump]) => check(kinds.map((kind, i) => ({ id: i + 1, parent: jump[i] && i % 7 === 3 ? others[i] : i, kind })))),
      { numRuns: 300, seed: 20261128 },
    );
  });
});
