import type { RouteBody, RouteName, RouteQuery, RouteResponse } from '@baton/protocol';
// Method and path only, from the zod-free module: the schemas stay out of browser bundles.
import { ENDPOINTS, INBOX_ENDPOINTS } from '@baton/protocol/constants';
import { backoffMs, sleep, type BackoffOptions, type Delay } from './backoff.js';
import { BatonApiError } from './errors.js';
import { TokenSource, type TokenOptions } from './token.js';

export interface BatonRestClientOptions extends TokenOptions {
  /** Where the Baton server is, e.g. `https://baton.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Tries per request, the first included, for network errors, 502/503/504 and in-progress duplicates. Default 3. */
  maxAttempts?: number;
  backoff?: Partial<BackoffOptions>;
  /** How retries wait; tests pass one that resolves at once. */
  delay?: Delay;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface WriteOptions extends RequestOptions {
  /**
   * Makes the write safe to repeat: the server answers a repeat with the first response and
   * changes nothing. One is generated when omitted, so the client's own retries never double-write.
   */
  idempotencyKey?: string;
}

export interface VersionedWriteOptions extends WriteOptions {
  /** The conversation version the caller acted on; a newer one on the server gets `409 version_conflict`. */
  ifMatch?: number;
}

/**
 * A route's query as callers write it. The protocol's query schemas coerce strings, so their input
 * types say `unknown` for numbers and `'true' | 'false'` for flags; here those are `number` and
 * `boolean` (the only coercions the protocol uses). Keys come from the protocol, so they cannot drift.
 */
export type QueryParams<N extends RouteName> = {
  [K in keyof RouteQuery<N>]: unknown extends RouteQuery<N>[K]
    ? number
    : RouteQuery<N>[K] extends 'true' | 'false' | undefined
      ? boolean
      : RouteQuery<N>[K];
};
export type ListConversationsParams = QueryParams<'listConversations'>;
export type TimelineParams = QueryParams<'timeline'>;
export type NotificationsParams = QueryParams<'listNotifications'>;

type Query = Record<string, string | number | boolean | undefined>;

interface Call {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  ifMatch?: number;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

type Endpoint = { method: string; path: string };

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, maxMs: 2000 };

/** A v4 UUID for `Idempotency-Key`. `randomUUID` is missing outside secure contexts; `getRandomValues` is not. */
export function newIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Failures worth another try: the request may not have run, or ran and its answer was lost. */
function retryable(error: BatonApiError): boolean {
  return error.status === 502 || error.status === 503 || error.status === 504 || error.code === 'idempotency_request_in_progress';
}

/**
 * The routes an agent's inbox uses (conversations, notes, notifications, saved replies, search,
 * contacts, teams, Web Push), with everything a call needs: tokens, retries, idempotency keys.
 * `<team-inbox>`'s standalone file builds this one, so the 35 admin and integration routes it
 * never calls stay out of its first paint (a class's methods cannot be left out one by one).
 * Hosts use `BatonRestClient`, which has every route.
 */
export class InboxRestClient {
  private readonly baseUrl: string;
  private readonly tokens: TokenSource;
  private readonly fetchImpl: typeof fetch;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly delay: Delay;

  constructor(options: BatonRestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.tokens = options.tokens ?? new TokenSource(options);
    // Looked up per call and called on the global: `window.fetch` throws when called with another `this`.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.delay = options.delay ?? sleep;
  }

  // ── The signed-in agent, agents, teams ─────────────────────────────────────────────────────
  me(o?: RequestOptions) {
    return this.call('me', { ...o });
  }
  listAgents(o?: RequestOptions) {
    return this.call('listAgents', { ...o });
  }
  updateAgent(id: string, body: RouteBody<'updateAgent'>, o?: WriteOptions) {
    return this.call('updateAgent', { ...o, params: { id }, body });
  }
  listTeams(o?: RequestOptions) {
    return this.call('listTeams', { ...o });
  }

  // ── Contacts ───────────────────────────────────────────────────────────────────────────────
  getContact(id: string, o?: RequestOptions) {
    return this.call('getContact', { ...o, params: { id } });
  }
  contactConversations(id: string, o?: RequestOptions) {
    return this.call('contactConversations', { ...o, params: { id } });
  }

  // ── Conversations ──────────────────────────────────────────────────────────────────────────
  listConversations(query: ListConversationsParams = {}, o?: RequestOptions) {
    return this.call('listConversations', { ...o, query: { ...query } });
  }
  counts(o?: RequestOptions) {
    return this.call('counts', { ...o });
  }
  getConversation(id: string, o?: RequestOptions) {
    return this.call('getConversation', { ...o, params: { id } });
  }
  timeline(id: string, query: TimelineParams = {}, o?: RequestOptions) {
    return this.call('timeline', { ...o, params: { id }, query: { ...query } });
  }
  postMessage(id: string, body: RouteBody<'postMessage'>, o?: WriteOptions) {
    return this.call('postMessage', { ...o, params: { id }, body });
  }
  postNote(id: string, body: RouteBody<'postNote'>, o?: WriteOptions) {
    return this.call('postNote', { ...o, params: { id }, body });
  }
  /** Tags (the whole set), priority, team, subject; `ifMatch` refuses a stale edit with 409. */
  updateConversation(id: string, body: RouteBody<'updateConversation'>, o?: VersionedWriteOptions) {
    return this.call('updateConversation', { ...o, params: { id }, body });
  }
  assign(id: string, body: RouteBody<'assign'>, o?: VersionedWriteOptions) {
    return this.call('assign', { ...o, params: { id }, body });
  }
  /** Snooze until an ISO instant (in the future, at most a year ahead); `until: null` wakes it now. */
  snooze(id: string, body: RouteBody<'snooze'>, o?: VersionedWriteOptions) {
    return this.call('snooze', { ...o, params: { id }, body });
  }
  /** One action on up to 100 conversations; a result per id (`ok`, `status`, `conversation` or `error`), never a throw for one id. */
  bulk(body: RouteBody<'bulk'>, o?: WriteOptions) {
    return this.call('bulk', { ...o, body });
  }
  resolve(id: string, o?: VersionedWriteOptions) {
    return this.call('resolve', { ...o, params: { id } });
  }
  reopen(id: string, o?: VersionedWriteOptions) {
    return this.call('reopen', { ...o, params: { id } });
  }
  markRead(id: string, o?: WriteOptions) {
    return this.call('markRead', { ...o, params: { id } });
  }
  search(query: QueryParams<'search'>, o?: RequestOptions) {
    return this.call('search', { ...o, query: { ...query } });
  }
  /** The workspace's tags in use with their counts, most used first (tag suggestions). */
  listTags(query: QueryParams<'listTags'> = {}, o?: RequestOptions) {
    return this.call('listTags', { ...o, query: { ...query } });
  }

  // ── Saved replies (agents read; admins and the API key write) ────────────────────────────────
  /** With `conversationId`, each reply also comes `rendered` for that conversation and the caller. */
  listSavedReplies(query: QueryParams<'listSavedReplies'> = {}, o?: RequestOptions) {
    return this.call('listSavedReplies', { ...o, query: { ...query } });
  }
  createSavedReply(body: RouteBody<'createSavedReply'>, o?: WriteOptions) {
    return this.call('createSavedReply', { ...o, body });
  }
  updateSavedReply(id: string, body: RouteBody<'updateSavedReply'>, o?: WriteOptions) {
    return this.call('updateSavedReply', { ...o, params: { id }, body });
  }
  deleteSavedReply(id: string, o?: WriteOptions) {
    return this.call('deleteSavedReply', { ...o, params: { id } });
  }

  // ── Notifications ──────────────────────────────────────────────────────────────────────────
  listNotifications(query: NotificationsParams = {}, o?: RequestOptions) {
    return this.call('listNotifications', { ...o, query: { ...query } });
  }
  markNotificationsRead(body: RouteBody<'markNotificationsRead'>, o?: WriteOptions) {
    return this.call('markNotificationsRead', { ...o, body });
  }

  // ── Routing: the rule runs that touched a conversation ("why") ─────────────────────────────
  conversationRouting(id: string, o?: RequestOptions) {
    return this.call('conversationRouting', { ...o, params: { id } });
  }

  // ── Notification preferences and Web Push ──────────────────────────────────────────────────
  getPreferences(o?: RequestOptions) {
    return this.call('getPreferences', { ...o });
  }
  updatePreferences(body: RouteBody<'updatePreferences'>, o?: WriteOptions) {
    return this.call('updatePreferences', { ...o, body });
  }
  pushPublicKey(o?: RequestOptions) {
    return this.call('pushPublicKey', { ...o });
  }
  createPushSubscription(body: RouteBody<'createPushSubscription'>, o?: WriteOptions) {
    return this.call('createPushSubscription', { ...o, body });
  }
  deletePushSubscription(body: RouteBody<'deletePushSubscription'>, o?: WriteOptions) {
    return this.call('deletePushSubscription', { ...o, body });
  }

  protected url(path: string, params: Record<string, string> = {}, query: Query = {}): string {
    const filled = path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined || value === '') throw new TypeError(`missing path parameter ${name} for ${path}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const qs = search.toString();
    return `${this.baseUrl}${filled}${qs ? `?${qs}` : ''}`;
  }

  /** Where a route is: the inbox's own table here (its bundle carries only that); `BatonRestClient` has every route's. */
  protected endpoint(name: RouteName): Endpoint {
    return (INBOX_ENDPOINTS as Record<string, Endpoint>)[name]!;
  }

  protected async call<N extends RouteName>(name: N, call: Call): Promise<RouteResponse<N>> {
    const spec = this.endpoint(name);
    const method = spec.method.toUpperCase();
    const url = this.url(spec.path, call.params, call.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    // One key for every attempt of this call: that is what makes a retry a repeat, not a second write.
    if (method !== 'GET') headers['idempotency-key'] = call.idempotencyKey ?? newIdempotencyKey();
    if (call.ifMatch !== undefined) headers['if-match'] = `"${call.ifMatch}"`;

    let attempt = 0;
    let refreshed = false;
    for (;;) {
      attempt += 1;
      const token = await this.tokens.get();
      const init: RequestInit = { method, headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers };
      if (body !== undefined) init.body = body;
      if (call.signal) init.signal = call.signal;

      let res: Response;
      try {
        res = await this.fetchImpl(url, init);
      } catch (cause) {
        if (call.signal?.aborted) throw cause;
        if (attempt < this.maxAttempts) {
          await this.delay(backoffMs(attempt, this.backoff));
          continue;
        }
        throw new BatonApiError(0, 'network_error', `${method} ${spec.path}: no response after ${attempt} attempts`, undefined, { cause });
      }

      const payload = await readJson(res);
      if (res.ok) {
        if (payload === undefined) throw new BatonApiError(res.status, 'unexpected_response', `${method} ${spec.path}: response is not JSON`);
        return payload as RouteResponse<N>;
      }
      const error = BatonApiError.fromBody(res.status, payload ?? null);
      if (res.status === 401 && !refreshed && this.tokens.refreshable) {
        // The token may have been revoked or the clocks disagree: one fresh token, one more try.
        refreshed = true;
        attempt -= 1;
        await this.tokens.refresh(token);
        continue;
      }
      if (retryable(error) && attempt < this.maxAttempts) {
        await this.delay(backoffMs(attempt, this.backoff));
        continue;
      }
      throw error;
    }
  }
}

/**
 * Typed calls to the Baton REST API, one method per route of the protocol's `routes` table
 * (method names are the route names). Every write carries an `Idempotency-Key`, so retries after
 * network errors and 502/503/504 are safe; a 401 gets one retry with a fresh token.
 */
export class BatonRestClient extends InboxRestClient {
  protected override endpoint(name: RouteName): Endpoint {
    return ENDPOINTS[name];
  }

  // ── Public and server admin ────────────────────────────────────────────────────────────────
  health(o?: RequestOptions) {
    return this.call('health', { ...o });
  }
  openapi(o?: RequestOptions) {
    return this.call('openapi', { ...o });
  }
  createWorkspace(body: RouteBody<'createWorkspace'>, o?: WriteOptions) {
    return this.call('createWorkspace', { ...o, body });
  }
  listWorkspaces(query: QueryParams<'listWorkspaces'> = {}, o?: RequestOptions) {
    return this.call('listWorkspaces', { ...o, query: { ...query } });
  }
  createWorkspaceApiKey(id: string, o?: WriteOptions) {
    return this.call('createWorkspaceApiKey', { ...o, params: { id } });
  }

  // ── Workspace, tokens, agents, teams ───────────────────────────────────────────────────────
  createToken(body: RouteBody<'createToken'>, o?: WriteOptions) {
    return this.call('createToken', { ...o, body });
  }
  getWorkspace(o?: RequestOptions) {
    return this.call('getWorkspace', { ...o });
  }
  updateWorkspace(body: RouteBody<'updateWorkspace'>, o?: WriteOptions) {
    return this.call('updateWorkspace', { ...o, body });
  }

  // ── Credentials (API key): rotate by creating a new one, switching over, then revoking the old ──
  listCredentials(o?: RequestOptions) {
    return this.call('listCredentials', { ...o });
  }
  createApiKey(o?: WriteOptions) {
    return this.call('createApiKey', { ...o });
  }
  revokeApiKey(id: string, o?: WriteOptions) {
    return this.call('revokeApiKey', { ...o, params: { id } });
  }
  createSigningKey(o?: WriteOptions) {
    return this.call('createSigningKey', { ...o });
  }
  retireSigningKey(kid: string, o?: WriteOptions) {
    return this.call('retireSigningKey', { ...o, params: { id: kid } });
  }

  // ── Agents and teams (admin) ───────────────────────────────────────────────────────────────
  createAgent(body: RouteBody<'createAgent'>, o?: WriteOptions) {
    return this.call('createAgent', { ...o, body });
  }
  createTeam(body: RouteBody<'createTeam'>, o?: WriteOptions) {
    return this.call('createTeam', { ...o, body });
  }
  updateTeam(id: string, body: RouteBody<'updateTeam'>, o?: WriteOptions) {
    return this.call('updateTeam', { ...o, params: { id }, body });
  }

  // ── Contacts ───────────────────────────────────────────────────────────────────────────────
  createContact(body: RouteBody<'createContact'>, o?: WriteOptions) {
    return this.call('createContact', { ...o, body });
  }
  /** Exactly one of `externalId`, `phone`, `email`. */
  findContacts(query: QueryParams<'findContacts'>, o?: RequestOptions) {
    return this.call('findContacts', { ...o, query: { ...query } });
  }
  updateContact(id: string, body: RouteBody<'updateContact'>, o?: WriteOptions) {
    return this.call('updateContact', { ...o, params: { id }, body });
  }

  // ── Conversations ──────────────────────────────────────────────────────────────────────────
  createConversation(body: RouteBody<'createConversation'>, o?: WriteOptions) {
    return this.call('createConversation', { ...o, body });
  }
  /** Customer-facing transcript: messages only (API key). */
  transcript(id: string, query: QueryParams<'transcript'> = {}, o?: RequestOptions) {
    return this.call('transcript', { ...o, params: { id }, query: { ...query } });
  }

  // ── Webhooks (API key) ─────────────────────────────────────────────────────────────────────
  listWebhooks(o?: RequestOptions) {
    return this.call('listWebhooks', { ...o });
  }
  createWebhook(body: RouteBody<'createWebhook'>, o?: WriteOptions) {
    return this.call('createWebhook', { ...o, body });
  }
  deleteWebhook(id: string, o?: WriteOptions) {
    return this.call('deleteWebhook', { ...o, params: { id } });
  }
  webhookDeliveries(id: string, query: QueryParams<'webhookDeliveries'> = {}, o?: RequestOptions) {
    return this.call('webhookDeliveries', { ...o, params: { id }, query: { ...query } });
  }

  // ── Workflows (routing rules) ──────────────────────────────────────────────────────────────
  listWorkflows(o?: RequestOptions) {
    return this.call('listWorkflows', { ...o });
  }
  createWorkflow(body: RouteBody<'createWorkflow'>, o?: WriteOptions) {
    return this.call('createWorkflow', { ...o, body });
  }
  validateWorkflow(body: RouteBody<'validateWorkflow'>, o?: WriteOptions) {
    return this.call('validateWorkflow', { ...o, body });
  }
  /** A dry run: changes nothing, so it is safe to repeat. */
  testWorkflow(body: RouteBody<'testWorkflow'>, o?: WriteOptions) {
    return this.call('testWorkflow', { ...o, body });
  }
  getWorkflow(id: string, o?: RequestOptions) {
    return this.call('getWorkflow', { ...o, params: { id } });
  }
  /** `ifMatch` is the workflow's `draftVersion` the edit started from. */
  updateWorkflow(id: string, body: RouteBody<'updateWorkflow'>, o?: VersionedWriteOptions) {
    return this.call('updateWorkflow', { ...o, params: { id }, body });
  }
  deleteWorkflow(id: string, o?: WriteOptions) {
    return this.call('deleteWorkflow', { ...o, params: { id } });
  }
  /** `ifMatch` is the `draftVersion` being published. */
  publishWorkflow(id: string, o?: VersionedWriteOptions) {
    return this.call('publishWorkflow', { ...o, params: { id } });
  }
  workflowVersions(id: string, o?: RequestOptions) {
    return this.call('workflowVersions', { ...o, params: { id } });
  }
  listWorkflowRuns(id: string, query: QueryParams<'listWorkflowRuns'> = {}, o?: RequestOptions) {
    return this.call('listWorkflowRuns', { ...o, params: { id }, query: { ...query } });
  }

}

/** The parsed body, or undefined when it is empty or not JSON. */
async function readJson(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// Compile-time guard: every route method of the inbox's client is in the inbox's table (its calls look only there).
type InboxRoutesMissing = Exclude<Extract<keyof InboxRestClient, RouteName>, keyof typeof INBOX_ENDPOINTS>;
const inboxTableHasEveryInboxRoute: [InboxRoutesMissing] extends [never] ? true : InboxRoutesMissing = true;
void inboxTableHasEveryInboxRoute;

type MissingRoutes = Exclude<RouteName, keyof BatonRestClient>;
/** Compile-time guard: a route added to the protocol without a client method fails the type check here. */
const everyRouteHasAMethod: [MissingRoutes] extends [never] ? true : MissingRoutes = true;
void everyRouteHasAMethod;
