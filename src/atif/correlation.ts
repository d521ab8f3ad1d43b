import type { AtofEvent } from '../ingest/atof.js';
import { profileToolCallId } from '../ingest/atof.js';
import { canonicalJson } from '../json/stringify.js';
import { ResponseReadings } from '../providers/readings.js';
import { SEED_RULES } from '../providers/rules.js';
import { normalizeToolArguments } from '../providers/tool-calls.js';
import { groupBy } from '../util/group-by.js';

/** How the pre-pass linked a tool scope to a tool-call id. */
export type PrepassLink = { id: string; rule: 'EXPLICIT_ID' | 'NAME_ARGUMENTS_ORDINAL' };

/**
 * The tool-call correlation pre-pass: tool scope uuid → tool-call id. Explicit ids first; then tool
 * executions without one are paired with unclaimed LLM tool calls of the same (name, canonical
 * arguments) key, in order, but only when both sides have the same count for that key — with
 * different counts the pass refuses to guess.
 */
export function correlateToolCalls(events: readonly AtofEvent[], readings: ResponseReadings = new ResponseReadings(SEED_RULES)): Map<string, PrepassLink> {
  const links = new Map<string, PrepassLink>();
  const starts: AtofEvent[] = [];
  const llmEnds: AtofEvent[] = [];
  for (const e of events) {
    if (e.kind !== 'scope') continue;
    if (e.category === 'tool' && e.scopeCategory !== undefined) {
      const explicit = profileToolCallId(e);
      if (explicit !== undefined) links.set(e.uuid, { id: explicit, rule: 'EXPLICIT_ID' });
      if (e.scopeCategory === 'start') starts.push(e);
    } else if (e.category === 'llm' && e.scopeCategory === 'end' && e.data !== undefined) {
      llmEnds.push(e);
    }
  }
  // Keys (canonical arguments) are built only for executions left without an id, and LLM tool
  // calls are read only when there are any: with explicit ids everywhere, neither is needed.
  const executions = starts.filter((e) => !links.has(e.uuid)).map((e) => ({ uuid: e.uuid, key: e.data === undefined ? undefined : matchKey(e.name, normalizeToolArguments(e.data)) }));
  if (executions.length === 0) return links;
  const consumed = new Set([...links.values()].map((l) => l.id));
  const calls: Array<{ id: string; key?: string }> = [];
  for (const e of llmEnds) {
    for (const c of readings.toolCallsOf(e.data!) ?? []) if (!consumed.has(c.tool_call_id)) calls.push({ id: c.tool_call_id, key: matchKey(c.function_name, c.arguments) });
  }
  const execByKey = groupBy(executions, (x) => x.key);
  const callsByKey = groupBy(calls, (c) => c.key);
  for (const [key, execs] of execByKey) {
    const ids = callsByKey.get(key);
    if (!ids || ids.length !== execs.length) continue;
    execs.forEach((x, i) => links.set(x.uuid, { id: ids[i].id, rule: 'NAME_ARGUMENTS_ORDINAL' }));
  }
  return links;
}

function matchKey(name: string, args: Parameters<typeof canonicalJson>[0]): string | undefined {
  return name === '' ? undefined : `${name}\u0000${canonicalJson(args)}`;
}
