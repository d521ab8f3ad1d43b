import type { SessionInput } from './events.js';
import type { HookDropReason } from './hook-drops.js';
import { addLlmHint, endHookLlm, startHookLlm } from './session-llms.js';
import { endTool, startTool } from './session-tools.js';
import type { Session } from './session.js';

/**
 * `Session::apply` (session.rs:863-886): every applied hook event counts as activity, then its
 * handler runs. Returns why the event emitted nothing when its handler dropped it (see hook-drops.ts).
 */
export function applyToSession(session: Session, event: SessionInput): HookDropReason | undefined {
  session.touch();
  switch (event.type) {
    // The ends that may find nothing open to end: they say so.
    case 'AgentEnded':
      return session.endAgent(event);
    case 'TurnEnded':
      return session.endTurn(event);
    case 'SubagentEnded':
      return session.endSubagent(event);
    case 'AgentStarted':
      session.startAgent(event);
      break;
    case 'SubagentStarted':
      session.startSubagent(event);
      break;
    case 'LlmHint':
      addLlmHint(session, event);
      break;
    case 'LlmStarted':
      startHookLlm(session, event);
      break;
    case 'LlmEnded':
      endHookLlm(session, event);
      break;
    case 'ToolStarted':
      startTool(session, event);
      break;
    case 'ToolEnded':
      endTool(session, event);
      break;
    case 'PromptSubmitted':
      session.startTurn(event);
      break;
    case 'Compaction':
      session.mark('compaction', event);
      break;
    case 'Notification':
      session.mark('notification', event);
      break;
    case 'HookMark':
      session.mark('hook_mark', event);
      break;
  }
  return undefined;
}
