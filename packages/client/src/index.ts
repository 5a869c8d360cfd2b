export { BatonApiError, type ClientErrorCode } from './errors.js';
export { REFRESH_MARGIN_MS, tokenExpiry, type TokenOptions } from './token.js';
export type { BackoffOptions, Delay } from './backoff.js';
export {
  BatonRestClient,
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
export { BatonRealtime, type BatonRealtimeOptions, type RealtimeEvent, type RealtimeEventMap, type ServerEventMap } from './realtime.js';
export { InboxStore, isUnread, type AgentWithLoad, type InboxListener, type InboxSnapshot, type InboxStoreOptions, type ListFilters, type OpenConversation } from './store.js';
export { byActivity, viewMembership } from './views.js';
