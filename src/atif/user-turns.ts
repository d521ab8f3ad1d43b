import type { AtofEvent } from '../ingest/atof.js';
import { canonicalJson } from '../json/stringify.js';
import type { Json } from '../json/value.js';
import { isErrorAnswer } from '../providers/response.js';
import { requestTurnState } from '../providers/turn-state.js';

/**
 * Why an LLM start writes no user step under `no-repeated-user-step`; `error-retry` (fix
 * `retry-after-error-answer`): it resends a request the provider answered with an error.
 */
export type RepeatedTurn = 'continuation' | 'reminder-continuation' | 'retry' | 'error-retry';

interface Attempt {
  uuid: string;
  parentUuid?: string;
  name: string;
  body: Json;
}

/**
 * Decides whether an LLM start repeats the user step of a turn that already has one (fix
 * `no-repeated-user-step`):
 * - a continuation (#545): the request's latest non-instruction message is a tool round trip, and
 *   the span's own end (with a response) is still to come, so the request can travel to its agent
 *   step (HEAD writes the user step of an unanswered continuation, and so does this);
 * - a retry (#957): the previous LLM start got no response, and this one sends the same request
 *   (same parent, name and whole body) after that attempt ended without one, or it never ended;
 * - with `errorAnswers` (fix `retry-after-error-answer`), a retry of an attempt the provider answered
 *   with an error (an `error` object at the answer's top: Anthropic's 529 `overloaded_error`, a 429 or
 *   500 error body), which clients such as Claude Code and the provider SDKs resend as it was.
 */
export class UserTurns {
  private lastResponseless: Attempt | undefined;
  /** The latest LLM start, which an error answer turns back into a failed attempt. */
  private lastAttempt: Attempt | undefined;
  private readonly answered = new Set<string>();
  private readonly endedEmpty = new Set<string>();
  private readonly endedWithError = new Set<string>();

  /** `ends`: LLM span uuid → whether any of its end events carries a response. */
  constructor(
    private readonly ends: ReadonlyMap<string, boolean>,
    private readonly errorAnswers = false,
    /** Fix tool-result-reminder-continuation: system reminders beside tool results are no user input. */
    private readonly reminderContinuation = false,
  ) {}

  /**
   * Called for every LLM start with data; undefined means it writes its user step. A retry that
   * fails again writes none either: its request is the one the turn's user step already holds.
   */
  atStart(e: AtofEvent, body: Json): RepeatedTurn | undefined {
    const attempt: Attempt = { uuid: e.uuid, parentUuid: e.parentUuid, name: e.name, body };
    const previous = this.lastResponseless;
    const retry = previous !== undefined ? this.retries(previous, attempt) : undefined;
    const answerFollows = this.ends.get(e.uuid) === true && !this.answered.has(e.uuid);
    this.lastResponseless = answerFollows ? undefined : attempt;
    this.lastAttempt = attempt;
    if (answerFollows && requestTurnState(body) === 'continuation') return 'continuation';
    // Only the reminders made it a continuation: said apart, so explain names the fix.
    if (answerFollows && this.reminderContinuation && requestTurnState(body, { reminderContinuation: true }) === 'continuation') return 'reminder-continuation';
    return retry;
  }

  private retries(previous: Attempt, attempt: Attempt): RepeatedTurn | undefined {
    const failed = this.endedWithError.has(previous.uuid);
    const over = failed || this.endedEmpty.has(previous.uuid) || !this.ends.has(previous.uuid);
    if (!over || previous.parentUuid !== attempt.parentUuid || previous.name !== attempt.name) return undefined;
    // Last, as it prints whole conversations: only a failed attempt is ever compared.
    if (canonicalJson(previous.body) !== canonicalJson(attempt.body)) return undefined;
    return failed ? 'error-retry' : 'retry';
  }

  /** Called for every LLM end: one with a response closes the turn's retry window. */
  atEnd(e: AtofEvent): void {
    if (e.data === undefined) {
      this.endedEmpty.add(e.uuid);
      return;
    }
    if (this.errorAnswers && isErrorAnswer(e.data) && this.lastAttempt?.uuid === e.uuid) {
      // The provider refused the attempt: the same request sent again is its retry, not a new turn.
      this.answered.add(e.uuid);
      this.endedWithError.add(e.uuid);
      this.lastResponseless = this.lastAttempt;
      return;
    }
    this.answered.add(e.uuid);
    this.lastResponseless = undefined;
  }
}
