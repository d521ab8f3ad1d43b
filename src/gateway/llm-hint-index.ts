import { hintMatchScore, matchingHintIndex, type HintMatchTarget, type LlmHint } from './llm-hints.js';

/**
 * The pending LLM hint that a gateway call consumes (relay-cli.md §2.6.2: the unique best positive
 * score), found without scoring every pending hint. Hints that tie (two prompt hooks before a call,
 * hints naming only the model) are never consumed and stay pending for the 5-minute TTL, and each
 * call scored them all: 20,000 calls with two such hints each took 24 s, quadratic in the calls.
 *
 * A long list is filed by the identifiers that can make a hint score. Every hint that scores 4 or more
 * for a call is filed under one of the call's ids (subagent, conversation, generation, request), and
 * any other scores at most 1 (the model): so the best is the unique best of those few candidates, or,
 * when there are none, the one hint of the call's model if it is the only one.
 *
 * The file of a list is kept beside it (keyed by the array): owner-state hint lists only grow in place
 * (the session appends); any other change is a new array, whose file is made when first asked for, or
 * handed over by {@link moveHintFile} from the list it replaces (owner resolution's filters).
 */

interface Pending {
  hint: LlmHint;
}

/** Below this, scoring every hint is cheaper than filing them. */
const FILE_FROM = 16;

type Postings = Map<string, Set<Pending>>;

interface HintFile {
  /** How many of the list's first hints are filed. */
  filed: number;
  /** By subagent id and by agent id (both score 8 against the call's subagent id). */
  bySubagent: Postings;
  byConversation: Postings;
  byGeneration: Postings;
  byRequest: Postings;
  byModel: Postings;
}

const files = new WeakMap<readonly Pending[], HintFile>();

/** The index of the hint a call consumes: the unique best positive score, as {@link matchingHintIndex}. */
export function matchingPendingHintIndex(hints: readonly Pending[], target: HintMatchTarget): number | undefined {
  if (hints.length < FILE_FROM) return matchingHintIndex(hints.map((h) => h.hint), target);
  const file = fileOf(hints);
  let best = 0;
  let bestHint: Pending | undefined;
  let tied = false;
  const consider = (postings: Postings, id: string | undefined) => {
    if (id === undefined) return;
    const filed = postings.get(id);
    if (filed === undefined) return;
    for (const p of filed) {
      if (p === bestHint) continue; // filed under two of the call's ids
      const score = hintMatchScore(p.hint, target);
      if (score < best) continue;
      tied = score === best;
      if (!tied) {
        best = score;
        bestHint = p;
      }
    }
  };
  consider(file.bySubagent, target.subagentId);
  consider(file.byConversation, target.conversationId);
  consider(file.byGeneration, target.generationId);
  consider(file.byRequest, target.requestId);
  if (bestHint === undefined) {
    // No hint scores 4 or more: one that names the call's model scores 1, the others 0.
    const sameModel = target.modelName === undefined ? undefined : file.byModel.get(target.modelName);
    if (sameModel?.size !== 1) return undefined;
    bestHint = sameModel.values().next().value as Pending;
  } else if (tied) {
    return undefined;
  }
  return hints.indexOf(bestHint);
}

/**
 * `to` replaces `from` (usually `from` without some of its hints, the order kept): `from`'s file is
 * handed over with the hints `to` does not start with taken out, instead of filing every hint of `to`
 * again when it is next asked for. The rest of `to`, if any, is filed then; `from` is left unfiled.
 * With `taken`, `to` must be exactly `from` without that one hint.
 */
export function moveHintFile(from: readonly Pending[], to: readonly Pending[], taken?: Pending): void {
  if (from === to || !files.has(from)) return;
  const file = fileOf(from);
  files.delete(from);
  if (taken !== undefined) {
    // `to` is `from` without `taken` (a consumed hint): no need to go through the list.
    unfile(file, taken);
    file.filed = to.length;
    files.set(to, file);
    return;
  }
  // `to[0..j)`: the hints of `from` that `to` starts with, in order; they stay filed.
  let j = 0;
  for (const p of from) {
    if (j < to.length && to[j] === p) j++;
    else unfile(file, p);
  }
  file.filed = j;
  files.set(to, file);
}

function fileOf(hints: readonly Pending[]): HintFile {
  let file = files.get(hints);
  if (file === undefined || file.filed > hints.length) {
    file = { filed: 0, bySubagent: new Map(), byConversation: new Map(), byGeneration: new Map(), byRequest: new Map(), byModel: new Map() };
    files.set(hints, file);
  }
  for (; file.filed < hints.length; file.filed++) fileHint(file, hints[file.filed]);
  return file;
}

function fileHint(file: HintFile, p: Pending): void {
  for (const [postings, id] of postingsOf(file, p.hint)) add(postings, id, p);
}

function unfile(file: HintFile, p: Pending): void {
  for (const [postings, id] of postingsOf(file, p.hint)) remove(postings, id, p);
}

/** Where a hint is filed: under each id that can make it score, and its model. */
function postingsOf(file: HintFile, hint: LlmHint): Array<[Postings, string | undefined]> {
  return [
    [file.bySubagent, hint.subagentId],
    [file.bySubagent, hint.agentId],
    [file.byConversation, hint.conversationId],
    [file.byGeneration, hint.generationId],
    [file.byRequest, hint.requestId],
    [file.byModel, hint.model],
  ];
}

function add(postings: Postings, id: string | undefined, p: Pending): void {
  if (id === undefined) return;
  let set = postings.get(id);
  if (set === undefined) postings.set(id, (set = new Set()));
  set.add(p);
}

function remove(postings: Postings, id: string | undefined, p: Pending): void {
  if (id === undefined) return;
  const set = postings.get(id);
  if (set === undefined) return;
  set.delete(p);
  if (set.size === 0) postings.delete(id);
}
