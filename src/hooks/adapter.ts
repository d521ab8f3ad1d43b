import type { HookInput } from './fields.js';
import type { HookOutcome } from './types.js';

/** What an agent adapter receives: the hook without the agent, which the adapter itself fixes. */
export type AdapterInput = Omit<HookInput, 'agent'>;

/** What an agent adapter returns; `adaptHook` adds the hook's names. */
export type AdapterResult = Pick<HookOutcome, 'events' | 'response' | 'dropped'>;
