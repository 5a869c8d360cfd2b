import { z } from 'zod';
import * as R from './rest.js';
import * as W from './webhooks.js';
import * as P from './preferences.js';
import * as S from './search.js';
import * as WF from './workflows.js';
import { WorkflowDefinition } from './rules.js';
import { ENDPOINTS } from './constants.js';
import { Agent, Contact, Conversation, Counts, MessageItem, NoteItem, Team, TimelineItem, Workspace } from './domain.js';

/** Who may call a route. `apiKey` is the host backend; `agent` is a JWT of an agent; `admin` an agent JWT with role admin. */
export type Caller = 'serverAdmin' | 'apiKey' | 'agent' | 'admin' | 'anyone';

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono-style path (`/v1/conversations/:id`). */
  path: string;
  summary: string;
  callers: readonly Caller[];
  body?: z.ZodType;
  query?: z.ZodType;
  status: number;
  response: z.ZodType;
  /** Accepts `If-Match: <version>`. */
  ifMatch?: boolean;
  /** Its 503's body where that is not the error body (the health check says why it is down). */
  unavailable?: z.ZodType;
}

const Ok = z.object({ ok: z.literal(true) });
const ConversationResponse = z.object({ conversation: Conversation });

/**
 * The v1 HTTP contract in one table: the server's OpenAPI document is generated from it and the
 * client SDK derives its request and response types from it, so neither can drift from the other.
 */
export const routes = {
  health: {
    method: 'get', path: '/healthz', summary: 'Liveness: 503 while the node cannot use its database', callers: ['anyone'], status: 200, response: Ok,
    unavailable: z.object({ ok: z.literal(false), reason: z.string() }),
  },
  createWorkspace: {
    method: 'post', path: '/v1/workspaces', summary: 'Create a workspace (server admin token)',
    callers: ['serverAdmin'], body: R.CreateWorkspaceBody, status: 201, response: R.CreateWorkspaceResponse,
  },
  listWorkspaces: {
    method: 'get', path: '/v1/workspaces', summary: 'Every workspace on this server in id order, which is creation order to the millisecond (server admin token)',
    callers: ['serverAdmin'], query: R.ListWorkspacesQuery, status: 200, response: R.WorkspacePage,
  },
  createWorkspaceApiKey: {
    method: 'post', path: '/v1/workspaces/:id/api-keys',
    summary: "A new API key for a workspace that lost its own (server admin token); the key is shown this once. The workspace's other keys keep working until it revokes them",
    callers: ['serverAdmin'], status: 201, response: R.CreateApiKeyResponse,
  },
  createToken: {
    method: 'post', path: '/v1/tokens', summary: 'Mint a short-lived agent token (409 for a deactivated agent); revoking this API key ends the tokens it minted',
    callers: ['apiKey'], body: R.CreateTokenBody, status: 201, response: R.TokenResponse,
  },
  listCredentials: {
    method: 'get', path: '/v1/workspace/credentials', summary: "The workspace's API keys and token signing keys, without their secrets",
    callers: ['apiKey'], status: 200, response: R.CredentialList,
  },
  createApiKey: {
    method: 'post', path: '/v1/workspace/api-keys', summary: 'A new API key; the key is shown this once',
    callers: ['apiKey'], status: 201, response: R.CreateApiKeyResponse,
  },
  revokeApiKey: {
    method: 'delete', path: '/v1/workspace/api-keys/:id', summary: 'Revoke an API key (409 for the last active one)',
    callers: ['apiKey'], status: 200, response: z.object({ apiKey: R.ApiKeyInfo }),
  },
  createSigningKey: {
    method: 'post', path: '/v1/workspace/signing-keys', summary: 'A new token signing key, used for tokens from now on; the secret is shown this once',
    callers: ['apiKey'], status: 201, response: R.CreateSigningKeyResponse,
  },
  retireSigningKey: {
    method: 'delete', path: '/v1/workspace/signing-keys/:id', summary: 'Retire a signing key: tokens it signed stop working (409 for the last active one)',
    callers: ['apiKey'], status: 200, response: z.object({ signingKey: R.SigningKeyInfo }),
  },
  getWorkspace: {
    method: 'get', path: '/v1/workspace', summary: "The caller's workspace",
    callers: ['apiKey', 'agent'], status: 200, response: z.object({ workspace: Workspace }),
  },
  me: {
    method: 'get', path: '/v1/agents/me', summary: 'The calling agent',
    callers: ['agent'], status: 200, response: z.object({ agent: Agent }),
  },
  listAgents: {
    method: 'get', path: '/v1/agents', summary: 'List agents (with open assigned load), deactivated ones included with `active: false`; `externalId` finds the one the host knows by that id',
    callers: ['apiKey', 'agent'], query: R.ListAgentsQuery, status: 200, response: z.object({ items: z.array(Agent.extend({ openAssigned: z.number().int() })) }),
  },
  createAgent: {
    method: 'post', path: '/v1/agents', summary: 'Create an agent',
    callers: ['apiKey', 'admin'], body: R.CreateAgentBody, status: 201, response: z.object({ agent: Agent }),
  },
  updateAgent: {
    method: 'patch', path: '/v1/agents/:id', summary: 'Update an agent; an agent may change their own availability. `active: false` deactivates (API key or another admin), `true` reactivates',
    callers: ['apiKey', 'admin', 'agent'], body: R.UpdateAgentBody, status: 200, response: z.object({ agent: Agent }),
  },
  listTeams: {
    method: 'get', path: '/v1/teams', summary: 'List teams',
    callers: ['apiKey', 'agent'], status: 200, response: R.TeamList,
  },
  createTeam: {
    method: 'post', path: '/v1/teams', summary: 'Create a team',
    callers: ['apiKey', 'admin'], body: R.CreateTeamBody, status: 201, response: z.object({ team: Team }),
  },
  updateTeam: {
    method: 'patch', path: '/v1/teams/:id', summary: 'Rename a team or replace its members',
    callers: ['apiKey', 'admin'], body: R.UpdateTeamBody, status: 200, response: z.object({ team: Team }),
  },
  createContact: {
    method: 'post', path: '/v1/contacts', summary: 'Create a contact',
    callers: ['apiKey', 'agent'], body: R.CreateContactBody, status: 201, response: z.object({ contact: Contact }),
  },
  findContacts: {
    method: 'get', path: '/v1/contacts', summary: "Find contacts by the host's own id (externalId), phone or email",
    callers: ['apiKey', 'agent'], query: R.FindContactsQuery, status: 200, response: z.object({ items: z.array(Contact) }),
  },
  getContact: {
    method: 'get', path: '/v1/contacts/:id', summary: 'A contact',
    callers: ['apiKey', 'agent'], status: 200, response: z.object({ contact: Contact }),
  },
  updateContact: {
    method: 'patch', path: '/v1/contacts/:id', summary: 'Update a contact and its tags',
    callers: ['apiKey', 'agent'], body: R.UpdateContactBody, status: 200, response: z.object({ contact: Contact }),
  },
  contactConversations: {
    method: 'get', path: '/v1/contacts/:id/conversations', summary: "The contact's conversations, newest first",
    callers: ['apiKey', 'agent'], status: 200, response: R.ContactConversations,
  },
  createConversation: {
    method: 'post', path: '/v1/conversations', summary: 'Start a conversation, usually from an inbound customer message',
    callers: ['apiKey', 'agent'], body: R.CreateConversationBody, status: 201, response: ConversationResponse,
  },
  listConversations: {
    method: 'get', path: '/v1/conversations', summary: 'A page of a view, newest activity first',
    callers: ['agent'], query: R.ListConversationsQuery, status: 200, response: R.ConversationPage,
  },
  counts: {
    method: 'get', path: '/v1/conversations/counts', summary: 'Live count of every view',
    callers: ['agent'], status: 200, response: Counts,
  },
  bulk: {
    method: 'post', path: '/v1/conversations/bulk', summary: 'One action (assign, resolve, reopen, snooze, tag) on up to 100 conversations; a result per id, each its own unit of work',
    callers: ['apiKey', 'agent'], body: R.BulkBody, status: 200, response: R.BulkResponse,
  },
  getConversation: {
    method: 'get', path: '/v1/conversations/:id', summary: 'A conversation',
    callers: ['apiKey', 'agent'], status: 200, response: ConversationResponse,
  },
  timeline: {
    method: 'get', path: '/v1/conversations/:id/timeline', summary: 'Timeline items after a seq, oldest first',
    callers: ['apiKey', 'agent'], query: R.TimelineQuery, status: 200, response: R.TimelinePage,
  },
  postMessage: {
    method: 'post', path: '/v1/conversations/:id/messages', summary: 'Inbound message (API key) or outbound reply (agent)',
    callers: ['apiKey', 'agent'], body: R.PostMessageBody, status: 201, response: z.object({ message: MessageItem, conversation: Conversation }),
  },
  postNote: {
    method: 'post', path: '/v1/conversations/:id/notes', summary: 'Internal note; @username mentions a teammate',
    callers: ['agent'], body: R.PostNoteBody, status: 201, response: z.object({ note: NoteItem, conversation: Conversation }),
  },
  updateConversation: {
    method: 'patch', path: '/v1/conversations/:id', summary: 'Edit tags, priority, team or subject; each change is a timeline event, a patch that changes nothing changes no version',
    callers: ['apiKey', 'agent'], body: R.UpdateConversationBody, status: 200, response: ConversationResponse, ifMatch: true,
  },
  assign: {
    method: 'post', path: '/v1/conversations/:id/assign', summary: 'Assign to an agent (or null to unassign)',
    callers: ['apiKey', 'agent'], body: R.AssignBody, status: 200, response: ConversationResponse, ifMatch: true,
  },
  snooze: {
    method: 'post', path: '/v1/conversations/:id/snooze', summary: 'Snooze until a time (it leaves the open views for Snoozed and wakes then, or on an inbound message); `until: null` wakes it now',
    callers: ['apiKey', 'agent'], body: R.SnoozeBody, status: 200, response: ConversationResponse, ifMatch: true,
  },
  resolve: {
    method: 'post', path: '/v1/conversations/:id/resolve', summary: 'Mark as Resolved',
    callers: ['apiKey', 'agent'], status: 200, response: ConversationResponse, ifMatch: true,
  },
  reopen: {
    method: 'post', path: '/v1/conversations/:id/reopen', summary: 'Reopen a resolved conversation',
    callers: ['apiKey', 'agent'], status: 200, response: ConversationResponse, ifMatch: true,
  },
  markRead: {
    method: 'post', path: '/v1/conversations/:id/read', summary: 'Mark read up to now for the calling agent',
    callers: ['agent'], status: 200, response: z.object({ lastReadSeq: z.number().int() }),
  },
  listSavedReplies: {
    method: 'get', path: '/v1/saved-replies', summary: "The workspace's saved replies by name; with `conversationId`, each also `rendered` for that conversation and the caller",
    callers: ['apiKey', 'agent'], query: R.SavedRepliesQuery, status: 200, response: z.object({ items: z.array(R.SavedReply) }),
  },
  createSavedReply: {
    method: 'post', path: '/v1/saved-replies', summary: 'Save a reply (at most 500 a workspace); placeholders must be known, shortcuts unique',
    callers: ['apiKey', 'admin'], body: R.CreateSavedReplyBody, status: 201, response: z.object({ savedReply: R.SavedReply }),
  },
  updateSavedReply: {
    method: 'patch', path: '/v1/saved-replies/:id', summary: 'Edit a saved reply',
    callers: ['apiKey', 'admin'], body: R.UpdateSavedReplyBody, status: 200, response: z.object({ savedReply: R.SavedReply }),
  },
  deleteSavedReply: {
    method: 'delete', path: '/v1/saved-replies/:id', summary: 'Delete a saved reply',
    callers: ['apiKey', 'admin'], status: 200, response: Ok,
  },
  listTags: {
    method: 'get', path: '/v1/tags', summary: "The workspace's tags in use, with how many conversations (open and closed) and contacts carry each, most used first; `prefix` filters (case-insensitive)",
    callers: ['apiKey', 'agent'], query: R.TagsQuery, status: 200, response: R.TagList,
  },
  listNotifications: {
    method: 'get', path: '/v1/notifications', summary: "The caller's notifications, newest first",
    callers: ['agent'], query: R.NotificationsQuery, status: 200, response: R.NotificationList,
  },
  markNotificationsRead: {
    method: 'post', path: '/v1/notifications/read', summary: 'Mark notifications read',
    callers: ['agent'], body: R.MarkNotificationsReadBody, status: 200, response: z.object({ unread: z.number().int() }),
  },
  getPreferences: {
    method: 'get', path: '/v1/agents/me/preferences', summary: "The calling agent's notification preferences (type × channel)",
    callers: ['agent'], status: 200, response: P.PreferencesResponse,
  },
  updatePreferences: {
    method: 'put', path: '/v1/agents/me/preferences', summary: 'Change some notification switches; returns the full matrix',
    callers: ['agent'], body: P.UpdatePreferencesBody, status: 200, response: P.PreferencesResponse,
  },
  updateWorkspace: {
    method: 'patch', path: '/v1/workspace', summary: 'Workspace settings: notification link template and snippets, auto-away and the away policy, assign on reply, allowed page origins',
    callers: ['apiKey', 'admin'], body: P.UpdateWorkspaceBody, status: 200, response: z.object({ workspace: Workspace }),
  },
  pushPublicKey: {
    method: 'get', path: '/v1/push/public-key', summary: "The server's VAPID public key, for PushManager.subscribe",
    callers: ['agent'], status: 200, response: P.PushPublicKeyResponse,
  },
  createPushSubscription: {
    method: 'post', path: '/v1/push-subscriptions', summary: "Register (or refresh) a browser's Web Push subscription",
    callers: ['agent'], body: P.PushSubscriptionBody, status: 201, response: P.PushSubscriptionResponse,
  },
  deletePushSubscription: {
    method: 'delete', path: '/v1/push-subscriptions', summary: "Remove one of the caller's push subscriptions by endpoint",
    callers: ['agent'], body: P.DeletePushSubscriptionBody, status: 200, response: P.DeletedResponse,
  },
  transcript: {
    method: 'get', path: '/v1/conversations/:id/transcript', summary: 'Customer-facing transcript: messages only, never notes or events',
    callers: ['apiKey'], query: W.TranscriptQuery, status: 200, response: W.Transcript,
  },
  listWebhooks: {
    method: 'get', path: '/v1/webhooks', summary: "The workspace's webhook endpoints (secrets are shown only at creation)",
    callers: ['apiKey'], status: 200, response: W.WebhookList,
  },
  createWebhook: {
    method: 'post', path: '/v1/webhooks', summary: 'Subscribe a URL to events; returns the signing secret once',
    callers: ['apiKey'], body: W.CreateWebhookBody, status: 201, response: W.CreateWebhookResponse,
  },
  deleteWebhook: {
    method: 'delete', path: '/v1/webhooks/:id', summary: 'Delete an endpoint; its pending deliveries are skipped',
    callers: ['apiKey'], status: 200, response: z.object({ ok: z.literal(true) }),
  },
  webhookDeliveries: {
    method: 'get', path: '/v1/webhooks/:id/deliveries', summary: "An endpoint's delivery log, newest first, with every attempt; finished deliveries are kept 30 days (BATON_JOB_RETENTION_DAYS)",
    callers: ['apiKey'], query: W.WebhookDeliveriesQuery, status: 200, response: W.WebhookDeliveryPage,
  },
  search: {
    method: 'get', path: '/v1/search', summary: 'Full-text search over messages and notes of the workspace, newest first or by relevance',
    callers: ['apiKey', 'agent'], query: S.SearchQuery, status: 200, response: S.SearchPage,
  },
  listWorkflows: {
    method: 'get', path: '/v1/workflows', summary: "The workspace's workflows (routing rules), each with its draft and live version",
    callers: ['apiKey', 'admin'], status: 200, response: WF.WorkflowList,
  },
  createWorkflow: {
    method: 'post', path: '/v1/workflows', summary: 'Create a workflow as a draft (422 workflow_invalid with every error at its JSON path; warnings returned)',
    callers: ['admin'], body: WorkflowDefinition, status: 201, response: WF.WorkflowResponse,
  },
  validateWorkflow: {
    method: 'post', path: '/v1/workflows/validate', summary: "Errors and warnings for a workflow, against the workspace's teams, agents and other live workflows, without saving",
    callers: ['admin'], body: WF.ValidateWorkflowBody, status: 200, response: WF.ValidateWorkflowResponse,
  },
  testWorkflow: {
    method: 'post', path: '/v1/workflows/test', summary: 'Dry run: what a draft would do on a sample, one conversation or the latest N (≤ 500), next to what the live version did; changes nothing',
    callers: ['admin'], body: WF.TestWorkflowBody, status: 200, response: WF.TestWorkflowResponse,
  },
  getWorkflow: {
    method: 'get', path: '/v1/workflows/:id', summary: 'A workflow',
    callers: ['apiKey', 'admin'], status: 200, response: z.object({ workflow: WF.Workflow }),
  },
  updateWorkflow: {
    method: 'put', path: '/v1/workflows/:id', summary: "Replace a workflow's draft; `If-Match: <draftVersion>` (stale: 409 with the current workflow)",
    callers: ['admin'], body: WorkflowDefinition, status: 200, response: WF.WorkflowResponse, ifMatch: true,
  },
  deleteWorkflow: {
    method: 'delete', path: '/v1/workflows/:id', summary: 'Delete a workflow: it stops running at once; its versions and runs stay in the log',
    callers: ['admin'], status: 200, response: Ok,
  },
  publishWorkflow: {
    method: 'post', path: '/v1/workflows/:id/publish', summary: 'Publish the draft as a new immutable version, the one that runs from now on; `If-Match: <draftVersion>`',
    callers: ['admin'], status: 200, response: WF.WorkflowResponse, ifMatch: true,
  },
  workflowVersions: {
    method: 'get', path: '/v1/workflows/:id/versions', summary: "A workflow's published versions, newest first",
    callers: ['apiKey', 'admin'], status: 200, response: WF.WorkflowVersionList,
  },
  listWorkflowRuns: {
    method: 'get', path: '/v1/workflows/:id/runs', summary: "The workflow's runs, newest first: version, matched, every condition with its actual value, actions and outcome (filter by outcome, and `since` a time)",
    callers: ['apiKey', 'admin'], query: WF.WorkflowRunsQuery, status: 200, response: WF.WorkflowRunPage,
  },
  conversationRouting: {
    method: 'get', path: '/v1/conversations/:id/routing', summary: 'Why the conversation was routed as it was: every workflow run that considered it, newest first',
    callers: ['apiKey', 'agent'], status: 200, response: WF.ConversationRouting,
  },
  openapi: {
    method: 'get', path: '/v1/openapi.json', summary: 'This document', callers: ['anyone'], status: 200, response: z.record(z.string(), z.unknown()),
  },
} as const satisfies Record<string, RouteSpec>;

export type Routes = typeof routes;

// `ENDPOINTS` is the zod-free copy of each route's method and path that browser code uses: the
// same names, methods and paths as this table, or this does not compile.
ENDPOINTS satisfies { readonly [N in keyof Routes]: { readonly method: Routes[N]['method']; readonly path: Routes[N]['path'] } };
routes satisfies { readonly [N in keyof typeof ENDPOINTS]: (typeof ENDPOINTS)[N] };
export type RouteName = keyof Routes;
export type RouteBody<N extends RouteName> = Routes[N] extends { body: infer B extends z.ZodType } ? z.input<B> : never;
export type RouteQuery<N extends RouteName> = Routes[N] extends { query: infer Q extends z.ZodType } ? z.input<Q> : never;
export type RouteResponse<N extends RouteName> = z.infer<Routes[N]['response']>;

export { TimelineItem };
