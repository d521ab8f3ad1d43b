import type { ResponseToolHint } from '../gateway/response-tool-hints.js';
import type { Nanos } from '../ingest/time.js';
import { canonicalJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';

export interface PendingToolHint {
  hint: ResponseToolHint;
  insertedAtNs: Nanos;
}

/** What a tool hook offers to the matching: its id, name and arguments. */
export interface ToolHookKey {
  toolCallId?: string;
  toolName?: string;
  arguments: Json;
}

/**
 * A session's pending tool hints (relay-cli.md §3.8), in insertion order, filed by what can make a
 * hint score: its tool call id, and its name with its printed arguments. Matching a tool hook then
 * looks only at the hints that can score for it, not at every pending hint: a parent whose thousands
 * of parallel subagents each left a hint spent most of its replay scoring them all at every tool hook.
 *
 * The list itself (`items`) is what owner resolution reads (hint ages); it is changed in place only
 * here. A list owner resolution hands back that is not this one (some hints aged out) is taken with
 * {@link replaceWith}.
 */
export class ToolHintList {
  private list: PendingToolHint[] = [];
  private readonly byId = new Map<string, PendingToolHint[]>();
  /** Name → printed arguments → hints; hints without a name or with null arguments are not here (they cannot score 5). */
  private readonly byNameAndArguments = new Map<string, Map<string, PendingToolHint[]>>();
  /** Each filed hint's printed arguments (printed once, when filed). */
  private readonly printed = new Map<PendingToolHint, string>();

  get items(): readonly PendingToolHint[] {
    return this.list;
  }

  get length(): number {
    return this.list.length;
  }

  push(p: PendingToolHint): void {
    this.list.push(p);
    this.file(p);
  }

  /** Takes a hint out (one the list holds). */
  take(p: PendingToolHint): void {
    const at = this.list.indexOf(p);
    if (at < 0) return;
    this.list.splice(at, 1);
    this.unfile(p);
  }

  /** Keeps only the hints `keep` accepts. */
  retain(keep: (p: PendingToolHint) => boolean): void {
    if (this.list.every(keep)) return;
    this.replaceWith(this.list.filter(keep));
  }

  /**
   * The list becomes `items` (nothing to do when it already is the list): usually some of its hints,
   * the others aged out or dropped. Only the hints that leave or join are unfiled or filed (kept ones
   * are not printed again). The order within a file does not matter: a match is a unique best.
   */
  replaceWith(items: readonly PendingToolHint[]): void {
    if (items === this.list) return;
    const staying = new Set(items);
    for (const p of this.list) if (!staying.has(p)) this.unfile(p);
    const filed = new Set(this.list);
    this.list = [...items];
    for (const p of items) if (!filed.has(p)) this.file(p);
  }

  clear(): void {
    this.list = [];
    this.byId.clear();
    this.byNameAndArguments.clear();
    this.printed.clear();
  }

  /**
   * The hint a tool hook matches: the unique best positive score (see scoreOf); ties stay ambiguous and
   * match none. A hint with the hook's id scores at least 12, any other at most 5: when some hint has
   * the id, only those can win; else only hints with the hook's name and equal non-null arguments score
   * (5 each), and one of them wins only when it is alone.
   */
  match(event: ToolHookKey): PendingToolHint | undefined {
    let printedEvent: string | undefined;
    const eventArguments = () => (printedEvent ??= canonicalJson(event.arguments));
    const sameId = event.toolCallId === undefined ? undefined : this.byId.get(event.toolCallId);
    if (sameId !== undefined) {
      let best = 0;
      let winner: PendingToolHint | undefined;
      let ties = 0;
      for (const p of sameId) {
        const score = scoreOf(p.hint, event, this.printed.get(p), eventArguments);
        if (score < best) continue;
        if (score === best) ties++;
        else [best, winner, ties] = [score, p, 1];
      }
      return ties === 1 ? winner : undefined;
    }
    if (event.toolName === undefined || event.arguments === null) return undefined;
    const same = this.byNameAndArguments.get(event.toolName)?.get(eventArguments());
    return same?.length === 1 ? same[0] : undefined;
  }

  private file(p: PendingToolHint): void {
    const { toolCallId, toolName, arguments: args } = p.hint;
    if (toolCallId !== undefined) listIn(this.byId, toolCallId).push(p);
    if (toolName === undefined || args === null) return;
    const text = canonicalJson(args);
    this.printed.set(p, text);
    let byArguments = this.byNameAndArguments.get(toolName);
    if (!byArguments) this.byNameAndArguments.set(toolName, (byArguments = new Map()));
    listIn(byArguments, text).push(p);
  }

  private unfile(p: PendingToolHint): void {
    const { toolCallId, toolName } = p.hint;
    if (toolCallId !== undefined) drop(this.byId, toolCallId, p);
    const text = this.printed.get(p);
    if (toolName === undefined || text === undefined) return;
    this.printed.delete(p);
    const byArguments = this.byNameAndArguments.get(toolName)!;
    drop(byArguments, text, p);
    if (byArguments.size === 0) this.byNameAndArguments.delete(toolName);
  }
}

/**
 * Same id: 12 (+4 same name, +1 same arguments). Different id but same name and equal non-null
 * arguments: 5. A name alone scores nothing: common tool names repeat across parallel workers.
 */
export function toolHintScore(hint: ResponseToolHint, event: ToolHookKey): number {
  return scoreOf(hint, event, hint.arguments === null ? undefined : canonicalJson(hint.arguments), () => canonicalJson(event.arguments));
}

/** {@link toolHintScore} with the hint's arguments printed (undefined: null), and the event's printed when asked. */
function scoreOf(hint: ResponseToolHint, event: ToolHookKey, hintArguments: string | undefined, eventArguments: () => string): number {
  const idMatches = hint.toolCallId !== undefined && hint.toolCallId === event.toolCallId;
  const nameMatches = hint.toolName !== undefined && hint.toolName === event.toolName;
  if (!idMatches && !nameMatches) return 0;
  const argumentsMatch = hint.arguments !== null && event.arguments !== null && (hintArguments ?? canonicalJson(hint.arguments)) === eventArguments();
  let score = 0;
  if (idMatches) score += 12;
  if (idMatches && nameMatches) score += 4;
  if (idMatches && argumentsMatch) score += 1;
  if (!idMatches && nameMatches && argumentsMatch) score += 5;
  return score;
}

function listIn<V>(map: Map<string, V[]>, key: string): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

function drop<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (!list) return;
  const at = list.indexOf(value);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) map.delete(key);
}
