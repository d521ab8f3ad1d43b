import type { FixSet } from '../profiles/fixes.js';
import type { GatewayStartOptions } from '../gateway/llm-start.js';
import type { RouteOptions } from '../gateway/routes.js';
import type { AssembleOptions } from '../providers/sse/assemble.js';

/**
 * The raw-log fixes of the active profile, split by the replay stage each one changes: the hook
 * adapters, the gateway's reading of a request and of its answer, and the session and alignment
 * look-ups. With no fixes every stage behaves as relay-0.3 (the seed).
 */
export interface RawFixOptions {
  hooks: { oneSyntheticSessionPerHook: boolean; cursorMcpResult: boolean; cursorShellTool: boolean; cursorAgentText: boolean; hermesTurnText: boolean };
  /** Which request paths are LLM routes (read by the record reader and the replay alike). */
  routes: RouteOptions;
  gateway: GatewayStartOptions;
  answers: AssembleOptions;
  sessions: { jsonStringFallThrough: boolean; toolEndByArguments: boolean; lateSubagentStop: boolean; claudeStartupProbe: boolean; claudeGatewayTurn: boolean; codexChildPrompt: boolean; idleWaitsForToolCalls: boolean };
}

export function rawFixOptions(fixes: FixSet): RawFixOptions {
  const fallThrough = fixes.has('json-null-fallthrough');
  return {
    hooks: { oneSyntheticSessionPerHook: fixes.has('single-synthetic-session-id'), cursorMcpResult: fixes.has('cursor-mcp-result'), cursorShellTool: fixes.has('cursor-shell-tool'), cursorAgentText: fixes.has('cursor-agent-text'), hermesTurnText: fixes.has('hermes-turn-text') },
    routes: { providerApiPaths: fixes.has('provider-api-paths'), responsesCompact: fixes.has('responses-compact-calls') },
    gateway: {
      codexClientMetadataSession: fixes.has('codex-client-metadata-session'),
      codexCompactSessionHeader: fixes.has('codex-compact-session-header'),
      jsonStringFallThrough: fallThrough,
      claudeCodeAgentHeader: fixes.has('claude-code-agent-header'),
      streamWithoutRequest: fixes.has('stream-without-request'),
    },
    answers: {
      anthropicStreamUsage: fixes.has('anthropic-stream-usage'),
      anthropicStreamThinking: fixes.has('anthropic-stream-thinking'),
      anthropicStreamEmptyToolInput: fixes.has('anthropic-stream-empty-tool-input'),
      anthropicStreamStopDetails: fixes.has('anthropic-stream-stop-details'),
      chatStreamReasoning: fixes.has('chat-stream-reasoning'),
      chatStreamToolIdentity: fixes.has('chat-stream-tool-identity'),
      chatStreamRefusal: fixes.has('chat-stream-refusal'),
      chatStreamParallelToolCalls: fixes.has('chat-stream-parallel-tool-calls'),
      responsesStreamDeltas: fixes.has('responses-stream-deltas'),
      streamErrorAnswer: fixes.has('stream-error-answer'),
      streamErrorBody: fixes.has('stream-error-body'),
      streamWithoutRequest: fixes.has('stream-without-request'),
    },
    sessions: { jsonStringFallThrough: fallThrough, toolEndByArguments: fixes.has('tool-end-name-arguments'), lateSubagentStop: fixes.has('late-subagent-stop'), claudeStartupProbe: fixes.has('claude-startup-probe'), claudeGatewayTurn: fixes.has('claude-gateway-turn'), codexChildPrompt: fixes.has('codex-child-prompt'), idleWaitsForToolCalls: fixes.has('idle-waits-for-tool-calls') },
  };
}
