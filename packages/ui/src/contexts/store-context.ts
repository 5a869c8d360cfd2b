import { createContext } from '@lit/context';
import type { InboxStore } from '@baton/client';

/** The inbox state every part renders from and sends commands through. */
export const storeContext = createContext<InboxStore | undefined>(Symbol('baton/store'));
