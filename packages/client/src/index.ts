// The whole SDK. Hosts that only talk REST import `@baton/client/rest` (src/rest-entry.ts), which
// this re-exports, and do not bundle socket.io-client.
export * from './rest-entry.js';
export { BatonRealtime, type BatonRealtimeOptions, type OriginRefusalDetails, type RealtimeEvent, type RealtimeEventMap, type ServerEventMap } from './realtime.js';
export { InboxStore, isUnread, type AgentWithLoad, type InboxListener, type InboxSnapshot, type InboxStoreOptions, type ListFilters, type OpenConversation } from './store.js';
export { byActivity, viewMembership } from './views.js';
