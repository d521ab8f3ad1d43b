import type { Json, JsonObject } from '../../json/value.js';
import type { GatewayRouteKind } from '../routes.js';
import { annotateAnthropicMessages } from './anthropic-messages.js';
import { annotateOpenAiChat } from './openai-chat.js';
import { annotateOpenAiResponses } from './openai-responses.js';
import { DecodeFailure } from './typed-fields.js';

/** The route's response codec (gateway.rs `codecs_for_route`); count_tokens and models have none. */
const CODECS: Partial<Record<GatewayRouteKind, (response: Json) => JsonObject>> = {
  OpenAiChatCompletions: annotateOpenAiChat,
  OpenAiResponses: annotateOpenAiResponses,
  AnthropicMessages: annotateAnthropicMessages,
};

/**
 * `category_profile.annotated_response` of an LLM end: the response decoded by the route's codec,
 * or undefined when the route has no codec or the decode fails (which the runtime tolerates).
 */
export function annotateResponse(route: GatewayRouteKind, response: Json): JsonObject | undefined {
  const codec = CODECS[route];
  if (!codec) return undefined;
  try {
    return codec(response);
  } catch (error) {
    if (error instanceof DecodeFailure) return undefined;
    throw error;
  }
}
