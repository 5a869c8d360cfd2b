/**
 * `@baton/client/rest`: the REST half of the SDK, for hosts that never open a socket (a
 * server-side integration, an element that only reads and writes over HTTP). Nothing here may
 * import `realtime.ts` or socket.io-client: socket.io-client's modules have side effects, so a
 * bundler keeps all of it (about 14 KB gzip) once anything in the graph imports it, used or not.
 * test/rest-entry.test.ts bundles this module and fails if the graph reaches either.
 *
 * `@baton/client` (src/index.ts) re-exports all of this and adds the socket and the store.
 */
export { BatonApiError, type ClientErrorCode } from './errors.js';
export { REFRESH_MARGIN_MS, TokenSource, tokenExpiry, type TokenOptions } from './token.js';
export type { BackoffOptions, Delay } from './backoff.js';
export {
  BatonRestClient,
  InboxRestClient,
  newIdempotencyKey,
  type BatonRestClientOptions,
  type ListConversationsParams,
  type NotificationsParams,
  type QueryParams,
  type RequestOptions,
  type TimelineParams,
  type VersionedWriteOptions,
  type WriteOptions,
} from './rest.js';
