import type { Json, JsonObject } from '../../json/value.js';
import { assembleAnthropicMessages } from './anthropic-messages.js';
import { chunkMarkData } from './chunk-summary.js';
import { decodeSseStream, type SseFrameError } from './frames.js';
import { assembleOpenAiChat } from './openai-chat.js';
import { assembleOpenAiResponses } from './openai-responses.js';

/** The three streamed wire formats the live gateway has a streaming codec for. */
export type SseWireFormat = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

const ASSEMBLERS: Record<SseWireFormat, (events: readonly Json[]) => JsonObject> = {
  'openai-chat': assembleOpenAiChat,
  'openai-responses': assembleOpenAiResponses,
  'anthropic-messages': assembleAnthropicMessages,
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
}

/** Decodes a captured event stream and assembles it the way the route's live streaming codec does. */
export function assembleSseStream(format: SseWireFormat, sseText: string): AssembledStream {
  const { events, error } = decodeSseStream(sseText);
  const assembled: AssembledStream = {
    chunks: events,
    chunkMarks: events.map((chunk, index) => chunkMarkData(index, chunk)),
    response: ASSEMBLERS[format](events),
  };
  if (error) assembled.error = error;
  return assembled;
}
