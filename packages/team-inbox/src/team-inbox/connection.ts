import { BatonRealtime, InboxRestClient, InboxStore } from '@baton/client';
import type { View } from '@baton/protocol';
import { ContactDirectory } from '../contacts/contact-directory.js';

/** The services one <team-inbox> shares with its parts through context. */
export interface InboxServices {
  store: InboxStore;
  rest: InboxRestClient | undefined;
  realtime: BatonRealtime | undefined;
  contacts: ContactDirectory | undefined;
  /** Stops what this element started; an injected store is the host's to stop. */
  close(): void;
}

/**
 * Builds the SDK for a server: REST client, socket and store, all asking `tokenProvider` for
 * credentials (the SDK calls it before expiry and on every reconnect).
 */
export function connectToServer(options: { server: string; tokenProvider: () => Promise<string>; view: View }): InboxServices {
  const rest = new InboxRestClient({ baseUrl: options.server, tokenProvider: options.tokenProvider });
  const realtime = new BatonRealtime({ url: options.server, tokenProvider: options.tokenProvider });
  const store = new InboxStore({ rest, realtime, view: options.view, pageSize: 50 });
  return {
    store,
    rest,
    realtime,
    contacts: new ContactDirectory(rest),
    close() {
      store.destroy();
      realtime.close();
    },
  };
}

/** Services around a store the host (or a test) built itself. */
export function useInjected(store: InboxStore, rest: InboxRestClient | undefined, realtime: BatonRealtime | undefined): InboxServices {
  return { store, rest, realtime, contacts: rest ? new ContactDirectory(rest) : undefined, close() {} };
}
