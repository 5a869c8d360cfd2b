import { BatonRealtime, InboxRestClient, InboxStore, TokenSource } from '@baton/client';
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
 * credentials (REST within a minute of expiry and once on a 401; the socket on every reconnect,
 * the server closing it when its token expires).
 */
export function connectToServer(options: { server: string; tokenProvider: () => Promise<string>; view: View }): InboxServices {
  // One token for both: the socket's first one serves the list's requests too (not one minted each).
  const tokens = new TokenSource({ tokenProvider: options.tokenProvider });
  const rest = new InboxRestClient({ baseUrl: options.server, tokens });
  const realtime = new BatonRealtime({ url: options.server, tokens });
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
