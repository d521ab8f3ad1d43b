import { getOwn, isObject, type Json, type JsonObject } from '../json/value.js';
import { unwrapLlmRequest } from './content.js';

const stringField = (obj: Json | undefined, key: string): string | undefined => {
  if (!isObject(obj)) return undefined;
  const v = getOwn(obj, key);
  return typeof v === 'string' ? v : undefined;
};

/**
 * The model that answered, as NeMo-Relay HEAD's normalised response gives it (#399, #543): the
 * codec annotation's `model`, else the response body's `model` (OpenAI Chat and Responses,
 * Anthropic Messages, manual outputs), else Gemini's `modelVersion`. HEAD's full codec decode is
 * approximated by these fields.
 */
export function responseModel(data: Json | undefined, categoryProfile?: JsonObject): string | undefined {
  return (
    stringField(categoryProfile?.annotated_response, 'model') ??
    stringField(data, 'model') ??
    (isObject(data) && Array.isArray(getOwn(data, 'candidates')) ? stringField(data, 'modelVersion') : undefined)
  );
}

/** The model a request asked for: the codec annotation's, else the (unwrapped) request body's `model`. */
export function requestModel(data: Json | undefined, categoryProfile?: JsonObject): string | undefined {
  return stringField(categoryProfile?.annotated_request, 'model') ?? (data === undefined ? undefined : stringField(unwrapLlmRequest(data), 'model'));
}
