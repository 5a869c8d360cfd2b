import { createContext } from '@lit/context';
import type { InboxRestClient } from '@baton/client/rest';

/** The REST client, for what the store does not hold: search, contacts, teams. */
export const restContext = createContext<InboxRestClient | undefined>(Symbol('baton/rest'));
