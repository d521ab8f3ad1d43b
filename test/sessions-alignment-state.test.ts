/**
 * The alignment state finds what an end clears through maps that file child sessions under their
 * parent. It must clear, move and hand back exactly what sweeping the whole maps did: checked against
 * that sweep (the state as it was written before, kept here) on random sequences of what the session
 * manager does to it, with few session ids so that children, parents and subagent ids collide.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { SessionAlias } from '../src/gateway/session-selection.js';
import { AlignmentState } from '../src/sessions/alignment/alignment-state.js';
import type { PendingSubagentStart } from '../src/sessions/alignment/child-start.js';
import type { SessionInput } from '../src/sessions/events.js';

/**
 * The state with every clear a filter over the whole maps, in their order (routing and the explicit
 * subagent end are the state's own, unchanged: they call these).
 */
class SweptAlignmentState extends AlignmentState {
  override takePendingForParent(parentSessionId: string): Array<[string, PendingSubagentStart]> {
    const found = [...this.pending].filter(([, pending]) => pending.context.parentSessionId === parentSessionId);
    for (const [child] of found) this.pending.delete(child);
    return found;
  }

  override clearForEndedAgent(sessionId: string): void {
    const involves = (child: string, parent: string) => child === sessionId || parent === sessionId;
    deleteWhere(this.aliases, (child, alias) => involves(child, alias.parentSessionId));
    deleteWhere(this.completedAliases, (child, alias) => involves(child, alias.parentSessionId));
    deleteWhere(this.pending, (child, pending) => involves(child, pending.context.parentSessionId));
  }

  override clearForEndedSubagents(parentSessionId: string, subagentIds: readonly string[]): void {
    for (const subagentId of subagentIds) {
      deleteWhere(this.aliases, (child, alias) => child === subagentId || (alias.parentSessionId === parentSessionId && alias.subagentId === subagentId));
      deleteWhere(this.pending, (child, pending) => child === subagentId || (pending.context.parentSessionId === parentSessionId && pending.event.sessionId === subagentId));
    }
  }
}

function deleteWhere<V>(map: Map<string, V>, predicate: (key: string, value: V) => boolean): void {
  for (const [key, value] of [...map]) if (predicate(key, value)) map.delete(key);
}

const id = fc.constantFrom('s0', 's1', 's2', 's3');
const alias = (parent: string, subagent: string, n: number): SessionAlias => ({ parentSessionId: parent, subagentId: subagent, metadata: { n } });
const pendingStart = (parent: string, eventSession: string, n: number): PendingSubagentStart => ({
  event: { type: 'AgentStarted', sessionId: eventSession, agentKind: 'hermes', eventName: 'on_session_start', payload: null, metadata: { n } },
  context: { provider: 'hermes', parentSessionId: parent, subagentId: eventSession, childSessionId: eventSession },
});
const hermes = { agentKind: 'hermes' as const, payload: null, metadata: null };

const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('alias' as const), child: id, parent: id, subagent: id, n: fc.nat(9) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('pending' as const), child: id, parent: id, eventSession: id, n: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deletePending' as const), child: id }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('takePending' as const), child: id }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('takePendingForParent' as const), parent: id }) },
  // A child's turn end or session end (the alias moves to the completed ones), or a root's session end.
  { weight: 3, arbitrary: fc.record({ op: fc.constant('route' as const), session: id, type: fc.constantFrom('TurnEnded' as const, 'AgentEnded' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('explicitEnd' as const), parent: id, child: id }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('endSubagents' as const), parent: id, subagents: fc.array(id, { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

it('AlignmentState clears, moves and hands back what sweeping the whole maps did, in the same order', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const state = new AlignmentState();
      const swept = new SweptAlignmentState();
      for (const o of ops) {
        switch (o.op) {
          case 'alias':
            state.aliases.set(o.child, alias(o.parent, o.subagent, o.n));
            swept.aliases.set(o.child, alias(o.parent, o.subagent, o.n));
            break;
          case 'pending':
            state.pending.set(o.child, pendingStart(o.parent, o.eventSession, o.n));
            swept.pending.set(o.child, pendingStart(o.parent, o.eventSession, o.n));
            break;
          case 'deletePending':
            assert.equal(state.pending.delete(o.child), swept.pending.delete(o.child));
            break;
          case 'takePending':
            assert.deepEqual(state.takePending(o.child), swept.takePending(o.child));
            break;
          case 'takePendingForParent':
            assert.deepEqual(state.takePendingForParent(o.parent), swept.takePendingForParent(o.parent));
            break;
          case 'route': {
            const event = { type: o.type, sessionId: o.session, eventName: 'end', ...hermes } as SessionInput;
            assert.deepEqual(state.routeEvent(event), swept.routeEvent(event));
            break;
          }
          case 'explicitEnd': {
            const event: SessionInput = { type: 'SubagentEnded', sessionId: o.parent, eventName: 'subagent_stop', subagentId: 'x', ...hermes, payload: { extra: { child_session_id: o.child } } };
            assert.deepEqual(state.alignExplicitSubagentEnd(event), swept.alignExplicitSubagentEnd(event));
            break;
          }
          case 'endSubagents':
            state.clearForEndedSubagents(o.parent, o.subagents);
            swept.clearForEndedSubagents(o.parent, o.subagents);
            break;
          case 'clear':
            state.clear();
            swept.clear();
            break;
        }
        assert.deepEqual([...state.aliases], [...swept.aliases], 'aliases');
        assert.deepEqual([...state.completedAliases], [...swept.completedAliases], 'completed aliases');
        assert.deepEqual([...state.pending], [...swept.pending], 'pending starts');
      }
    }),
    { numRuns: 3000, seed: 20261127 },
  );
});

it('a pending start set again for another parent keeps its place: its new parent takes it in arrival order', () => {
  const state = new AlignmentState();
  state.pending.set('child-a', pendingStart('p1', 'child-a', 0));
  state.pending.set('child-b', pendingStart('p2', 'child-b', 0));
  state.pending.set('child-a', pendingStart('p2', 'child-a', 1));
  assert.deepEqual(
    state.takePendingForParent('p2').map(([child]) => child),
    ['child-a', 'child-b'],
  );
  assert.deepEqual(state.takePendingForParent('p1'), []);
});
