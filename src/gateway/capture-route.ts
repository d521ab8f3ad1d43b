import type { CaptureRoute } from '../ingest/read-records.js';
import type { GatewayExchange } from '../ingest/records/exchange.js';
import { llmEndTimestampNs } from './llm-events.js';
import { prepareGatewayExchange, type LlmGatewayStart, type PreparedExchange } from './llm-start.js';
import type { AssembleOptions } from '../providers/sse/assemble.js';
import type { RouteOptions } from './routes.js';
import { earlyOutcome, gatewayCallOutcome, type GatewayCallOutcome } from './upstream-outcome.js';

/**
 * What the gateway says of a capture as it is read (the reader asks; ingest knows no routes): an LLM
 * call, with its completion on the timeline unless it never completes or is piped through unmanaged,
 * or a route that makes no LLM events, with why (the line is then an `unsupported-route` skip).
 */
export function routeCapture(exchange: GatewayExchange, routes: RouteOptions = {}): CaptureRoute {
  const prepared = prepareGatewayExchange(exchange, routes);
  if (prepared.kind !== 'llm') return { llm: false, reason: unsupportedReason(prepared, exchange) };
  // Whether the call completes is known without its outcome, which may assemble a whole stream.
  return earlyOutcome(exchange, prepared.start) === undefined ? { llm: true, completionNs: llmEndTimestampNs(exchange) } : { llm: true };
}

/**
 * The LLM call of a capture that `routeCapture` accepted, as relay-0.3 prepares it at arrival, and
 * how its upstream call ended (its answer read with the fixes in `answers`).
 */
export function preparedLlmCall(exchange: GatewayExchange, answers: AssembleOptions = {}, routes: RouteOptions = {}): { start: LlmGatewayStart; outcome: GatewayCallOutcome } {
  const prepared = prepareGatewayExchange(exchange, routes);
  // The reader routed this capture as an LLM call by the same rules: anything else is a bug.
  if (prepared.kind !== 'llm') throw new Error(`internal: capture ${exchange.id} was read as an LLM call but routes to ${prepared.kind}`);
  return { start: prepared.start, outcome: gatewayCallOutcome(exchange, prepared.start, answers) };
}

function unsupportedReason(prepared: Exclude<PreparedExchange, { kind: 'llm' }>, exchange: GatewayExchange): string {
  switch (prepared.kind) {
    case 'models-proxy':
      return `${exchange.method} ${exchange.path} is proxied without LLM events or session activity`;
    case 'method-not-allowed':
      return `${prepared.method} is not allowed on ${exchange.path} (405, nothing recorded)`;
    case 'unsupported-path':
      return `${prepared.message} (404, nothing recorded)`;
  }
}
