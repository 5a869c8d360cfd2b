import { createContext } from '@lit/context';
import type { BatonRestClient } from '@baton/client/rest';

/** The REST client, for what the store does not hold: search, contacts, teams. */
export const restContext = createContext<BatonRestClient | undefined>(Symbol('baton/rest'));
