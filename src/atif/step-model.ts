import { profileModelName, type AtofEvent } from '../ingest/atof.js';
import { requestModel, responseModel } from '../providers/model.js';

/**
 * The model a paired LLM start names (HEAD `model_name_for_llm_event` on a start): its profile
 * model, else the model its request asks for.
 */
export function startModelName(start: AtofEvent): string | undefined {
  return profileModelName(start) ?? requestModel(start.data, start.categoryProfile);
}

/**
 * An agent step's `model_name` under the `response-model` fix (HEAD #399, #543, #547): the model
 * that answered, else the end's profile model, else the paired start's model.
 */
export function stepModelName(end: AtofEvent, startModel: string | undefined): string | undefined {
  return responseModel(end.data, end.categoryProfile) ?? profileModelName(end) ?? startModel;
}
