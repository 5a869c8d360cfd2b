import { createContext } from '@lit/context';
import type { Agent } from '@baton/protocol';

/** The signed-in agent, once known (from the socket's `ready` or `GET /v1/agents/me`). */
export const currentAgentContext = createContext<Agent | undefined>(Symbol('baton/current-agent'));
