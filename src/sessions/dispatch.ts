import type { SessionInput } from './events.js';
import { addLlmHint, endHookLlm, startHookLlm } from './session-llms.js';
import { endTool, startTool } from './session-tools.js';
import type { Session } from './session.js';

/** `Session::apply` (session.rs:863-886): every applied hook event counts as activity, then its handler runs. */
export function applyToSession(session: Session, event: SessionInput): void {
  session.touch();
  switch (event.type) {
    case 'AgentStarted':
      return session.startAgent(event);
    case 'AgentEnded':
      return session.endAgent(event);
    case 'TurnEnded':
      return session.endTurn(event);
    case 'SubagentStarted':
      return session.startSubagent(event);
    case 'SubagentEnded':
      return session.endSubagent(event);
    case 'LlmHint':
      return addLlmHint(session, event);
    case 'LlmStarted':
      return startHookLlm(session, event);
    case 'LlmEnded':
      return endHookLlm(session, event);
    case 'ToolStarted':
      return startTool(session, event);
    case 'ToolEnded':
      return endTool(session, event);
    case 'PromptSubmitted':
      return session.startTurn(event);
    case 'Compaction':
      return session.mark('compaction', event);
    case 'Notification':
      return session.mark('notification', event);
    case 'HookMark':
      return session.mark('hook_mark', event);
  }
}
