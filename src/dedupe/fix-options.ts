import type { FixSet } from '../profiles/fixes.js';
import type { ProviderRules } from '../providers/rules.js';
import type { DedupeOptions } from './pass.js';
import { tieBreak } from './tie-break.js';

/** The dedupe options the active fixes imply (the seed pass when none of them is on). */
export function dedupeFixOptions(fixes: FixSet, rules: ProviderRules): DedupeOptions {
  const opts: DedupeOptions = { rules, signatureToolCalls: fixes.has('signature-tool-calls') };
  if (fixes.has('dedupe-cross-round')) opts.crossRound = true;
  if (fixes.has('dedupe-chain-metrics')) opts.chainMetrics = true;
  if (fixes.has('dedupe-tie-break')) [opts.tieBreak, opts.tieBreakFix] = [tieBreak, 'dedupe-tie-break'];
  return opts;
}
