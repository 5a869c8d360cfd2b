/**
 * The protocol's runtime constants without zod: what browser code needs at run time (view names,
 * each route's method and path) so `<team-inbox>` and the client SDK do not ship the schemas.
 * `domain.ts` and `routes.ts` build on these and a type check in `routes.ts` keeps them equal.
 */

export const VIEWS = ['mine', 'unassigned', 'mentioned', 'unread', 'all', 'resolved', 'snoozed'] as const;

/** The most open conversations an agent's capacity may allow (auto-assignment stops there). */
export const MAX_AGENT_CAPACITY = 10_000;

/**
 * The `reason` of a `queued` event when the away policy (or a deactivation) put a conversation back
 * in its rule's queue; the inbox says it as it is. Other `queued` events carry the runner's plan.
 */
export const REQUEUE_REASONS = { away: 'its agent is away', deactivated: 'its agent was deactivated' } as const;

/** The `reason` of an `unassigned` event the server wrote: the away policy or a deactivation. */
export const SERVER_UNASSIGN_REASONS = ['agent_away', 'agent_offline', 'agent_deactivated'] as const;
export type ServerUnassignReason = (typeof SERVER_UNASSIGN_REASONS)[number];

/** What happens to an away (or offline) agent's open conversations (`Workspace.awayPolicy`). */
export const AWAY_POLICIES = ['keep', 'unassign_on_inbound', 'unassign_now'] as const;
export const DEFAULT_AUTO_AWAY_AFTER_SEC = 300;
/** Bounds of `autoAwayAfterSec`: at least a minute (sockets reconnect within that), at most a day. */
export const AUTO_AWAY_MIN_SEC = 60;
export const AUTO_AWAY_MAX_SEC = 86_400;

/** Known channels, but hosts may add their own (any short lowercase word). */
export const KNOWN_CHANNELS = ['sms', 'email', 'webchat', 'whatsapp', 'facebook', 'instagram', 'phone'] as const;

/** Every event the server sends on a socket (socket.ts checks this names each of `ServerToClientEvents`, no more). */
export const SERVER_EVENTS = [
  'ready',
  'conversation:created',
  'conversation:updated',
  'timeline:added',
  'notification:created',
  'counts:updated',
  'presence:updated',
  'agent:updated',
  'team:updated',
  'conversation:read',
  'session:closed',
] as const;

type EndpointTable = Record<string, { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: string }>;

/**
 * Method and path of the routes an agent's inbox calls (`InboxRestClient` in `@baton/client`): a
 * table of their own, so a bundle of the inbox does not carry the other routes' paths.
 */
export const INBOX_ENDPOINTS = {
  me: { method: 'get', path: '/v1/agents/me' },
  getPreferences: { method: 'get', path: '/v1/agents/me/preferences' },
  updatePreferences: { method: 'put', path: '/v1/agents/me/preferences' },
  listAgents: { method: 'get', path: '/v1/agents' },
  updateAgent: { method: 'patch', path: '/v1/agents/:id' },
  listTeams: { method: 'get', path: '/v1/teams' },
  getContact: { method: 'get', path: '/v1/contacts/:id' },
  contactConversations: { method: 'get', path: '/v1/contacts/:id/conversations' },
  listConversations: { method: 'get', path: '/v1/conversations' },
  counts: { method: 'get', path: '/v1/conversations/counts' },
  bulk: { method: 'post', path: '/v1/conversations/bulk' },
  getConversation: { method: 'get', path: '/v1/conversations/:id' },
  timeline: { method: 'get', path: '/v1/conversations/:id/timeline' },
  postMessage: { method: 'post', path: '/v1/conversations/:id/messages' },
  postNote: { method: 'post', path: '/v1/conversations/:id/notes' },
  updateConversation: { method: 'patch', path: '/v1/conversations/:id' },
  assign: { method: 'post', path: '/v1/conversations/:id/assign' },
  snooze: { method: 'post', path: '/v1/conversations/:id/snooze' },
  resolve: { method: 'post', path: '/v1/conversations/:id/resolve' },
  reopen: { method: 'post', path: '/v1/conversations/:id/reopen' },
  markRead: { method: 'post', path: '/v1/conversations/:id/read' },
  listSavedReplies: { method: 'get', path: '/v1/saved-replies' },
  createSavedReply: { method: 'post', path: '/v1/saved-replies' },
  updateSavedReply: { method: 'patch', path: '/v1/saved-replies/:id' },
  deleteSavedReply: { method: 'delete', path: '/v1/saved-replies/:id' },
  listTags: { method: 'get', path: '/v1/tags' },
  listNotifications: { method: 'get', path: '/v1/notifications' },
  markNotificationsRead: { method: 'post', path: '/v1/notifications/read' },
  pushPublicKey: { method: 'get', path: '/v1/push/public-key' },
  createPushSubscription: { method: 'post', path: '/v1/push-subscriptions' },
  deletePushSubscription: { method: 'delete', path: '/v1/push-subscriptions' },
  search: { method: 'get', path: '/v1/search' },
  conversationRouting: { method: 'get', path: '/v1/conversations/:id/routing' },
} as const satisfies EndpointTable;

/** Method and path of every route in `routes`, by route name. */
export const ENDPOINTS = {
  ...INBOX_ENDPOINTS,
  health: { method: 'get', path: '/healthz' },
  createWorkspace: { method: 'post', path: '/v1/workspaces' },
  listWorkspaces: { method: 'get', path: '/v1/workspaces' },
  createWorkspaceApiKey: { method: 'post', path: '/v1/workspaces/:id/api-keys' },
  createToken: { method: 'post', path: '/v1/tokens' },
  listCredentials: { method: 'get', path: '/v1/workspace/credentials' },
  createApiKey: { method: 'post', path: '/v1/workspace/api-keys' },
  revokeApiKey: { method: 'delete', path: '/v1/workspace/api-keys/:id' },
  createSigningKey: { method: 'post', path: '/v1/workspace/signing-keys' },
  retireSigningKey: { method: 'delete', path: '/v1/workspace/signing-keys/:id' },
  getWorkspace: { method: 'get', path: '/v1/workspace' },
  createAgent: { method: 'post', path: '/v1/agents' },
  createTeam: { method: 'post', path: '/v1/teams' },
  updateTeam: { method: 'patch', path: '/v1/teams/:id' },
  createContact: { method: 'post', path: '/v1/contacts' },
  findContacts: { method: 'get', path: '/v1/contacts' },
  updateContact: { method: 'patch', path: '/v1/contacts/:id' },
  createConversation: { method: 'post', path: '/v1/conversations' },
  getPreferences: { method: 'get', path: '/v1/agents/me/preferences' },
  updatePreferences: { method: 'put', path: '/v1/agents/me/preferences' },
  updateWorkspace: { method: 'patch', path: '/v1/workspace' },
  transcript: { method: 'get', path: '/v1/conversations/:id/transcript' },
  listWebhooks: { method: 'get', path: '/v1/webhooks' },
  createWebhook: { method: 'post', path: '/v1/webhooks' },
  deleteWebhook: { method: 'delete', path: '/v1/webhooks/:id' },
  webhookDeliveries: { method: 'get', path: '/v1/webhooks/:id/deliveries' },
  listWorkflows: { method: 'get', path: '/v1/workflows' },
  createWorkflow: { method: 'post', path: '/v1/workflows' },
  validateWorkflow: { method: 'post', path: '/v1/workflows/validate' },
  testWorkflow: { method: 'post', path: '/v1/workflows/test' },
  getWorkflow: { method: 'get', path: '/v1/workflows/:id' },
  updateWorkflow: { method: 'put', path: '/v1/workflows/:id' },
  deleteWorkflow: { method: 'delete', path: '/v1/workflows/:id' },
  publishWorkflow: { method: 'post', path: '/v1/workflows/:id/publish' },
  workflowVersions: { method: 'get', path: '/v1/workflows/:id/versions' },
  listWorkflowRuns: { method: 'get', path: '/v1/workflows/:id/runs' },
  openapi: { method: 'get', path: '/v1/openapi.json' },
} as const satisfies EndpointTable;
