import { isObject, type Json, type JsonObject } from '../../json/value.js';
import { assembleAnthropicMessages } from './anthropic-messages.js';
import { chunkMarkData } from './chunk-summary.js';
import { decodeSseStream, type SseFrameError } from './frames.js';
import { assembleOpenAiChat } from './openai-chat.js';
import { assembleOpenAiResponses } from './openai-responses.js';
import { firstStreamError, streamErrorObject, type StreamErrorEvent } from './stream-error.js';

/** The three streamed wire formats the live gateway has a streaming codec for. */
export type SseWireFormat = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

/** How a stream is assembled beyond what the live codecs do (the fixes that change it). */
export interface AssembleOptions {
  /** Fix `anthropic-stream-usage`: an Anthropic `message_delta` usage updates the usage so far instead of replacing it. */
  anthropicStreamUsage?: boolean;
  /** Fix `anthropic-stream-thinking`: an Anthropic thinking block's thinking and signature deltas are accumulated. */
  anthropicStreamThinking?: boolean;
  /** Fix `anthropic-stream-empty-tool-input`: a tool_use block whose `partial_json` deltas are all empty keeps its start's input (`{}`), not "". */
  anthropicStreamEmptyToolInput?: boolean;
  /** Fix `anthropic-stream-stop-details`: an Anthropic `message_delta`'s `stop_details` is kept on the message. */
  anthropicStreamStopDetails?: boolean;
  /** Fix `chat-stream-reasoning`: a chat stream's `reasoning_content` / `reasoning` deltas are assembled. */
  chatStreamReasoning?: boolean;
  /** Fix `chat-stream-tool-identity`: an empty id, type or name in a chat tool-call delta keeps the one seen before. */
  chatStreamToolIdentity?: boolean;
  /** Fix `chat-stream-refusal`: a chat stream's `refusal` deltas are assembled. */
  chatStreamRefusal?: boolean;
  /** Fix `chat-stream-parallel-tool-calls`: a new call id at an index already holding a call starts another call. */
  chatStreamParallelToolCalls?: boolean;
  /** Fix `responses-stream-deltas`: a Responses output item never done takes what its deltas sent. */
  responsesStreamDeltas?: boolean;
  /**
   * Fix `stream-error-answer`: a stream that carried the provider's error event (Anthropic's `error`
   * event, a Responses `error` or `response.failed`, a chat router's `{"error": …}` chunk) is
   * assembled with that error as its top-level `error`, so the answer says it failed.
   */
  streamErrorAnswer?: boolean;
  /**
   * Fix `stream-error-body`: a stream request answered with a JSON error body instead of a stream (a
   * non-2xx status, or an error object at its top) has that body as its answer, as a buffered call
   * does. Read by the gateway's outcome (src/gateway/upstream-outcome.ts), not by the assembly.
   */
  streamErrorBody?: boolean;
  /**
   * Fix `stream-without-request`: a call whose request body was not read is decoded as a stream when
   * its response is an event stream. Read by the gateway's outcome, not by the assembly (the start's
   * own flag is GatewayStartOptions.streamWithoutRequest).
   */
  streamWithoutRequest?: boolean;
}

/**
 * The fixes of the assembly that can change an answer, by name (the profile's fix names). An assembler
 * adds one to its `fired` set when that fix's branch changed the answer, so `explain --step` can name
 * it on the step (a fix that was on but changed nothing is not named).
 */
export type AssemblyFix =
  | 'chat-stream-reasoning'
  | 'chat-stream-tool-identity'
  | 'chat-stream-refusal'
  | 'chat-stream-parallel-tool-calls'
  | 'responses-stream-deltas'
  | 'anthropic-stream-usage'
  | 'anthropic-stream-thinking'
  | 'anthropic-stream-empty-tool-input'
  | 'anthropic-stream-stop-details'
  | 'stream-error-answer';

const ASSEMBLERS: Record<SseWireFormat, (events: readonly Json[], options: AssembleOptions, fired: Set<AssemblyFix>) => JsonObject> = {
  'openai-chat': (events, options, fired) =>
    assembleOpenAiChat(
      events,
      {
        reasoning: options.chatStreamReasoning,
        toolIdentity: options.chatStreamToolIdentity,
        refusal: options.chatStreamRefusal,
        parallelToolCalls: options.chatStreamParallelToolCalls,
      },
      fired,
    ),
  'openai-responses': (events, options, fired) => assembleOpenAiResponses(events, { deltas: options.responsesStreamDeltas }, fired),
  'anthropic-messages': (events, options, fired) =>
    assembleAnthropicMessages(
      events,
      { mergeUsage: options.anthropicStreamUsage, thinking: options.anthropicStreamThinking, emptyToolInput: options.anthropicStreamEmptyToolInput, stopDetails: options.anthropicStreamStopDetails },
      fired,
    ),
};

export interface AssembledStream {
  /** Every parsed chunk, in order (each one got an `llm.chunk` mark live). */
  chunks: Json[];
  /** The `llm.chunk` mark data per chunk. */
  chunkMarks: JsonObject[];
  /** What the non-streamed call would have returned, assembled from the chunks received. */
  response: JsonObject;
  /** The frame at which the live stream failed; the response is then the partial aggregate. */
  error?: SseFrameError;
  /** Whether the stream held its `data: [DONE]` end marker (chat streams send one). */
  done: boolean;
  /** The provider's first error event among the chunks (read once: the replay's notes and stream-error-answer both use it). */
  providerError?: StreamErrorEvent;
  /** The fixes whose branches changed the response, in the order they first did; absent when none did. */
  fixes?: AssemblyFix[];
}

/** Decodes a captured event stream and assembles it the way the route's live streaming codec does. */
export function assembleSseStream(format: SseWireFormat, sseText: string, options: AssembleOptions = {}): AssembledStream {
  const { events, error, done } = decodeSseStream(sseText);
  const fired = new Set<AssemblyFix>();
  const assembled: AssembledStream = {
    chunks: events,
    done,
    chunkMarks: events.map((chunk, index) => chunkMarkData(index, chunk)),
    response: ASSEMBLERS[format](events, options, fired),
  };
  if (error) assembled.error = error;
  const failed = firstStreamError(events);
  if (failed) {
    assembled.providerError = failed;
    // What came before the error stays (the live codec keeps it); an `error` the answer already has wins.
    if (options.streamErrorAnswer && !isObject(assembled.response.error)) {
      assembled.response.error = streamErrorObject(events[failed.chunkIndex]);
      fired.add('stream-error-answer');
    }
  }
  if (fired.size > 0) assembled.fixes = [...fired];
  return assembled;
}
