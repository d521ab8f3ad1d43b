/**
 * Provider-shape rules that differ between profiles. The exporter sets them from the active fixes;
 * an empty object is the NeMo-Relay 0.3 reading of every shape.
 */
export interface ProviderRules {
  /** Anthropic Messages responses: `tool_use` blocks are tool calls, the message is the joined text blocks (#203). */
  anthropicMessages?: boolean;
  /**
   * OpenAI Responses `function_call` items: a call's id is its `call_id` (the id its
   * `function_call_output`, the tool hooks and the gateway's tool hints use), not the item `id`
   * (`fc_…`), and an answer of function calls alone has the message "" (quirks Q3, Q7).
   */
  responsesFunctionCalls?: boolean;
  /**
   * OpenAI Responses `custom_tool_call` (a freeform tool such as Codex's `apply_patch`) and
   * `local_shell_call` items are tool calls too, named by their `call_id`.
   */
  responsesCustomToolCalls?: boolean;
  /**
   * OpenAI Responses `web_search_call` items (the hosted web search the model ran: its `action`,
   * with the query) are tool calls named by their item id, and the `action.sources` they carry are
   * their results.
   */
  responsesWebSearchCalls?: boolean;
  /**
   * Anthropic `server_tool_use` and `mcp_tool_use` blocks are tool calls too (with `anthropicMessages`),
   * and the `*_tool_result` blocks the same response holds are their results.
   */
  anthropicServerTools?: boolean;
  /**
   * Anthropic text blocks split at a citation (one of two neighbours carries `citations`) are one
   * text in the message (with `anthropicMessages`), not lines joined by "\n".
   */
  anthropicCitationText?: boolean;
  /**
   * Anthropic usage: `prompt_tokens` is input + cache read + cache creation and `cached_tokens` the
   * cache read (ATIF §5.5), not `input_tokens` and read + creation.
   */
  anthropicTokenAccounting?: boolean;
  /**
   * OpenAI Responses usage: the cached input is `input_tokens_details.cached_tokens`, read after
   * `cached_tokens` and `prompt_tokens_details.cached_tokens` (NeMo-Relay #222).
   */
  responsesCachedTokens?: boolean;
  /**
   * A usage's reported cost other than `cost_usd` is the step's `cost_usd`: OpenRouter's number `cost`,
   * or a `cost` object's USD total (NeMo-Relay #206, #796); a cost alone makes metrics.
   */
  providerReportedCost?: boolean;
  /**
   * The cost NeMo-Relay 0.8 writes on an LLM end's `category_profile.annotated_response.usage.cost`
   * (its pricing plugin's estimate, or a cost the provider reported) is the step's `cost_usd` when the
   * response's usage reports none (fix `annotated-response-cost`).
   */
  annotatedResponseCost?: boolean;
  /**
   * The optimization summary NeMo-Relay 0.8 writes on an LLM end's `annotated_response` is the step's
   * `metrics.extra.nemo_relay.optimization` (fix `llm-optimization-summary`).
   */
  llmOptimizationSummary?: boolean;
  /**
   * A call of Anthropic's token-counting endpoint is no inference: it is no dedupe candidate and
   * writes no step (fix count-tokens-calls).
   */
  tokenCountCalls?: boolean;
  /**
   * Reasoning in each provider's own shape (Anthropic thinking blocks, chat `reasoning_content`,
   * Responses reasoning summaries) is the step's `reasoning_content`, after a top-level `reasoning`.
   */
  providerReasoning?: boolean;
  /**
   * OpenAI Chat refusals: a first choice whose message has no content and a `refusal` text has that
   * text as its message, not the whole response as JSON.
   */
  chatRefusal?: boolean;
  /**
   * OpenAI Responses refusals: an output without output text whose message items hold `refusal`
   * content parts has those refusal texts as its message, not the whole response as JSON.
   */
  responsesRefusal?: boolean;
  /**
   * OpenAI Responses answers whose output is reasoning items alone (a reasoning model that ran out of
   * `max_output_tokens` before its message) have the message "", not the whole response as JSON.
   */
  responsesReasoningOnly?: boolean;
  /**
   * OpenAI's compaction endpoint (fix `responses-compact-calls`): its answer (`response.compaction`)
   * has the message "", not the whole object as JSON, and its request writes no user step (its input
   * is the conversation so far, sent again).
   */
  responsesCompaction?: boolean;
  /**
   * An LLM end that holds no answer (`{}` from a stream with no event, the gateway's `{"body_bytes": n}`
   * for a body not read, a Responses object with an empty output and no error) has the message "",
   * not that stand-in as JSON.
   */
  emptyAnswer?: boolean;
  /**
   * Anthropic refusals: an answer with `stop_reason: "refusal"` and no text or call has its
   * `stop_details.explanation` (else "") as its message, not its empty content array.
   */
  anthropicRefusal?: boolean;
  /**
   * Tool-call arguments that are an empty (or whitespace-only) string, as many OpenAI-compatible
   * servers send for a call without parameters, are no arguments (`{}`), not `{"raw": ""}`.
   */
  emptyToolArguments?: boolean;
}

export const SEED_RULES: ProviderRules = Object.freeze({});
