/**
 * Why a hook produced no events: the live runtime drops these too (relay-cli.md §3.3 step 4–5,
 * §3.11), so the replay does; they are recorded as values so that the drop is counted and named
 * instead of silent (README, Reliability: nothing is lost silently). The names are the keys of
 * `--report`'s `replay.dropped_hooks_by_reason`.
 *
 * Not drops: a hook whose events changed state without emitting (a SessionStart whose metadata is
 * merged, an LLM hint, a child start held for its parent, the end of a session with no scope of its
 * own), and a duplicate start of what is already open (the open scope stands for it).
 */
export type HookDropReason =
  /** Something ended in a session that is not open: never opened, or already ended (§3.3 step 4). */
  | 'session_not_open'
  /** A turn end with no turn open (it already ended, by a turn end or the idle timeout). */
  | 'turn_not_open'
  /** A subagent end for a subagent that is not open (already ended). */
  | 'subagent_not_open'
  /**
   * The parent's stop of a Hermes delegation (`subagent_stop`) after the child session's own end
   * (`on_session_end`) closed the subagent: Hermes reports both, and the second end is ignored as live
   * (its `child_status` and `child_summary` are in no event). Expected once per delegation.
   */
  | 'subagent_closed_by_child'
  /**
   * Fix `late-subagent-stop`: a Claude Code subagent stop with no turn open, for a subagent the
   * session never started (one run in the background that finished after its turn).
   */
  | 'subagent_stop_after_turn'
  /** A Hermes subagent start naming a child session that already had work: the whole event is refused (§3.3 step 5). */
  | 'alias_refused'
  /** The adapter's own drop: a Hermes `pre_tool_call` that cannot be correlated. */
  | 'uncorrelatable';

/** Every reason, in the order the summary and `--report` list them. */
export const HOOK_DROP_REASONS: readonly HookDropReason[] = ['session_not_open', 'turn_not_open', 'subagent_not_open', 'subagent_closed_by_child', 'subagent_stop_after_turn', 'alias_refused', 'uncorrelatable'];

/** How the run summary says each reason, after "N hooks produced no events, dropped as live: k …". */
export const HOOK_DROP_WORDING: Readonly<Record<HookDropReason, string>> = {
  session_not_open: 'for a session not open (never opened, or already ended)',
  turn_not_open: 'for a turn not open (already ended)',
  subagent_not_open: 'for a subagent not open (already ended)',
  subagent_closed_by_child: "ending a Hermes subagent its child session's end had already closed (Hermes reports both; expected once per delegation)",
  subagent_stop_after_turn: 'for a Claude Code subagent never started, after its turn ended (fix late-subagent-stop)',
  alias_refused: 'naming a child session that already had work (its subagent start refused)',
  uncorrelatable: 'uncorrelatable (Hermes pre_tool_call)',
};
