import { createContext } from '@lit/context';
import type { BatonRealtime } from '@baton/client';

/** The socket, for signals the store does not send itself (typing). Absent when the host gave only a store. */
export const realtimeContext = createContext<BatonRealtime | undefined>(Symbol('baton/realtime'));
