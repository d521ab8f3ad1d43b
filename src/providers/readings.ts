import type { Json } from '../json/value.js';
import { extractResponseMessage, type ResponseBranch } from './response.js';
import type { ProviderRules } from './rules.js';
import { extractToolCalls, type PromotedToolCall } from './tool-calls.js';

/**
 * What an LLM response says, read once per conversion: the dedupe pass (signatures), the tool-call
 * pre-pass and the step builder all read the same responses, under the same rules. The readings are
 * shared, so no caller may change them (the step builder copies the tool-call list it extends).
 */
export class ResponseReadings {
  private readonly toolCalls = new Map<Json, readonly PromotedToolCall[] | undefined>();
  private readonly messages = new Map<Json, { value: Json; branch: ResponseBranch }>();

  constructor(readonly rules: ProviderRules) {}

  /** {@link extractToolCalls} of a response body. */
  toolCallsOf(data: Json): readonly PromotedToolCall[] | undefined {
    if (this.toolCalls.has(data)) return this.toolCalls.get(data);
    const calls = extractToolCalls(data, this.rules);
    this.toolCalls.set(data, calls);
    return calls;
  }

  /** {@link extractResponseMessage} of a response body. */
  messageOf(data: Json): { value: Json; branch: ResponseBranch } {
    let message = this.messages.get(data);
    if (!message) this.messages.set(data, (message = extractResponseMessage(data, this.rules)));
    return message;
  }
}
