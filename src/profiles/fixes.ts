/**
 * Named, switchable differences from the NeMo-Relay 0.3 reference. A profile is a set of enabled
 * fixes; `relay-0.3` enables none, the default profile enables the ones marked `inDefault`.
 */
export interface FixInfo {
  name: string;
  summary: string;
  origin: string;
  inDefault: boolean;
}

export const FIXES = [
  {
    name: 'structured-tool-results',
    summary: 'tool results that are not a string or ATIF content parts go to result extra.tool_result instead of content',
    origin: 'ATIF v1.7 validity; NeMo-Relay #223 and #233',
    inDefault: true,
  },
  {
    name: 'closed-content-parts',
    summary: 'content parts written to a step message or a tool result keep only the keys ATIF allows (no cache_control, citations, annotations); a tool result\'s parts as sent go to its extra.tool_result',
    origin: 'ATIF v1.7 validity (ContentPart and ImageSource are closed); atif-v1.7-spec.md §7 item 2: Claude Code blocks carry cache_control',
    inDefault: true,
  },
  {
    name: 'object-arguments',
    summary: 'tool calls synthesized from tool starts get object arguments (strings parsed, scalars wrapped)',
    origin: 'ATIF v1.7 validity (arguments must be an object)',
    inDefault: true,
  },
  {
    name: 'no-empty-trajectories',
    summary: 'trajectories without steps are not written; empty subagent trajectories are dropped with their refs',
    origin: 'ATIF v1.7 validity (steps needs at least one step)',
    inDefault: true,
  },
  {
    name: 'scalar-reasoning-effort',
    summary: 'a request reasoning_effort that is not a string or number is not copied to the agent step (it stays in llm_request)',
    origin: 'ATIF v1.7 validity (reasoning_effort is a string or number)',
    inDefault: true,
  },
  {
    name: 'responses-reasoning-effort',
    summary: "a request without reasoning_effort whose reasoning object has an effort (OpenAI Responses' reasoning: {effort, summary}, as Codex sends with every request; OpenRouter's reasoning.effort) gives the agent step that reasoning_effort (a string or number)",
    origin: 'atif-conversion.md §3.6 step 6 (relay-0.3, like NeMo-Relay HEAD atif.rs, reads only the chat body\'s top-level reasoning_effort): every Codex and Responses step lost the effort its request asked for',
    inDefault: true,
  },
  {
    name: 'no-repeated-user-step',
    summary: 'a continuation (tool-result turn) or a retry of a response-less attempt writes no user step; its request goes to its agent step as extra.llm_request',
    origin: 'NeMo-Relay #545 (turn state; an untyped Responses input message, {role, content}, is read by its role, where HEAD skips it), #957 (response-less retries)',
    inDefault: true,
  },
  {
    name: 'tool-result-reminder-continuation',
    summary: "with no-repeated-user-step, an Anthropic request whose latest user message holds tool_result blocks and, beside them, only text blocks that are each one <system-reminder> (Claude Code's todo nudges, file-change notices, hook output) continues the turn: it writes no user step (other text beside the results, a user's own words, still opens one)",
    origin: 'NeMo-Relay #545 reads any text part as user input (as at HEAD raw_content_starts_new_turn), so each such tool round wrote a user step whose message was the tool_result blocks as JSON',
    inDefault: true,
  },
  {
    name: 'retry-after-error-answer',
    summary: 'with no-repeated-user-step, an attempt the provider answered with an error (an error object at the answer\'s top: Anthropic\'s 529 overloaded_error, a 429 or 500 error body) is a failed attempt: the same request sent again writes no user step; its request goes to its agent step as extra.llm_request, and the error answer keeps its own agent step',
    origin: 'NeMo-Relay #957 (a retry collapses to one logical call) counts only response-less attempts: Claude Code resends a request answered with overloaded_error as it was, and each retry wrote the user\'s message again',
    inDefault: true,
  },
  {
    name: 'response-model',
    summary: "the agent step's model_name is the response's model, then the end's profile model, then the paired start's model",
    origin: 'NeMo-Relay #399, #543, #547',
    inDefault: true,
  },
  {
    name: 'anthropic-tool-use',
    summary: 'Anthropic Messages tool_use blocks become tool calls (arguments from input) and the message is the joined text blocks',
    origin: 'NeMo-Relay #203',
    inDefault: true,
  },
  {
    name: 'responses-function-calls',
    summary: 'an OpenAI Responses function_call item becomes a tool call with its call_id (not the item id fc_…, so the tool events and function_call_output match it and no second call is synthesized), and an answer of function calls alone has the message ""',
    origin: 'atif-conversion.md §3.22 quirks Q3 and Q7: every Codex tool call was written twice',
    inDefault: true,
  },
  {
    name: 'anthropic-server-tools',
    summary: "an Anthropic answer's calls of the tools Anthropic runs itself (server_tool_use: web search, web fetch, code execution) and of its MCP connector (mcp_tool_use) are tool calls (extra.type says which), and the *_tool_result blocks of the same answer are their results: a web search as its results' titles and URLs, an error as its code (extra.is_error)",
    origin: 'NeMo-Relay #203 reads tool_use blocks only (atif-conversion.md §3.8, as at HEAD): a server tool\'s call and its result reached no step, only the message text around them',
    inDefault: true,
  },
  {
    name: 'anthropic-citation-text',
    summary: "an Anthropic answer that cites its sources (documents, web search results) comes split into text blocks at each citation, mid-sentence: with anthropic-tool-use, text blocks next to each other of which one carries citations are one text in the message, concatenated as sent, instead of lines joined by \\n",
    origin: 'NeMo-Relay #203 joins every non-blank text block with "\\n" (atif-conversion.md, the #203 row of the HEAD changes): "According to the document, the grass is green and the sky is blue." was written as five lines, cut at every citation',
    inDefault: true,
  },
  {
    name: 'responses-custom-tool-calls',
    summary: "an OpenAI Responses custom tool's call (custom_tool_call: Codex's apply_patch sends its patch as freeform input) and a local shell call (local_shell_call) are tool calls named by their call_id: the custom tool's text is the argument input, the shell call's arguments its action; type stays in the call's extra",
    origin: 'atif-conversion.md §3.8 (relay-0.3, like NeMo-Relay HEAD, reads only function_call items of a Responses output): every apply_patch of a Codex session, its file edits, reached no tool call, and an answer of such calls alone had the whole response as its message',
    inDefault: true,
  },
  {
    name: 'responses-web-search-calls',
    summary: "an OpenAI Responses web search the model ran (web_search_call: OpenAI runs it and answers in the same response) is a tool call web_search named by its item id, its action (type, query, url) the arguments; the action's sources (include web_search_call.action.sources) are its result, their URLs one a line",
    origin: 'atif-conversion.md §3.8 (relay-0.3, like NeMo-Relay HEAD, reads only function_call items of a Responses output): a Codex or agent web search, its query and what it found, reached no step, only extra.llm_response held it, while the answer cited it',
    inDefault: true,
  },
  {
    name: 'anthropic-stream-usage',
    summary: "a streamed Anthropic Messages answer keeps the input and cache token counts of its message_start: a message_delta's usage (Anthropic sends output_tokens alone) updates the usage key by key instead of replacing it",
    origin: 'relay-cli.md §2.8 (the codec replaces usage at message_delta, as NeMo-Relay HEAD still does): every streamed Claude call lost its prompt tokens',
    inDefault: true,
  },
  {
    name: 'anthropic-stream-thinking',
    summary: "a streamed Anthropic Messages answer keeps its thinking: a thinking block's thinking_delta texts are appended to its thinking and a signature_delta sets its signature, as Anthropic's SDKs assemble a stream",
    origin: 'relay-cli.md §2.8.2 (the codec keeps the thinking block as it started, empty, as NeMo-Relay HEAD still does): a streamed Claude answer lost the thinking its non-streamed form has',
    inDefault: true,
  },
  {
    name: 'anthropic-stream-empty-tool-input',
    summary: 'in the replay, a streamed Anthropic tool_use block whose input_json_delta partial_json texts are all empty (a call of a tool without parameters) keeps the input its content_block_start gave ({}), as Anthropic\'s SDK accumulators do, instead of the string ""; the LLM end, the step\'s extra.llm_response and the annotated tool call carry {}',
    origin: 'relay-cli.md §2.8.2: the live Anthropic codec parses the concatenated partial_json and keeps the raw text when it does not parse, so "" stays ""; Anthropic streams every tool_use as content_block_start {input: {}} then an empty input_json_delta (anthropic-sdk-go #164/#189, anthropic-sdk-java #249/#295/#382)',
    inDefault: true,
  },
  {
    name: 'anthropic-stream-stop-details',
    summary: "a streamed Anthropic answer keeps the stop_details its message_delta carries (a refusal's type, category and explanation), as a non-streamed answer has them; with anthropic-refusal-message, a streamed refusal without text then reads as its explanation",
    origin: "Anthropic's streaming refusals documentation (stop_details arrives on the message_delta event beside stop_reason); relay-cli.md §2.8.2: the live codec keeps stop_reason and stop_sequence only",
    inDefault: true,
  },
  {
    name: 'chat-stream-reasoning',
    summary: "a streamed OpenAI-compatible chat answer keeps its reasoning: the reasoning_content (DeepSeek, vLLM) and reasoning (OpenRouter) deltas are concatenated into the message's field of that name, as the non-streamed answer has it",
    origin: 'relay-cli.md §2.8.2 (the chat codec keeps only content and tool-call deltas, as NeMo-Relay HEAD still does): a streamed reasoning model\'s answer lost its reasoning',
    inDefault: true,
  },
  {
    name: 'chat-stream-tool-identity',
    summary: 'a streamed chat tool call keeps the id and name of its first delta: an empty id, type or function.name that an OpenAI-compatible server repeats on the continuation deltas (DashScope, DeepSeek) does not replace them, so the call is not renamed <name>:1 or dropped',
    origin: 'relay-cli.md §2.8.2 (the chat codec keeps the last id/type/name of a tool-call index, an empty string included, as NeMo-Relay HEAD still does): a streamed call of such a server lost its id (a second call synthesized from the tool start) or, with an empty name too, the whole call',
    inDefault: true,
  },
  {
    name: 'chat-stream-parallel-tool-calls',
    summary: 'a streamed chat tool-call delta that opens a call (an id and a function name) under another id than the call already at its index starts a new call, so parallel calls a server sends all at index 0 or with no index (Gemini\'s OpenAI-compatible endpoint) stay apart instead of being merged into one',
    origin: 'relay-cli.md §2.8.2 (the chat codec keys tool calls by index alone, as NeMo-Relay HEAD still does): every call but the last lost its id and name, and their arguments were glued into one unparsable string ({"raw": "{…}{…}"})',
    inDefault: true,
  },
  {
    name: 'chat-stream-refusal',
    summary: "a streamed OpenAI chat answer keeps its refusal: the refusal deltas a model sends when it declines are concatenated into the message's refusal, as the non-streamed answer has it",
    origin: 'relay-cli.md §2.8.2 (the chat codec keeps only content and tool-call deltas, as NeMo-Relay HEAD still does): a streamed refusal was in no step nor in the LLM end, and the step\'s message was the response without it as JSON',
    inDefault: true,
  },
  {
    name: 'responses-stream-deltas',
    summary: "a streamed OpenAI Responses output item that was opened but never done (no output_item.done, as in a stream cut short) keeps what its delta events sent: output text, refusal, function call arguments, custom tool input, reasoning summary",
    origin: 'relay-cli.md §2.8.2 (the Responses codec ignores deltas and rebuilds output from the output_item events, as NeMo-Relay HEAD still does): an answer cut short lost the text and arguments it had streamed, where a chat stream keeps them',
    inDefault: true,
  },
  {
    name: 'stream-error-answer',
    summary: "a streamed answer that the provider broke off with an error event (Anthropic's event: error overloaded_error, a Responses error or response.failed, a chat router's {\"error\": …} chunk) has that error as its top-level error beside what came before it, so the LLM end says the call failed (and a resend of it is a retry under retry-after-error-answer)",
    origin: 'relay-cli.md §2.8 (the live codecs take no notice of an error event: the aggregate ends with what came before, as NeMo-Relay HEAD still does): a cut answer read as a finished one, and its retry repeated the user step',
    inDefault: true,
  },
  {
    name: 'stream-without-request',
    summary: "a gateway call whose request body was not read (not captured, undecodable, not JSON), so that its \"stream\" flag is unknown, is read as a stream when its response was captured as an event stream: its answer, calls and usage are assembled instead of only the stream's size being kept",
    origin: 'relay-cli.md §2.8 (the gateway decodes an answer by the request\'s "stream" flag; a null request reads as buffered): a capture whose request body a recorder did not keep or could not decode (a Codex zstd body before zstd could be read) lost its whole streamed answer, the step\'s message {"body_bytes": n}',
    inDefault: true,
  },
  {
    name: 'stream-error-body',
    summary: 'in the replay, a request that asked for a stream ("stream": true) and was answered with a JSON error body instead (Anthropic\'s HTTP 529 {"type": "error", "error": {"type": "overloaded_error", …}}, an OpenAI 429 or 500 {"error": {…}}; any non-2xx JSON object, or one with an error object at its top) has that body as its answer, as a buffered call has: the LLM end, extra.llm_response and the gateway annotation carry the error, the answer reads as failed, and with retry-after-error-answer the client\'s resend writes no second user step; the call is no longer counted as a response not read',
    origin: 'relay-cli.md §2.8.2 (seed quirk): a non-2xx body in streaming mode goes through the SSE decoder, which finds no data: line, so the LLM end was the empty aggregate ({"content": []}); NeMo-Relay #577 preserves streaming provider error responses; Anthropic documents 529 overloaded_error and 500 api_error as JSON error bodies',
    inDefault: true,
  },
  {
    name: 'anthropic-token-accounting',
    summary: "Anthropic usage is counted as ATIF counts it: prompt_tokens is input_tokens + cache_read_input_tokens + cache_creation_input_tokens (Anthropic's input_tokens leaves cached input out) and cached_tokens the cache reads alone (so cached never exceeds prompt)",
    origin: 'ATIF v1.7 §5.5; atif-v1.7-spec.md §7 item 5 (relay-0.3: cached_tokens > prompt_tokens, a [token-accounting] warning); NeMo-Relay HEAD adds cache read and write into the prompt',
    inDefault: true,
  },
  {
    name: 'responses-cached-tokens',
    summary: "an OpenAI Responses usage's cached input, input_tokens_details.cached_tokens, is the step's cached_tokens (read after cached_tokens and prompt_tokens_details.cached_tokens)",
    origin: 'NeMo-Relay #222 (atif-conversion.md §3.9: relay-0.3 reads no cached count from Responses usage, so every Codex call wrote none)',
    inDefault: true,
  },
  {
    name: 'provider-reported-cost',
    summary: "a usage's reported cost other than cost_usd is the step's cost_usd: OpenRouter's number cost (USD), or a cost object's total in USD (else the sum of its input, output, cache_read and cache_write parts); a cost in another currency is none; a step whose usage reports a cost but no token counts has metrics with its cost",
    origin: 'NeMo-Relay #206 (cost.total) and #796 (OpenRouter\'s scalar cost); relay-0.3 reads only usage.cost_usd, which no provider sends, so no call through OpenRouter had a cost',
    inDefault: true,
  },
  {
    name: 'annotated-response-cost',
    summary: "the cost NeMo-Relay 0.8 writes on an LLM end's codec annotation (category_profile.annotated_response.usage.cost: its pricing plugin's estimate from the tokens and its price table, or a cost the provider reported) is the step's cost_usd when the response's own usage reports none: the USD total (a provider-reported cost's parts summed when it has no total; another currency is none); the cost object as written, with its source and price table, stays in metrics.extra.nemo_relay.cost",
    origin: "NeMo-Relay 0.8 (crates/core/src/observability/atif.rs extract_metrics reads the normalized usage's cost, and model_pricing estimates it at the LLM end); relay-0.3 reads the cost of the response body's usage only, where the estimate never is, so every step of a 0.8 stream priced by Relay had no cost_usd and final_metrics no total_cost_usd",
    inDefault: true,
  },
  {
    name: 'llm-optimization-summary',
    summary: "the optimization summary NeMo-Relay 0.8 writes on an LLM end's codec annotation (category_profile.annotated_response.optimization_summary: the tokens and the estimated cost a plugin's prompt compression or model routing saved on the call, and the contributions it was computed from) is the step's metrics.extra.nemo_relay.optimization, and final_metrics.extra.nemo_relay.optimization totals the calls it was on, the prompt and total tokens saved and the USD cost saved; the nemo_relay.llm.optimization mark of each contribution, under a call whose end carries the summary, writes no system step",
    origin: "NeMo-Relay 0.8 (crates/core/src/observability/atif.rs extract_metrics and FinalMetricsTotals; its exporter reads no mark); relay-0.3 reads no annotation summary, so what an optimization saved was in no step, and writes each contribution mark as a system step nemo_relay.llm.optimization between the call's user and agent steps",
    inDefault: true,
  },
  {
    name: 'response-cache-marks',
    summary: "a NeMo-Relay 0.8 response-cache mark (response_cache, data {status}) writes no system step: a miss or a bypass is the cache's telemetry; a hit under an LLM call is noted on that call's agent step as metrics.extra.nemo_relay.response_cache {status, saved_tokens, saved_cost_usd, age_ms, ttl_ms, backend, key_hash, surface} (the mark's nemo_relay.response_cache.* metadata), since the step's usage is the stored response's; final_metrics.extra.nemo_relay.response_cache totals the hits and what they saved",
    origin: "NeMo-Relay 0.8 (crates/adaptive/src/response_cache/mark.rs and intercept.rs: a hit returns the stored body, usage intact, and reports its savings on the mark only; observability/atif.rs reads no mark and keeps the optimization savings it knows of in metrics.extra.nemo_relay); relay-0.3 writes every cache decision as a system step response_cache and drops the mark's metadata, so a hit's step counted the stored tokens as spent with nothing to tell it apart",
    inDefault: true,
  },
  {
    name: 'relay-telemetry-marks',
    summary: "a NeMo-Relay 0.8 metric mark (data_schema nemo.relay.metric_measurements: OpenTelemetry measurements such as a tool.calls counter) or log mark (metadata nemo_relay.log.severity, such as a middleware's pending-request marks at the LLM start + 1 µs) writes no system step: both are recordings for Relay's metrics and logs exporters",
    origin: "NeMo-Relay 0.8 (crates/core/src/observability/atif.rs: its ATIF exporter reads no mark, \"point-in-time telemetry is not a step\"; crates/types/src/api/event.rs METRIC_DATA_SCHEMA_NAME and LOG_SEVERITY_METADATA_KEY); relay-0.3 writes every mark with data as a system step, so each recording was a step between the trajectory's user and agent steps",
    inDefault: true,
  },
  {
    name: 'guardrail-rejection-step',
    summary: "a NeMo-Relay conditional-execution guardrail that stopped a call (a guardrail scope whose end has allowed: false: rejected with its rejection_reason, or failed with an error) is a system step where it happened, \"Guardrail <name> blocked the LLM call: <reason>\" (or the tool call), the guardrail's name, kind and end data in extra.guardrail; the {rejected, rejection_reason} mark llm_call_execute emits right after it, named after the call, is in that step",
    origin: "beyond NeMo-Relay 0.8 (crates/core/src/api/runtime/state.rs llm_conditional_execution_snapshot_chain; its ATIF exporter skips guardrail scopes and marks): relay-0.3 reads no guardrail scope, so a call blocked before it started (the preflight llm_conditional_execution, or a guardrail that failed) left no step (a stream of it alone: 0 trajectories), and llm_call_execute's rejection was a system step named after the call (\"openai\") with the reason only in its event_payload",
    inDefault: true,
  },
  {
    name: 'final-metrics-per-field',
    summary: 'each final_metrics total is written when at least one step has that field, as its sum, 0 included: no total_prompt_tokens or total_completion_tokens of 0 made up for steps that counted none (a usage that reported only a cost), and a total_cached_tokens or total_cost_usd of 0 that steps reported is kept',
    origin: 'NeMo-Relay #206 (final metrics per field); atif-conversion.md §3.19: relay-0.3 writes the prompt and completion totals whenever any step has metrics, and the cached and cost totals only when positive',
    inDefault: true,
  },
  {
    name: 'provider-reasoning',
    summary: "an answer's reasoning in its provider's own shape is the agent step's reasoning_content when it has no top-level reasoning text: Anthropic thinking blocks, a chat message's reasoning_content (DeepSeek, vLLM) or reasoning (OpenRouter), OpenAI Responses reasoning summaries",
    origin: "ATIF v1.7 reasoning_content (the agent's internal reasoning); atif-conversion.md §3.6 step 6: relay-0.3 (and NeMo-Relay HEAD) read only data.reasoning, so no provider's reasoning reached a step",
    inDefault: true,
  },
  {
    name: 'chat-refusal-message',
    summary: "an OpenAI chat answer that refused (its first choice's message has content null and a refusal text) has that refusal as the agent step's message, instead of the whole response as JSON",
    origin: "atif-conversion.md §3.7 (relay-0.3 reads a choice's content only; a refusal falls through to rule 7, the whole response as a JSON string)",
    inDefault: true,
  },
  {
    name: 'responses-refusal-message',
    summary: "an OpenAI Responses answer that refused (a message item whose content is a refusal part, {type: refusal, refusal: …}, and no output text) has that refusal as the agent step's message, instead of the whole response as JSON",
    origin: 'atif-conversion.md §3.7 rule 5 (relay-0.3 reads only the output_text parts of a Responses output; a refusal falls through to rule 7, the whole response as a JSON string)',
    inDefault: true,
  },
  {
    name: 'responses-reasoning-only',
    summary: 'an OpenAI Responses answer whose output is reasoning items alone (status incomplete, incomplete_details.reason max_output_tokens: the model spent its output budget reasoning and wrote no message) has the message "", not the whole response as JSON; its reasoning summary is the step\'s reasoning_content (provider-reasoning)',
    origin: 'atif-conversion.md §3.7: a response with no output text, refusal or call falls through to the whole body as the message (a dump of the response, reasoning and all, where the answer is empty); OpenAI community report of reasoning-only incomplete outputs (gpt-5.2-codex, max_output_tokens)',
    inDefault: true,
  },
  {
    name: 'empty-answer-message',
    summary: 'an LLM end that holds no answer, only the trace of one not read (the {} of a stream that held no event or whose body was not captured, the gateway\'s {"body_bytes": n} for a body that is not JSON or was not captured, an OpenAI Responses object with an empty output and no error: a stream cut before its first output item), has the message "" instead of that stand-in as JSON; the run summary counts the call as a response not read in full, as before',
    origin: 'atif-conversion.md §3.7 rule 7 (the whole response as the message) and relay-cli.md §2.8 (the live codecs aggregate no event to {}, the buffered path writes {"body_bytes": n}): a Codex session captured without its response bodies (mitmproxy\'s null HAR text) read "{}" as every answer, and a turn interrupted before the model wrote anything read {"id":"resp_…","output":[],"status":"in_progress"}',
    inDefault: true,
  },
  {
    name: 'anthropic-refusal-message',
    summary: 'an Anthropic answer refused by its classifiers (stop_reason refusal) with no text or call (content [] or a blank text block) has as its message the refusal\'s stop_details.explanation when Anthropic sends one, else "", not its content array ([] or [{"text": "", "type": "text"}])',
    origin: 'Anthropic "Handle streaming refusals": stop_reason refusal, "no additional refusal message is included", stop_details {type, category, explanation}; atif-conversion.md §3.7 (and #203) read an Anthropic content without text as the generic content, so a refusal was an empty part array, unlike every other answer without text ("")',
    inDefault: true,
  },
  {
    name: 'hermes-summary-messages',
    summary: "a Hermes hook LLM call whose pre_api_request sent no exact request (an older Hermes, or a request over its size limit, sent _truncated) writes no user step: its summary of counts goes to the answer's extra.llm_request; and a post_api_request that sent no exact response gives an answer of message \"\" (the summary stays in extra.llm_response, its usage in the metrics), instead of the summaries' JSON as what the user said and what the agent answered",
    origin: "relay-cli.md §1.4 (Hermes LLM events: a summary object when no exact payload was sent) and atif-conversion.md §3.5.1 / §3.6 (a body with no messages is written whole, as JSON): a Hermes session seen by its hooks had user steps like {\"api_call_count\":1,\"fidelity\":…} and agent answers like {\"api_call_count\":1,\"provider\":…}",
    inDefault: true,
  },
  {
    name: 'hermes-turn-text',
    summary: "a Hermes pre_llm_call with a non-blank user_message, or post_llm_call with a non-blank assistant_response, is, besides its LLM hint, a hook_mark carrying its payload; with hook-turn-steps the user_message is the turn's prompt (a user step at the turn's start unless a request of the turn holds it) and the assistant_response the text of the turn's last answer when that answer has none (its response was a summary) or, in a turn no LLM call answered, an agent step of its own",
    origin: "relay-cli.md §1.4 (Hermes prellmcall / postllmcall are LLM hints, written to no event): Hermes fires them once per turn with the user's message and the final answer; a Hermes session whose API hooks sent summaries had neither in any step",
    inDefault: true,
  },
  {
    name: 'null-request-user-step',
    summary: "an LLM request whose body was not read (null: not captured, undecodable, not JSON) writes no empty user step; with hook-turn-steps the prompt its turn's hook reported is the user step there instead",
    origin: 'atif-conversion.md (a user step for every LLM start, its message the latest user message of the request): a null request gave the user step "" and, under hook-turn-steps, counted as holding the turn\'s prompt, so the user\'s words in the prompt hook were written nowhere',
    inDefault: true,
  },
  {
    name: 'empty-tool-arguments',
    summary: 'a tool call whose arguments are an empty (or whitespace-only) string, as OpenAI strict tools, Ollama, vLLM, LM Studio and routers send for a call without parameters, has the arguments {} instead of {"raw": ""}',
    origin: 'atif-conversion.md §3.8 (relay-0.3 parses an arguments string as JSON and keeps what does not parse as {"raw": …}, the empty string included)',
    inDefault: true,
  },
  {
    name: 'request-tool-results',
    summary: "an answer's tool calls that no tool event answered take their results from the next request, which sends them back to the model (OpenAI Chat role tool messages, Anthropic tool_result blocks, OpenAI Responses function_call_output and custom or local shell call output items): a log of the gateway alone, or a tool the hooks do not report (Codex's apply_patch), has its results; a tool event's result is never replaced",
    origin: 'atif-conversion.md §3.11–3.12 (observation results come from tool scope ends only, as at NeMo-Relay HEAD): without tool hooks every call of a trajectory had no result, though each request held them',
    inDefault: true,
  },
  {
    name: 'request-tool-result-content',
    summary: "a tool result a tool event gave without content (its value was no text, so it is in extra.tool_result: every Claude Code Bash, Read, Edit, Grep and Task result is an object) takes as content the text the next request sends back to the model for its call (extra.content_source llm_request); the tool's own value stays in extra.tool_result",
    origin: 'structured-tool-results moves a result that is not text out of content for ATIF validity (NeMo-Relay #223, #233), and request-tool-results never replaces a tool event\'s result: with hooks and gateway, no Claude Code tool result had content, though each next request held what the model read',
    inDefault: true,
  },
  {
    name: 'responses-tool-output-items',
    summary: "with request-tool-results or request-tool-result-content, an OpenAI Responses function or custom tool call output sent back as an array of content items (input_text, input_image, input_file) has its text items' texts, joined by \"\\n\", as the result's content (none when it holds no text), and the items as sent in extra.tool_result when an image or file is among them, not the array's JSON as content",
    origin: 'OpenAI Responses: a function_call_output or custom_tool_call_output output is string | Array<ResponseInputText | ResponseInputImage | ResponseInputFile> (openai-python 2.0.0, openai-node 6.0.0: images and files in function call outputs); atifContentValue wrote such an array, no ATIF parts, as its canonical JSON, base64 image data included',
    inDefault: true,
  },
  {
    name: 'image-parts',
    summary: "images the agent sends a model (Anthropic image blocks, base64 or URL; OpenAI Chat image_url and Responses input_image, data URL or URL) in the user's message or in a tool result sent back are ATIF v1.6 image parts beside the text parts, not the content's JSON: base64 data is written once as images/<sha256>.<ext> beside the trajectory (-o DIR/ or -o FILE) and referred to by that path, a URL of an image file is kept as the path; on stdout (no directory) an image of data is left out and counted; an uploaded file's id or a URL of no image type cannot be shown and is left out",
    origin: 'atif-conversion.md §3.6 (atifContentValue keeps a content array only when it is ATIF parts already): a pasted screenshot made the user step the content array as a JSON string, megabytes of base64 around the user\'s words (Anthropic, Chat), or was lost (Responses: input_text only; an image-only message wrote the earlier prompt, or the whole request, instead); a Read of an image had its base64 as the result content (gateway logs). ATIF v1.6 ContentPart/ImageSource: images live in files, no base64',
    inDefault: true,
  },
  {
    name: 'document-blocks',
    summary: "a document or file the agent sends a model (an Anthropic document block: a PDF Claude Code read or the user attached; an OpenAI Chat file part; a Responses input_file) in the user's message or in a tool result sent back is left out of the message, which keeps its text and images as ATIF parts, and counted; a plain-text document source is a text part: not the content's JSON with the file's base64",
    origin: 'atif-conversion.md §3.6 (atifContentValue keeps a content array only when it is ATIF parts already); ATIF has no part for a PDF or another file (ContentPart is text or image): a prompt with a PDF was the content array as a JSON string, the base64 PDF included, and a gateway log\'s Read of a PDF had it as its result content',
    inDefault: true,
  },
  {
    name: 'provider-api-paths',
    summary: "a capture of a provider's own API path is routed by the route path it ends with: a HAR file or proxy log of direct calls has OpenRouter's /api/v1/chat/completions, Azure's /openai/deployments/<name>/chat/completions, Gemini's /v1beta/openai/chat/completions, Groq's /openai/v1/chat/completions, Codex's /backend-api/codex/responses (signed in with ChatGPT) or DeepSeek's /anthropic/v1/messages, which the gateway's router does not serve",
    origin: 'relay-cli.md §2.1 (the live router matches its own paths exactly, as a proxy in front of the agent sees them): offline, captures of direct calls were unsupported-route skips, their calls in no trajectory',
    inDefault: true,
  },
  {
    name: 'hook-turn-steps',
    summary: "a turn that no LLM call speaks for gets its steps from its own hooks: the prompt hook's text (Claude Code and Codex UserPromptSubmit, Cursor beforeSubmitPrompt: prompt) as a user step at the turn's start, the tools its hooks report as the calls of an agent step of no LLM call with their results as its observation, and the stop hook's last_assistant_message (Claude Code, Codex) as an agent step at its end; a subagent's scope is such a turn whose prompt is the task its Claude Code Task/Agent call gave it (the call's input prompt), then its tools and its SubagentStop answer: a log of hooks alone keeps what the user asked, what the agent ran and what it answered",
    origin: 'atif-conversion.md §3.5–3.6, §3.10 (user and agent steps come from LLM spans only, and a tool start joins only the current answer\'s calls; the turn scope the session state machine opens with the prompt hook payload, relay-cli.md §3.6, is read by no step): without gateway captures of a turn, its prompt and answer reached no step and its tools only bare observations (or the previous turn\'s answer), as at NeMo-Relay HEAD',
    inDefault: true,
  },
  {
    name: 'keep-interleaved-extra',
    summary: 'an LLM end finalises the agent step it replaces, so interleaved calls keep their extra (ancestry, invocation, llm_response, tool metadata)',
    origin: 'NeMo-Relay #937 (quirk Q1)',
    inDefault: true,
  },
  {
    name: 'earlier-step-tool-events',
    summary: "a tool start or end whose call id names a tool call of an earlier agent step (another LLM call ended between the answer that called the tool and the tool's hooks, as Claude Code's Haiku utility calls do) belongs to that step: the start adds no copy of the call to the current step, the result and the tool metadata attach to the step that called it",
    origin: '../shared/spec/atif-conversion.md §3.10-3.12 (as at NeMo-Relay HEAD): only the current agent step takes a tool event, so the call was copied onto the utility answer, or its result became a trailing system step without source_call_id',
    inDefault: true,
  },
  {
    name: 'tool-result-annotation',
    summary: "a tool end's category_profile.tool_result_annotation (the opaque annotation NeMo-Relay 0.8 tools return beside their result; null is none) is its observation result's extra.tool_result_annotation; an annotated end without data still has a result (no content), which tree pruning keeps; the annotation goes only with its own result (a merge that keeps another event's value does not take it)",
    origin: 'NeMo-Relay #575 (56158e4d9, after 0.3): relay-0.3 reads no tool_result_annotation, so a tool end\'s annotation was in no step and an annotated end without data gave no result at all',
    inDefault: true,
  },
  {
    name: 'signature-tool-calls',
    summary: 'the dedupe response signature includes the promoted tool calls, so tool-only answers with different calls never match',
    origin: 'NeMo-Relay #205',
    inDefault: true,
  },
  {
    name: 'dedupe-cross-round',
    summary: 'a span is the same request as at most one of two partners that do not overlap each other (shared key first, then answers of one kind: an error answer with an error answer, then the larger overlap); the other pair is KEPT_CROSS_ROUND',
    origin: 'atif-dedupe.md §5 E7: a late hook span suppressed the next round\'s real call',
    inDefault: true,
  },
  {
    name: 'dedupe-chain-metrics',
    summary: 'usage a suppressed span took from spans it suppressed is passed on to its own suppressors instead of being lost',
    origin: 'atif-dedupe.md §5 E1: usage lost in chains (W_METRICS_LOST)',
    inDefault: true,
  },
  {
    name: 'dedupe-tie-break',
    summary: 'the same request at equal fidelity keeps one span: gateway over non-gateway, then the earlier start, then the smaller uuid (not when their correlation keys say they are distinct calls, nor when their answers carry different provider ids, nor when the windows only touch)',
    origin: 'atif-dedupe.md §5 E2: equal-fidelity duplicates were both kept',
    inDefault: true,
  },
  {
    name: 'codex-client-metadata-session',
    summary: 'a Codex Responses request is attributed to its client_metadata.session_id (the hook session) before its prompt_cache_key (link CODEX_CLIENT_METADATA_SESSION_ID), and a child thread\'s request (x-openai-subagent collab_spawn) to its subagent by client_metadata.thread_id',
    origin: 'NeMo-Relay #395',
    inDefault: true,
  },
  {
    name: 'codex-child-prompt',
    summary: "a Codex child thread's UserPromptSubmit (its task, the session aliased to the parent thread) is a prompt_submitted mark under the child's own subagent scope, not under the parent's turn; with hook-turn-steps it is the subagent's prompt (a user step unless the child's captured request holds it) instead of a system step",
    origin: "relay-cli.md §3.6.4 (session.rs start_turn, as at NeMo-Relay HEAD): the mark went to the top of the parent's stack, so each child's task was a system step \"UserPromptSubmit\" in the parent trajectory, and a child seen by its hooks alone had no task",
    inDefault: true,
  },
  {
    name: 'claude-code-agent-header',
    summary: "a Claude Code request on an Anthropic route with an x-claude-code-agent-id header (and no x-nemo-relay-subagent-id) belongs to the active subagent of that id (its hooks' agent_id): rule EXPLICIT_SUBAGENT, before hints and the sticky owner",
    origin: "Claude Code sends x-claude-code-agent-id (and x-claude-code-parent-agent-id) on each subagent's requests, which keep the parent's x-claude-code-session-id (peers.md §9); relay-0.3 and NeMo-Relay HEAD read only x-nemo-relay-subagent-id, so parallel subagents' calls went to the sticky owner (the subagent that started or ran a tool last)",
    inDefault: true,
  },
  {
    name: 'single-synthetic-session-id',
    summary: "the events of one hook without a session id share one hook-<uuid> session (an id-less prompt or stop hook is no longer split in two)",
    origin: 'NeMo-Relay #318 (HEAD adapters draw the fallback id once per hook)',
    inDefault: true,
  },
  {
    name: 'cursor-mcp-result',
    summary: "a Cursor afterMCPExecution hook's result_json (the MCP tool's output) is its tool result when it has none of the result keys the adapters read (tool_output, tool_response, output, result, …), so the MCP call has an observation",
    origin: "relay-cli.md §1.2 (tool result keys) and §1.4 (Cursor): relay-0.3 reads no result_json, so every Cursor MCP call ended with a null result and its output was in no step",
    inDefault: true,
  },
  {
    name: 'cursor-shell-tool',
    summary: "a Cursor beforeShellExecution / afterShellExecution hook (command, cwd, output: no tool name, id or input) is the tool Shell with arguments {command}, so the command run is the call's argument and the after hook ends the call its before hook started (tool-end-name-arguments) instead of being a second call",
    origin: "relay-cli.md §1.2 (tool name and argument keys) and §1.4 (Cursor): relay-0.3 reads no command, so every Cursor shell command was two calls unknown_tool with empty arguments, one with the output and one with no result, and the command itself was in no step",
    inDefault: true,
  },
  {
    name: 'cursor-agent-text',
    summary: "a Cursor afterAgentResponse or afterAgentThought hook with a non-blank text (the answer the agent wrote, a thinking block) is, besides its LLM hint, a hook_mark carrying its payload; with hook-turn-steps, in a turn no captured request speaks for, the answer is an agent step with that message (a tool after it opens a new tool step) and a thought the reasoning_content of the turn's next answer, or of an agent step of its own at its time when a tool step or the turn's end comes first (a step of llm_call_count 0 may hold no reasoning)",
    origin: "relay-cli.md §1.3–1.4 (afteragentresponse, afteragentthought are generic LLM hints, which correlate gateway calls and are written to no event): Cursor calls its own backend, so a Cursor session seen by its hooks had none of its answers or thoughts in any step, not even in extra.observed_events",
    inDefault: true,
  },
  {
    name: 'claude-startup-probe',
    summary: "Claude Code's startup probe (a one-token Anthropic request, max_tokens 1, whose only message is the user text \"test\", to a claude- model, before any turn of a Claude Code session) is forwarded without LLM events: no turn and no trajectory of its own (a user step \"test\" and a one-token answer); explain --request names it",
    origin: 'NeMo-Relay #213 (8a852b241, claude/alignment.rs is_startup_probe)',
    inDefault: true,
  },
  {
    name: 'count-tokens-calls',
    summary: "a call of Anthropic's token-counting endpoint (/v1/messages/count_tokens, LLM events named anthropic.count_tokens) is no inference: it writes no step (relay-0.3 wrote its request as a user step and its {\"input_tokens\": N} as an agent step) and is no dedupe candidate (explain: NOT_CANDIDATE_TOKEN_COUNT)",
    origin: 'relay-cli.md §2 (the gateway records count_tokens calls as LLM events, as NeMo-Relay 0.3 and HEAD do); ATIF v1.7 llm_call_count: a step stands for LLM inferences, and a token count is none',
    inDefault: true,
  },
  {
    name: 'claude-utility-calls',
    summary: "Claude Code's calls beside the conversation (topic detection, session titles, Bash command prefixes, file suggestions: an Anthropic request with no tools and a single user message, in a Claude Code turn or agent whose other calls carry tools) are a child trajectory of their own in subagent_trajectories (trajectory_id <agent uuid>-claude-code-utility, extra.claude_code_utility_calls true, each step's extra.utility true, as peers mark them), with their steps and metrics, instead of user and agent steps among the conversation's",
    origin: "relay-0.3 and NeMo-Relay HEAD write them in the turn: a Claude Code turn seen by a gateway read user (its prompt), user (the prompt again, from the topic-detection call), agent '{\"isNewTopic\": true, …}', agent (the real answer)",
    inDefault: true,
  },
  {
    name: 'compaction-steps',
    summary: "a Claude Code context compaction is written as ATIF v1.7 §VII describes it: the compaction mark's system step (a PreCompact hook) gets extra.context_management {type: compaction, boundary: replace}, the summary as its observation content and a ref to the compaction run, the first answered LLM call after the mark, which is a child trajectory of its own (trajectory_id <agent uuid>-compaction-<n>, extra.compaction_run true) instead of a user step asking for a summary and an agent step giving it",
    origin: "ATIF v1.7 RFC §VII (context_management); relay-0.3 writes the compaction request's closing instruction as a user step (\"Your task is to create a detailed summary of the conversation so far…\"), as if the user had typed it",
    inDefault: true,
  },
  {
    name: 'responses-compact-calls',
    summary: "a capture of OpenAI's compaction endpoint (POST /v1/responses/compact, Codex's remote compaction when its context fills up or on /compact; a HAR entry too, and /backend-api/codex/responses/compact with provider-api-paths) is read as an LLM call of its session, not skipped; written as compaction-steps writes Claude Code's: a system step with extra.context_management {type: compaction, boundary: replace} where the call was made, referring to the call as a child trajectory of its own (trajectory_id <agent uuid>-compaction-<n>, extra.compaction_run true) whose one agent step has the model, the tokens and the response.compaction object (its summary is encrypted, so the message is \"\"), and no user step of the history the request re-sends",
    origin: 'OpenAI API reference, "Compact a response" (POST /responses/compact → object response.compaction with output items and usage); relay-cli.md §2.1: the live router does not serve the path, so relay-0.3 skips the capture (unsupported-route) and the compaction and its tokens are in no trajectory',
    inDefault: true,
  },
  {
    name: 'codex-compact-session-header',
    summary: "a capture of Codex's remote compaction (route of responses-compact-calls), whose body has no client metadata, is attributed to the thread its session_id header names (link CODEX_COMPACT_SESSION_HEADER, after the Codex body links), the id Codex's other requests give as prompt_cache_key; it went to the shared gateway-gateway session whenever more than one session was open",
    origin: 'Codex codex-api build_conversation_headers: the compact request carries the conversation (thread) id in a session_id header and a CompactionInput body of model, input, instructions, tools, reasoning and text only; the NeMo-Relay chain (relay-cli.md §2.3) reads neither',
    inDefault: true,
  },
  {
    name: 'compaction-continuation',
    summary: "the summary Claude Code sends as the first user message after a compaction (\"This session is being continued from a previous conversation that ran out of context…\") is a user step of its own with is_copied_context true (ATIF v1.5: earlier context carried across a summarisation boundary, excluded from training data), before the user step of what the user typed, instead of a part of that step; after an automatic compaction mid-task, where the user typed nothing, it is the only step the request writes",
    origin: "ATIF v1.5 is_copied_context; Claude Code writes the message itself (isCompactSummary in its transcript) and merges it with the user's next message; relay-0.3 writes both as one user step",
    inDefault: true,
  },
  {
    name: 'system-reminder-steps',
    summary: "the <system-reminder> text parts Claude Code adds to a user message for the model (CLAUDE.md, the date and the user's e-mail before the first prompt; todo nudges, file-change notices, hook output), each part's whole text reminder blocks, are a system step before the user's, marked as an ATIF v1.7 §VII context injection (extra.context_management {type: injection, boundary: append}), instead of parts of the user step; a message of reminders alone is that system step only",
    origin: "ATIF v1.7 RFC §VII (context_management, type injection); Claude Code sends its reminders as user-role messages its API normaliser merges into the user's; relay-0.3 writes them in the user step, so a first prompt read as the project's CLAUDE.md and the date",
    inDefault: true,
  },
  {
    name: 'agent-identity',
    summary: "a trajectory's agent fields the command line does not give come from the session: agent.name is the agent that ran it (the agent_kind the session layer writes, claude-code, codex, cursor or hermes; else the agent a gateway request's User-Agent names), agent.version that agent's version from a request's User-Agent (claude-cli/<v>, codex_cli_rs/<v>, codex_exec/<v>; unknown when no request says), agent.model_name the model the trajectory's agent steps used most (each embedded trajectory its own); --agent-name, --agent-version and --model-name still set them",
    origin: "ATIF v1.7 AgentInfo (name: the agent system, e.g. claude-code; version: its version; model_name: the run's default model, which a step without one stands for); relay-0.3 writes its plugin's configured defaults, \"NeMo Relay\", the converter's version and \"unknown\", whatever agent and model ran",
    inDefault: true,
  },
  {
    name: 'claude-gateway-turn',
    summary: "an Anthropic Messages request in a Claude Code session with no turn open opens the turn itself, its input the user's task text ({\"prompt\": …}, turn_source gateway_request), and the prompt hook that follows joins it (a prompt_submitted mark) instead of superseding it: a request that reached the gateway before its UserPromptSubmit keeps its answer and its turn",
    origin: 'NeMo-Relay #224 (2fafd3ee6, sessions ensure_turn_started_for_gateway, alignment gateway_turn_input)',
    inDefault: true,
  },
  {
    name: 'idle-waits-for-tool-calls',
    summary: "a turn whose last answer asked for tools (a gateway response with tool calls, Codex's function and custom tool calls, Claude's tool_use) is idle only after the tool-hint TTL (300 s) instead of the 30 s idle timeout: the agent is running those tools and its next request will carry their results, so a test run or build longer than 30 s seen by the gateway alone no longer closes the turn there; acts in the replay",
    origin: "relay-cli.md §3.10 (a turn is idle when nothing is in flight for 30 s; no tool is active for a gateway without tool hooks, while the agent runs the tools its answer asked for) and §3.10's offline note (the idle rule may be changed if documented): a Codex session recorded by a gateway alone was split at every tool run over 30 s, the rest of the turn in a trajectory without the user's message, and the calls before the split without results",
    inDefault: true,
  },
  {
    name: 'late-subagent-stop',
    summary: 'a Claude Code SubagentStop for a subagent never started, arriving when no turn is open (a background subagent finishing after its turn), is a counted hook drop instead of opening a turn of its own (a trajectory of one "SubagentStop" system step)',
    origin: 'NeMo-Relay #213 (8a852b241, session.rs end_subagent)',
    inDefault: true,
  },
  {
    name: 'json-null-fallthrough',
    summary: 'multi-path string look-ups of the gateway and session layers skip a null, object, array or empty value and try the next path',
    origin: 'NeMo-Relay #318 (HEAD json_string_at = string_at_any)',
    inDefault: true,
  },
  {
    name: 'tool-end-name-arguments',
    summary: "a tool end hook whose id names no active tool ends the one active tool with its name and the same arguments (and its owner, when the end has one), instead of a second tool of no duration while the first stays open until the turn closes; the end's own id is kept in its metadata",
    origin: 'NeMo-Relay #205 (d1001be84, HEAD sessions/mod.rs remove_tool_handle_for_event): Hermes pre and post tool hooks carry different ids; Cursor MCP hooks, and Claude Code tool hooks of releases without tool_use_id, got one synthetic tool id each',
    inDefault: true,
  },
  {
    name: 'agent-session-extra',
    summary: "a trajectory's root extra.nemo_relay names the coding agent's session it belongs to, from its root scope's metadata: session_id, session_instance_id and user_id (where NeMo-Relay HEAD writes them), agent_kind, and for a turn turn_index; so the one-trajectory-per-turn output of a Claude Code or Codex session can be grouped again without extra.observed_events",
    origin: "NeMo-Relay #437 (root extra.nemo_relay session correlation); atif-conversion.md §2 (a trajectory's session_id is its top-level scope's uuid): the agent's session id was only in the raw observed events, left out by --no-observed-events",
    inDefault: true,
  },
  {
    name: 'skip-duplicate-events',
    summary: 'an ATOF input line repeating an event already read in its trajectory (same uuid, kind and scope_category; a mark: same uuid) is not converted but a counted duplicate-event skip; the first copy is kept',
    origin: "input-records.md §5 ('duplicate event' is a skip reason); atif-dedupe.md §5 E17: the reference converts every duplicate start/end (W_DUPLICATE_EVENT)",
    inDefault: true,
  },
  {
    name: 'skip-duplicate-records',
    summary: 'a hook record, a bare hook payload with its own timestamp, or a gateway or HAR capture whose text repeats one read before (the same log given twice, a copy taken mid-run beside the final log) is not replayed again but a counted duplicate-record skip naming the first copy',
    origin: "input-records.md §5 (duplicates are skips); the live gateway receives each hook and call once, so a second copy in the input is no second event: relay-0.3 replayed it, opening a second turn with the same prompt that got no answer (a trajectory apart, for Claude Code)",
    inDefault: true,
  },
] as const satisfies readonly FixInfo[];

export type FixName = (typeof FIXES)[number]['name'];
export type FixSet = ReadonlySet<FixName>;

export const PROFILE_NAMES = ['default', 'relay-0.3'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isFixName(name: string): name is FixName {
  return FIXES.some((f) => f.name === name);
}

/** The fixes of a profile, adjusted by `--fix` / `--no-fix`. */
export function resolveFixes(profile: ProfileName, enable: readonly FixName[] = [], disable: readonly FixName[] = []): FixSet {
  const set = new Set<FixName>(profile === 'relay-0.3' ? [] : FIXES.filter((f) => f.inDefault).map((f) => f.name));
  for (const f of enable) set.add(f);
  for (const f of disable) set.delete(f);
  return set;
}

/** What `--fix` / `--no-fix` changed of a profile: the fixes in effect it lacks, and its fixes not in effect (each in FIXES order). */
export interface FixChanges {
  enabled: FixName[];
  disabled: FixName[];
}

/**
 * The profile a run used, as reports name it (JSON keys in snake_case): `profile` stays the name given
 * to `--profile`, so readers of it see what they always saw; `fix_changes` says how the run's fixes
 * differ from that profile's.
 */
export interface ProfileInEffect {
  profile: ProfileName;
  fix_changes: FixChanges;
}

export function profileInEffect(profile: ProfileName, fixes: FixSet): ProfileInEffect {
  const base = resolveFixes(profile);
  const names = FIXES.map((f) => f.name);
  return {
    profile,
    // Measured against the profile, not read off the options: a --fix the profile already has changes nothing.
    fix_changes: { enabled: names.filter((n) => fixes.has(n) && !base.has(n)), disabled: names.filter((n) => base.has(n) && !fixes.has(n)) },
  };
}

/** The profile in human output: `default`, or `default, --no-fix dedupe-tie-break` when the run's fixes differ from it. */
export function profileLabel(p: ProfileInEffect): string {
  return [p.profile, ...p.fix_changes.enabled.map((n) => `--fix ${n}`), ...p.fix_changes.disabled.map((n) => `--no-fix ${n}`)].join(', ');
}
