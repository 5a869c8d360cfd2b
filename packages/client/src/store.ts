import type {
  Agent,
  BulkResult,
  Conversation,
  Counts,
  Notification,
  PresenceState,
  ReadyEvent,
  RouteBody,
  RouteResponse,
  Team,
  TimelineItem,
  View,
} from '@baton/protocol';
import { normalizeTag } from '@baton/protocol/tags';
import { BatonApiError } from './errors.js';
import type { BatonRealtime } from './realtime.js';
import type { InboxRestClient } from './rest.js';
import { byActivity, viewMembership } from './views.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type AgentWithLoad = RouteResponse<'listAgents'>['items'][number];

/** The list's filters and sort besides the view (DESIGN §5); absent means any / newest first. */
export interface ListFilters {
  channel?: string;
  teamId?: string;
  tag?: string;
  priority?: Conversation['priority'];
  sort?: 'newest' | 'oldest_waiting';
}

export interface OpenConversation {
  id: string;
  /** Null until loaded (unless the conversation was already in a list). */
  conversation: Conversation | null;
  /** Ordered by `seq`, each item once. */
  timeline: readonly TimelineItem[];
  /** Who else is viewing or typing here (needs the socket). */
  presence: PresenceState | null;
  loading: boolean;
}

export interface InboxSnapshot {
  /** `idle` before `start()`, `loading` until the first load completes, then `ready`. */
  status: 'idle' | 'loading' | 'ready';
  /** The socket is connected and caught up. */
  connected: boolean;
  agentId: string | null;
  view: View;
  /** The current view's rows loaded so far, newest activity first. */
  conversations: readonly Conversation[];
  /**
   * This agent's read mark per conversation, as far as known (from list pages, own reads and
   * reads in other tabs; 0 for one a page says was never read); `isUnread` turns it into the
   * list's unread dot.
   */
  readMarks: Readonly<Record<string, number>>;
  listLoading: boolean;
  hasMore: boolean;
  /** The current view's filters and sort (`setFilters`); `{}` is the whole view, newest first. */
  filters: ListFilters;
  counts: Counts | null;
  agents: readonly AgentWithLoad[];
  /**
   * The workspace's teams by name, as `GET /v1/teams` lists them. Empty until something asks
   * (`loadTeams`): many sessions never name a team. From then on `team:updated` keeps them current.
   */
  teams: readonly Team[];
  notifications: readonly Notification[];
  unreadNotifications: number;
  open: OpenConversation | null;
  /** The last failure of background work (reloads, refetches); commands reject with theirs instead. */
  error: Error | null;
}

export interface InboxStoreOptions {
  rest: InboxRestClient;
  /** Without it the store is loaded once and changes only through its own commands. */
  realtime?: BatonRealtime;
  /** The first view. Default `mine`. */
  view?: View;
  /** Rows per page. Default 25. */
  pageSize?: number;
  /** Notifications kept. Default 50. */
  notificationLimit?: number;
}

export type InboxListener = (snapshot: InboxSnapshot) => void;

/** Where a conversation state came from: a read (`load`) or a change (its event or command result). */
type Source = 'load' | 'change' | 'created';

/** Conversations remembered for version checks; the oldest are forgotten past this. */
const KNOWN_LIMIT = 5000;
const TIMELINE_PAGE = 500;
const MAX_PAGE = 100;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // observed through start(); never an unhandled rejection
  return { promise, resolve, reject };
}

const lastSeqOf = (items: readonly TimelineItem[]) => items[items.length - 1]?.seq ?? 0;

/** The team in its place by name (as the server orders them), replacing the one with its id. */
function placeTeam(teams: readonly Team[], team: Team): Team[] {
  return [...teams.filter((t) => t.id !== team.id), team].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
}

/** Items by `seq`, each id once (an item can come from REST, a command result and the socket). */
function mergeTimeline(current: readonly TimelineItem[], incoming: readonly TimelineItem[]): TimelineItem[] {
  const byId = new Map(current.map((i) => [i.id, i]));
  for (const item of incoming) byId.set(item.id, item);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The inbox as framework-agnostic state: `subscribe(listener)` and `getSnapshot()` (immutable
 * snapshots, so it fits `useSyncExternalStore`, Lit controllers, Vue refs). It loads from REST,
 * then applies socket events incrementally; it reloads everything on first connect and whenever
 * the server says `resync`. Commands go through the REST client.
 */
export class InboxStore {
  private snapshot: InboxSnapshot;
  private readonly listeners = new Set<InboxListener>();
  private readonly rest: InboxRestClient;
  private readonly realtime: BatonRealtime | undefined;
  private readonly pageSize: number;
  private readonly notificationLimit: number;
  /** The newest version seen of each conversation: a late REST answer never undoes a newer event. */
  private readonly known = new Map<string, Conversation>();
  /** Keyset position of the current view's pages: the server's cursor and the row it points past. */
  private cursor: string | null = null;
  private windowEnd: Conversation | null = null;
  /** Bumped when the view changes, so answers for an earlier view are dropped. */
  private listGen = 0;
  private openGen = 0;
  /** Conversations changed while a page was in flight, re-placed when it lands. */
  private readonly touchSets = new Set<Set<string>>();
  private refetching = false;
  private refetchAgain = false;
  private agentsLoading = false;
  private agentsAgain = false;
  /** The teams' read, once something asked for them (`loadTeams`); null again after a failed one. */
  private teamsLoad: Promise<void> | null = null;
  /** Teams changed by events while that read was in flight: its answer may predate them. */
  private teamsMeanwhile: Team[] | null = null;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  /** Socket events held back while a full reload is in flight, applied on top of it. */
  private buffer: (() => void)[] | null = null;
  private loaded = false;
  private started = false;
  private readonly firstLoad = deferred();
  private unsubscribe: (() => void)[] = [];

  constructor(options: InboxStoreOptions) {
    this.rest = options.rest;
    this.realtime = options.realtime;
    this.pageSize = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? 25));
    this.notificationLimit = options.notificationLimit ?? 50;
    this.snapshot = {
      status: 'idle',
      connected: false,
      agentId: null,
      view: options.view ?? 'mine',
      conversations: [],
      filters: {},
      listLoading: false,
      hasMore: false,
      counts: null,
      agents: [],
      teams: [],
      notifications: [],
      unreadNotifications: 0,
      readMarks: {},
      open: null,
      error: null,
    };
  }

  // ── Reactive surface ───────────────────────────────────────────────────────────────────────

  subscribe(listener: InboxListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  getSnapshot(): InboxSnapshot {
    return this.snapshot;
  }

  /**
   * Connects the socket (if given and not connected) and loads everything. Resolves when the
   * first load is done; rejects if it fails (the next socket `ready` tries again).
   */
  start(): Promise<void> {
    if (this.started) return this.firstLoad.promise;
    this.started = true;
    this.set({ status: 'loading' });
    const rt = this.realtime;
    if (!rt) {
      void this.reload();
      return this.firstLoad.promise;
    }
    this.unsubscribe = [
      rt.on('ready', (e) => this.onReady(e)),
      // A session the server ended for good (agent deactivated, opened in too many tabs) says why.
      rt.on('disconnected', (e) => this.set(e.closed && !e.reconnecting ? { connected: false, error: new Error(e.closed.message) } : { connected: false })),
      rt.on('conversation:created', (e) => this.event(() => this.applyConversation(e.conversation, 'created'))),
      rt.on('conversation:updated', (e) => this.event(() => this.applyConversation(e.conversation, 'change'))),
      rt.on('timeline:added', (e) => this.event(() => this.onTimelineItem(e.item))),
      rt.on('counts:updated', (e) => this.event(() => this.onCounts(e.counts))),
      rt.on('notification:created', (e) => this.event(() => this.onNotification(e.notification))),
      rt.on('agent:updated', (e) => this.event(() => this.onAgent(e.agent))),
      rt.on('team:updated', (e) => this.event(() => this.onTeam(e.team))),
      rt.on('presence:updated', (e) => this.event(() => this.onPresence(e.presence))),
      rt.on('conversation:read', (e) => this.event(() => this.onRead(e.conversationId, e.lastReadSeq))),
    ];
    if (rt.readyEvent) this.onReady(rt.readyEvent);
    else rt.connect().catch((error: Error) => this.firstLoad.reject(error));
    return this.firstLoad.promise;
  }

  /** Stops listening to the socket (which the caller owns and closes) and to in-flight answers. */
  destroy(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.listeners.clear();
    this.listGen += 1;
    this.openGen += 1;
  }

  // ── Navigation ─────────────────────────────────────────────────────────────────────────────

  /** Switches the list to another view and loads its first page. */
  async setView(view: View): Promise<void> {
    const gen = ++this.listGen;
    this.cursor = null;
    this.windowEnd = null;
    this.set({ view, conversations: [], hasMore: false, listLoading: this.started });
    if (!this.started) return; // the first load will use it
    if (!this.loaded) await this.firstLoad.promise.catch(() => undefined);
    if (gen !== this.listGen) return;
    await this.loadPage(gen, null);
  }

  /** Narrows (or widens) the current view by channel, team, tag, priority and sort, and loads its first page. */
  async setFilters(filters: ListFilters): Promise<void> {
    const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== '')) as ListFilters;
    // In the spelling tags are stored in (the server's filter takes either): live changes are checked against it.
    if (clean.tag !== undefined) clean.tag = normalizeTag(clean.tag);
    const gen = ++this.listGen;
    this.cursor = null;
    this.windowEnd = null;
    this.set({ filters: clean, conversations: [], hasMore: false, listLoading: this.started });
    if (!this.started) return;
    if (!this.loaded) await this.firstLoad.promise.catch(() => undefined);
    if (gen !== this.listGen) return;
    await this.loadPage(gen, null);
  }

  /** Loads the next page of the current view, if there is one. */
  async loadMore(): Promise<void> {
    if (!this.cursor || this.snapshot.listLoading) return;
    this.set({ listLoading: true });
    await this.loadPage(this.listGen, this.cursor);
  }

  /** Opens a conversation with its whole timeline (null closes it) and tells the socket. */
  async open(conversationId: string | null): Promise<void> {
    const gen = ++this.openGen;
    if (conversationId === null) {
      this.set({ open: null });
      this.realtime?.viewing(null).catch((error: Error) => this.fail(error));
      return;
    }
    this.set({
      open: { id: conversationId, conversation: this.known.get(conversationId) ?? null, timeline: [], presence: null, loading: true },
    });
    this.realtime?.viewing(conversationId).then(
      (presence) => {
        if (gen === this.openGen && presence) this.onPresence(presence);
      },
      (error: Error) => this.fail(error),
    );
    try {
      const [{ conversation }, items] = await Promise.all([this.rest.getConversation(conversationId), this.fetchTimeline(conversationId, 0)]);
      if (gen !== this.openGen) return;
      this.applyConversation(conversation, 'load');
      this.addTimeline(conversationId, items);
    } finally {
      if (gen === this.openGen) this.patchOpen(conversationId, { loading: false });
    }
  }

  /**
   * The workspace's teams, read once however many parts ask (a failed read is tried again at the
   * next ask), then kept current by `team:updated` and reloaded with everything on `resync`.
   */
  async loadTeams(): Promise<readonly Team[]> {
    await (this.teamsLoad ??= this.readTeams());
    return this.snapshot.teams;
  }

  // ── Commands ───────────────────────────────────────────────────────────────────────────────

  /**
   * "Assigned to": sends `If-Match` with the version this store has. On `409 version_conflict` the
   * store takes the server's current conversation (so the UI shows who got there first) and rethrows.
   */
  async assign(conversationId: string, assigneeId: string | null, options: { teamId?: string | null } = {}): Promise<Conversation> {
    const body = options.teamId === undefined ? { assigneeId } : { assigneeId, teamId: options.teamId };
    return this.change(() => this.rest.assign(conversationId, body, this.ifMatch(conversationId)));
  }

  /** "Mark as Resolved". Not version-checked: resolving is safe to repeat and a reply reopens anyway. */
  async resolve(conversationId: string): Promise<Conversation> {
    return this.change(() => this.rest.resolve(conversationId));
  }

  async reopen(conversationId: string): Promise<Conversation> {
    return this.change(() => this.rest.reopen(conversationId));
  }

  /**
   * Edits tags (the whole set), priority, team or subject, with `If-Match` of the version this store
   * has. On `409 version_conflict` the store takes the server's current conversation and rethrows,
   * as `assign` does. The timeline events (`tagged`, `priority_changed`…) arrive over the socket.
   */
  async update(conversationId: string, patch: RouteBody<'updateConversation'>): Promise<Conversation> {
    return this.change(() => this.rest.updateConversation(conversationId, patch, this.ifMatch(conversationId)));
  }

  /** Snoozes until `until` (an ISO instant), or wakes it now with `null`; `If-Match` as `update`. */
  async snooze(conversationId: string, until: string | null): Promise<Conversation> {
    return this.change(() => this.rest.snooze(conversationId, { until }, this.ifMatch(conversationId)));
  }

  /** An agent's availability (an agent may set their own); everyone's pickers follow through `agent:updated`. */
  async setAvailability(agentId: string, availability: Agent['availability']): Promise<Agent> {
    const { agent } = await this.rest.updateAgent(agentId, { availability });
    this.onAgent(agent);
    return agent;
  }

  /**
   * One action on several conversations (`POST /v1/conversations/bulk`), each sent with the version
   * this store has (`If-Match` per id). Takes every changed conversation, and for an id someone
   * else changed first (409) the server's current one; returns the per-id results.
   */
  async bulk(body: DistributiveOmit<RouteBody<'bulk'>, 'ifMatch'>): Promise<BulkResult[]> {
    const ifMatch: Record<string, number> = {};
    for (const id of body.ids) {
      const version = this.known.get(id)?.version;
      if (version !== undefined) ifMatch[id] = version;
    }
    const { results } = await this.rest.bulk({ ...body, ifMatch } as RouteBody<'bulk'>);
    for (const r of results) {
      if (r.ok) this.applyConversation(r.conversation, 'change');
      else if (r.error.code === 'version_conflict') this.takeCurrent(r.error.details);
    }
    if (!this.realtime) void this.refreshCounts();
    return results;
  }

  /**
   * Replies to the customer (an outbound message). `seenSeq`: the latest reply the writer had seen;
   * the server refuses (`replied_meanwhile`) if someone else's came after it.
   */
  async reply(conversationId: string, body: string, options: { seenSeq?: number } = {}) {
    const result = await this.command(() => this.rest.postMessage(conversationId, { direction: 'outbound', body, ...options }));
    this.changed(result.conversation);
    this.addTimeline(conversationId, [result.message]);
    return result;
  }

  /** An internal note; `@username` mentions a teammate. */
  async note(conversationId: string, body: string) {
    const result = await this.command(() => this.rest.postNote(conversationId, { body }));
    this.changed(result.conversation);
    this.addTimeline(conversationId, [result.note]);
    return result;
  }

  /** Marks the conversation read for this agent; it leaves Unread at once. */
  async markRead(conversationId: string) {
    const result = await this.rest.markRead(conversationId);
    this.onRead(conversationId, result.lastReadSeq);
    if (!this.realtime) void this.refreshCounts();
    return result;
  }

  async markNotificationsRead(ids: string[] | 'all') {
    const result = await this.rest.markNotificationsRead(ids === 'all' ? { all: true } : { ids });
    const now = new Date().toISOString();
    const marked = ids === 'all' ? null : new Set(ids);
    this.set({
      notifications: this.snapshot.notifications.map((n) => (n.readAt === null && (!marked || marked.has(n.id)) ? { ...n, readAt: now } : n)),
      unreadNotifications: result.unread,
    });
    return result;
  }

  // ── Loading ────────────────────────────────────────────────────────────────────────────────

  private onReady(e: ReadyEvent): void {
    this.set({ agentId: e.agentId, connected: true });
    // After a replayed reconnect the events already brought us up to date; otherwise reload.
    if (!this.loaded || e.resync) void this.reload();
  }

  /** Reloads everything from REST; socket events arriving meanwhile are applied after it. */
  private reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.buffer ??= [];
    this.reloading = this.runReload().finally(() => {
      const held = this.buffer ?? [];
      this.buffer = null;
      this.reloading = null;
      if (this.loaded) for (const apply of held) apply();
    });
    return this.reloading;
  }

  private async runReload(): Promise<void> {
    try {
      do {
        this.reloadAgain = false;
        await this.loadEverything();
      } while (this.reloadAgain);
      this.loaded = true;
      this.set({ status: 'ready', error: null });
      this.firstLoad.resolve();
    } catch (error) {
      this.fail(error);
      this.firstLoad.reject(error);
    }
  }

  private async loadEverything(): Promise<void> {
    if (!this.snapshot.agentId) this.set({ agentId: (await this.rest.me()).agent.id });
    const gen = ++this.listGen;
    const view = this.snapshot.view;
    const open = this.snapshot.open;
    const [page, counts, agents, notifications, openData] = await Promise.all([
      this.rest.listConversations({ view, limit: this.pageSize, ...this.snapshot.filters }),
      this.rest.counts(),
      this.rest.listAgents(),
      this.rest.listNotifications({ limit: this.notificationLimit }),
      open
        ? Promise.all([this.rest.getConversation(open.id), this.fetchTimeline(open.id, lastSeqOf(open.timeline))])
        : Promise.resolve(null),
    ]);
    this.set({
      counts,
      agents: agents.items,
      notifications: notifications.items,
      unreadNotifications: notifications.unread,
    });
    if (gen === this.listGen) this.setPage(page, 'replace', new Set());
    // After a resync the team changes missed were not replayed either (the first load has nothing
    // to refresh: teams asked for meanwhile are being read now). Teams nobody asked for stay unread.
    if (this.loaded && this.teamsLoad) (this.teamsLoad = this.readTeams()).catch((error: unknown) => this.fail(error));
    if (open && openData) {
      this.applyConversation(openData[0].conversation, 'load');
      this.addTimeline(open.id, openData[1]);
    }
  }

  private async loadPage(gen: number, cursor: string | null): Promise<void> {
    const touches = new Set<string>();
    this.touchSets.add(touches);
    try {
      const page = await this.rest.listConversations({ view: this.snapshot.view, limit: this.pageSize, ...this.snapshot.filters, ...(cursor ? { cursor } : {}) });
      if (gen === this.listGen) this.setPage(page, cursor ? 'append' : 'replace', touches);
    } catch (error) {
      if (gen === this.listGen) this.set({ listLoading: false });
      throw error;
    } finally {
      this.touchSets.delete(touches);
    }
  }

  /** Mentioned and Unread depend on state only the server has: ask again for what is loaded. */
  private scheduleRefetch(): void {
    if (this.refetching) {
      this.refetchAgain = true;
      return;
    }
    this.refetching = true;
    void (async () => {
      try {
        do {
          this.refetchAgain = false;
          const gen = this.listGen;
          const limit = Math.min(MAX_PAGE, Math.max(this.pageSize, this.snapshot.conversations.length));
          const touches = new Set<string>();
          this.touchSets.add(touches);
          try {
            const page = await this.rest.listConversations({ view: this.snapshot.view, limit, ...this.snapshot.filters });
            if (gen === this.listGen) this.setPage(page, 'replace', touches);
          } finally {
            this.touchSets.delete(touches);
          }
        } while (this.refetchAgain);
      } catch (error) {
        this.fail(error);
      } finally {
        this.refetching = false;
      }
    })();
  }

  private async readTeams(): Promise<void> {
    const meanwhile: Team[] = (this.teamsMeanwhile = []);
    try {
      const { items } = await this.rest.listTeams();
      // A newer read started meanwhile (a reload's): its answer is the one to keep.
      if (this.teamsMeanwhile !== meanwhile) return void (await this.teamsLoad);
      this.teamsMeanwhile = null;
      let teams: readonly Team[] = items;
      for (const team of meanwhile) teams = placeTeam(teams, team);
      this.set({ teams });
    } catch (error) {
      if (this.teamsMeanwhile === meanwhile) this.teamsMeanwhile = this.teamsLoad = null;
      throw error;
    }
  }

  /** Agents' open load when a change's effect on it is not known locally. */
  private scheduleAgentsReload(): void {
    if (this.agentsLoading) {
      this.agentsAgain = true;
      return;
    }
    this.agentsLoading = true;
    void (async () => {
      try {
        do {
          this.agentsAgain = false;
          const { items } = await this.rest.listAgents();
          this.set({ agents: items });
        } while (this.agentsAgain);
      } catch (error) {
        this.fail(error);
      } finally {
        this.agentsLoading = false;
      }
    })();
  }

  private async refreshCounts(): Promise<void> {
    try {
      this.set({ counts: await this.rest.counts() });
    } catch (error) {
      this.fail(error);
    }
  }

  private async fetchTimeline(conversationId: string, after: number): Promise<TimelineItem[]> {
    const items: TimelineItem[] = [];
    let next: number | null = after;
    while (next !== null) {
      const page: RouteResponse<'timeline'> = await this.rest.timeline(conversationId, { after: next, limit: TIMELINE_PAGE });
      items.push(...page.items);
      next = page.nextAfter;
    }
    return items;
  }

  // ── Applying state ─────────────────────────────────────────────────────────────────────────

  /** Socket events apply now, wait for a reload in flight, or are dropped before the first load (which covers them). */
  private event(apply: () => void): void {
    if (this.buffer) this.buffer.push(apply);
    else if (this.loaded) apply();
  }

  private async command<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof BatonApiError && error.code === 'version_conflict') this.takeCurrent(error.details);
      throw error;
    }
  }

  /** A 409 `version_conflict` carries the conversation as the server has it now: taken whatever this store's version. */
  private takeCurrent(details: unknown): void {
    const current = (details as { conversation?: Conversation } | undefined)?.conversation;
    if (current) this.applyConversation(current, 'change', true);
  }

  /** `If-Match` with the version of the conversation this store has (none when it has not seen it). */
  private ifMatch(conversationId: string): { ifMatch?: number } {
    const version = this.known.get(conversationId)?.version;
    return version === undefined ? {} : { ifMatch: version };
  }

  /** A command that answers with the conversation: taken (see `command`), and the store's copy returned. */
  private async change(run: () => Promise<{ conversation: Conversation }>): Promise<Conversation> {
    const { conversation } = await this.command(run);
    return this.changed(conversation);
  }

  private changed(conversation: Conversation): Conversation {
    this.applyConversation(conversation, 'change');
    if (!this.realtime) void this.refreshCounts();
    return this.known.get(conversation.id) ?? conversation;
  }

  /** Takes a conversation state unless a newer version is known; `force` takes it regardless. */
  private applyConversation(c: Conversation, source: Source, force = false): void {
    const prev = this.known.get(c.id);
    if (prev && prev.version > c.version && !force) return;
    this.remember(c);
    if (source !== 'load') this.adjustLoad(prev, c, source);
    for (const touches of this.touchSets) touches.add(c.id);
    // Only a change can move a row into Mentioned or Unread; a read of the same state cannot.
    this.place(c, source);
    if (this.snapshot.open?.id === c.id) this.patchOpen(c.id, { conversation: c });
  }

  /** Read marks only move forward, whichever of page, event or command brings them first. */
  private onRead(conversationId: string, lastReadSeq: number): void {
    const marks = this.snapshot.readMarks;
    if ((marks[conversationId] ?? -1) >= lastReadSeq) return;
    this.set({ readMarks: { ...marks, [conversationId]: lastReadSeq } });
    if (this.snapshot.view === 'unread') {
      const c = this.known.get(conversationId);
      if (!c || !isUnread(c, this.snapshot.readMarks)) this.removeRow(conversationId);
    }
  }

  private remember(c: Conversation): void {
    this.known.delete(c.id);
    this.known.set(c.id, c);
    if (this.known.size > KNOWN_LIMIT) this.known.delete(this.known.keys().next().value!);
  }

  /** Keeps each agent's open-assigned count in step with a change, when the state before it is known. */
  private adjustLoad(prev: Conversation | undefined, next: Conversation, source: Source): void {
    if (prev && next.version <= prev.version) return;
    if (!prev && source !== 'created') return this.scheduleAgentsReload();
    const delta = new Map<string, number>();
    const add = (id: string | null, by: number) => id && delta.set(id, (delta.get(id) ?? 0) + by);
    if (prev?.status === 'open') add(prev.assigneeId, -1);
    if (next.status === 'open') add(next.assigneeId, +1);
    if ([...delta.values()].every((d) => d === 0)) return;
    this.set({ agents: this.snapshot.agents.map((a) => (delta.get(a.id) ? { ...a, openAssigned: a.openAssigned + delta.get(a.id)! } : a)) });
  }

  /** Inserts, moves or removes the conversation's row in the current view. */
  private place(c: Conversation, source: Source): void {
    const me = this.snapshot.agentId;
    if (!me) return;
    const rows = this.snapshot.conversations;
    const present = rows.some((r) => r.id === c.id);
    const member = this.passesFilters(c) ? viewMembership(this.snapshot.view, c, me) : false;
    if (member === false) {
      if (present) this.removeRow(c.id);
      return;
    }
    // Rows past the last page loaded arrive with `loadMore()`; inserting them now would leave a gap.
    const joins = !present && member === true && this.inWindow(c);
    if (present || joins) this.upsertRow(c);
    if (source === 'load') return;
    // A row that joins live (handed to me, replied to) with no read mark may have been read in an
    // earlier session: the page asked again brings its mark. Not one created live: nobody read it.
    if (member === 'unknown' || (joins && source === 'change' && c.lastInboundSeq !== null && !(c.id in this.snapshot.readMarks))) this.scheduleRefetch();
  }

  /** Whether a conversation passes the list's filters (the view is `viewMembership`'s). */
  private passesFilters(c: Conversation): boolean {
    const f = this.snapshot.filters;
    return (
      (f.channel === undefined || c.channel === f.channel) &&
      (f.teamId === undefined || c.teamId === f.teamId) &&
      (f.priority === undefined || c.priority === f.priority) &&
      (f.tag === undefined || c.tags.includes(f.tag))
    );
  }

  /** The server's order for the current sort: newest activity first, or oldest first. */
  private readonly listOrder = (a: Conversation, b: Conversation): number =>
    this.snapshot.filters.sort === 'oldest_waiting' ? byActivity(b, a) : byActivity(a, b);

  private inWindow(c: Conversation): boolean {
    return this.cursor === null || this.windowEnd === null || this.listOrder(c, this.windowEnd) <= 0;
  }

  private upsertRow(c: Conversation): void {
    const rows = this.snapshot.conversations.filter((r) => r.id !== c.id);
    rows.push(c);
    this.set({ conversations: rows.sort(this.listOrder) });
  }

  private removeRow(id: string): void {
    if (!this.snapshot.conversations.some((r) => r.id === id)) return;
    this.set({ conversations: this.snapshot.conversations.filter((r) => r.id !== id) });
  }

  private setPage(page: RouteResponse<'listConversations'>, mode: 'replace' | 'append', touches: Set<string>): void {
    const me = this.snapshot.agentId!;
    const view = this.snapshot.view;
    const rows = mode === 'replace' ? [] : this.snapshot.conversations.slice();
    const seen = new Set(rows.map((r) => r.id));
    const marks: Record<string, number> = {};
    for (const item of page.items) {
      // Never read is a known mark too (0, below every seq), so the row needs no asking again.
      const readSeq = item.readSeq ?? 0;
      if (readSeq > (this.snapshot.readMarks[item.id] ?? -1)) marks[item.id] = readSeq;
    }
    if (Object.keys(marks).length) this.set({ readMarks: { ...this.snapshot.readMarks, ...marks } });
    for (const item of page.items) {
      const known = this.known.get(item.id);
      const current = known && known.version > item.version ? known : item;
      this.remember(current);
      // The page may predate a change the socket already brought: trust the newer state.
      if (seen.has(current.id) || !this.passesFilters(current) || viewMembership(view, current, me) === false) continue;
      seen.add(current.id);
      rows.push(current);
    }
    this.cursor = page.nextCursor;
    const last = page.items[page.items.length - 1];
    if (last || mode === 'replace') this.windowEnd = last ?? null;
    this.set({ conversations: rows.sort(this.listOrder), hasMore: page.nextCursor !== null, listLoading: false });
    for (const id of touches) {
      const c = this.known.get(id);
      if (c) this.place(c, 'load');
    }
  }

  private addTimeline(conversationId: string, items: readonly TimelineItem[]): void {
    const open = this.snapshot.open;
    if (open?.id !== conversationId || items.length === 0) return;
    this.patchOpen(conversationId, { timeline: mergeTimeline(open.timeline, items) });
  }

  private patchOpen(conversationId: string, patch: Partial<OpenConversation>): void {
    const open = this.snapshot.open;
    if (open?.id === conversationId) this.set({ open: { ...open, ...patch } });
  }

  private onTimelineItem(item: TimelineItem): void {
    this.addTimeline(item.conversationId, [item]);
    // A note that mentions me may add a row to Mentioned; notes do not produce conversation events.
    if (this.snapshot.view === 'mentioned' && item.kind === 'note' && item.mentions.includes(this.snapshot.agentId ?? '')) {
      this.scheduleRefetch();
    }
  }

  private onCounts(counts: Counts): void {
    const before = this.snapshot.counts;
    this.set({ counts });
    // Reads and mentions elsewhere (another tab) send no conversation event, but they move the count.
    const view = this.snapshot.view;
    if ((view === 'unread' || view === 'mentioned') && before && before[view] !== counts[view]) this.scheduleRefetch();
  }

  private onNotification(n: Notification): void {
    if (this.snapshot.notifications.some((x) => x.id === n.id)) return;
    this.set({
      notifications: [n, ...this.snapshot.notifications].slice(0, this.notificationLimit),
      unreadNotifications: this.snapshot.unreadNotifications + (n.readAt === null ? 1 : 0),
    });
  }

  private onAgent(agent: Agent): void {
    const agents = this.snapshot.agents;
    const existing = agents.find((a) => a.id === agent.id);
    this.set({
      agents: existing ? agents.map((a) => (a.id === agent.id ? { ...agent, openAssigned: a.openAssigned } : a)) : [...agents, { ...agent, openAssigned: 0 }],
    });
  }

  /** A team created or changed elsewhere. Nobody asked for teams yet: their read will bring it. */
  private onTeam(team: Team): void {
    if (this.teamsMeanwhile) this.teamsMeanwhile.push(team);
    else if (this.teamsLoad) this.set({ teams: placeTeam(this.snapshot.teams, team) });
  }

  private onPresence(presence: PresenceState): void {
    this.patchOpen(presence.conversationId, { presence });
  }

  private fail(error: unknown): void {
    this.set({ error: error instanceof Error ? error : new Error(String(error)) });
  }

  private set(patch: Partial<InboxSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of [...this.listeners]) {
      try {
        listener(this.snapshot);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** Open, with an inbound message after this agent's read mark: the list's unread dot. */
export function isUnread(c: Conversation, readMarks: Readonly<Record<string, number>>): boolean {
  return c.status === 'open' && c.lastInboundSeq !== null && (readMarks[c.id] ?? 0) < c.lastInboundSeq;
}
