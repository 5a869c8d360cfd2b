// Test-only: recorded protocol shapes (validated with the protocol's own schemas) served to a real
// BatonRestClient through its `fetch` option, and a socket stand-in the test drives by hand.
import { BatonRestClient, InboxStore, type BatonRealtime, type RealtimeEventMap } from '@baton/client';
import {
  Agent as AgentSchema,
  Contact as ContactSchema,
  Conversation as ConversationSchema,
  Notification as NotificationSchema,
  Team as TeamSchema,
  TimelineItem as TimelineItemSchema,
  type Agent,
  type Contact,
  type ContactHit,
  type Conversation,
  type Counts,
  type MessageItem,
  type NoteItem,
  type Notification,
  type PresenceState,
  type ReadyEvent,
  type SavedReply,
  type SearchConversation,
  type SearchHit,
  type Team,
  type TimelineItem,
  type View,
  type WorkflowRun,
} from '@baton/protocol';

export const NOW = Date.now();
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

export const agent = (id: string, name: string, username: string, availability: Agent['availability'], extra: Partial<Agent> = {}): Agent =>
  AgentSchema.parse({ id, name, username, email: `${username}@demo.baton.dev`, externalId: null, role: 'agent', skills: [], capacity: 25, availability, active: true, createdAt: at(10_000), ...extra });

export const ana = agent('agt_ana', 'Ana Silva', 'ana', 'online', { role: 'admin' });
export const ben = agent('agt_ben', 'Ben Okafor', 'ben', 'online');
export const maria = agent('agt_maria', 'María García', 'maria', 'online', { skills: ['es'] });
export const tom = agent('agt_tom', 'Tom Becker', 'tom', 'away', { skills: ['technical', 'senior'] });

export const support: Team = TeamSchema.parse({ id: 'team_support', name: 'Support', memberIds: [ana.id, ben.id, tom.id], createdAt: at(10_000) });

export const contact = (id: string, name: string, extra: Partial<Contact> = {}): Contact =>
  ContactSchema.parse({ id, name, phone: null, email: null, language: null, tags: [], externalId: null, createdAt: at(5000), ...extra });

export const lucia = contact('ct_lucia', 'Lucía Fernández', { phone: '+34600111222', language: 'es', tags: ['spanish'] });
export const priya = contact('ct_priya', 'Priya Patel', { email: 'priya@example.com', tags: ['vip'] });
/** A contact whose name is markup: it must render as characters. */
export const mallory = contact('ct_mallory', '<img src=x onerror="window.__xss=1">Mallory');

export function conversation(id: string, contactId: string, minutesAgo: number, extra: Partial<Conversation> = {}): Conversation {
  return ConversationSchema.parse({
    id, contactId, channel: 'sms', source: null, subject: null, status: 'open', assigneeId: null, teamId: null, tags: [], priority: 'normal',
    version: 1, createdAt: at(minutesAgo + 5), lastMessageAt: at(minutesAgo), lastInboundAt: at(minutesAgo), lastInboundSeq: 50, resolvedAt: null, waitingSince: null, snoozedUntil: null, language: null,
    preview: 'Hello', ...extra,
  });
}

let seq = 100;
export const message = (conversationId: string, body: string, direction: 'inbound' | 'outbound', authorId: string | null, minutesAgo: number): MessageItem =>
  TimelineItemSchema.parse({
    id: `msg_${++seq}`, conversationId, seq, createdAt: at(minutesAgo), kind: 'message', direction, channel: 'sms', body,
    author: direction === 'inbound' ? { type: 'api', id: null } : { type: 'agent', id: authorId }, internal: false,
  }) as MessageItem;
export const note = (conversationId: string, body: string, authorId: string, mentions: string[], minutesAgo: number): NoteItem =>
  TimelineItemSchema.parse({
    id: `note_${++seq}`, conversationId, seq, createdAt: at(minutesAgo), kind: 'note', body, mentions, author: { type: 'agent', id: authorId }, internal: true,
  }) as NoteItem;
/** Tom's unread mention of Ana on `conversationId`, carrying its note (`Notification.note`). */
export const mentionOf = (conversationId: string, note: { id: string; excerpt: string }): Notification =>
  NotificationSchema.parse({ id: 'ntf_note', agentId: 'agt_ana', type: 'mentioned', conversationId, actor: { type: 'agent', id: 'agt_tom' }, createdAt: new Date().toISOString(), readAt: null, note });
export const event = (conversationId: string, type: string, actor: { type: string; id: string | null }, data: Record<string, unknown>, minutesAgo: number): TimelineItem =>
  TimelineItemSchema.parse({ id: `evt_${++seq}`, conversationId, seq, createdAt: at(minutesAgo), kind: 'event', type, actor, data, internal: true });

/** What the fake server holds; tests mutate it to set up a case. */
export interface World {
  me: Agent;
  agents: Agent[];
  teams: Team[];
  contacts: Contact[];
  conversations: Conversation[];
  timelines: Map<string, TimelineItem[]>;
  notifications: Notification[];
  /** Conversation ids unread by me. */
  unread: Set<string>;
  mentioned: Set<string>;
  searchHits: SearchHit[];
  /** `GET /v1/search` answers 503 while set. */
  searchUnavailable?: boolean;
  /** Contacts `GET /v1/search` answers with (first page). */
  contactHits?: ContactHit[];
  /** Conversations whose subject `GET /v1/search` answers with (first page). */
  subjectHits?: SearchConversation[];
  /** The workspace's saved replies (templates); listed with `conversationId`, each is also rendered for it. */
  savedReplies?: SavedReply[];
  /** Conversations a write answers with 409 version_conflict for (someone else changed them first). */
  conflicts?: Set<string>;
  /** Requests ("METHOD /path") the server answers with 503 unavailable, as a server that is down would. */
  unavailable?: Set<string>;
  /** Every request, as "METHOD /path?query", for assertions on what the UI asked for. */
  requests: string[];
  /** Web Push subscriptions registered by this browser (endpoints). */
  pushEndpoints: string[];
  /** Rule runs per conversation, for `GET /v1/conversations/:id/routing`. */
  routing?: Map<string, WorkflowRun[]>;
  /** Its `keptSince` (default: 90 days ago). */
  runsKeptSince?: string;
  /** `GET /v1/tags` answers 503 (the server is unreachable for it). */
  tagsUnavailable?: boolean;
}

/** A P-256 public key (65 bytes, uncompressed) standing in for the server's VAPID key. */
export const FIXTURE_VAPID_KEY = 'BAEAAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQABAQA';

export function demoWorld(): World {
  const c1 = conversation('conv_lucia', lucia.id, 3, { assigneeId: maria.id, preview: 'Hola, ¿tienen disponibilidad para el sábado?', tags: ['es'], teamId: support.id });
  const c2 = conversation('conv_priya', priya.id, 30, { channel: 'email', subject: 'API returns 502 on bulk import', assigneeId: ana.id, preview: 'Our bulk import has failed three times.' });
  const c3 = conversation('conv_priya_old', priya.id, 3000, { channel: 'email', subject: 'Invoice copy', status: 'resolved', resolvedAt: at(2900), assigneeId: ben.id, preview: 'Thanks!' });
  const timelines = new Map<string, TimelineItem[]>([
    [c1.id, [
      event(c1.id, 'created', { type: 'api', id: null }, { channel: 'sms', source: 'facebook-ad' }, 10),
      message(c1.id, 'Hola, ¿tienen disponibilidad para el sábado?', 'inbound', null, 9),
      event(c1.id, 'assigned', { type: 'agent', id: ana.id }, { from: null, to: maria.id, teamId: null }, 8),
      note(c1.id, '@maria she asked about Saturday, can you confirm the slot?', ana.id, [maria.id], 7),
      message(c1.id, 'Sí, el sábado a las 10. See https://example.com/booking.', 'outbound', maria.id, 5),
      event(c1.id, 'resolved', { type: 'agent', id: maria.id }, { from: 'open', to: 'resolved' }, 4),
      event(c1.id, 'reopened', { type: 'api', id: null }, { from: 'resolved', to: 'open', reason: 'inbound_message' }, 3),
    ]],
    [c2.id, [message(c2.id, 'Our bulk import has failed three times.', 'inbound', null, 30)]],
    [c3.id, [message(c3.id, 'Thanks!', 'inbound', null, 3000), note(c3.id, 'Sent the March invoice by email.', ben.id, [], 2990)]],
  ]);
  const notifications = [
    NotificationSchema.parse({ id: 'ntf_1', agentId: ana.id, type: 'mentioned', conversationId: c2.id, actor: { type: 'agent', id: ben.id }, createdAt: at(20), readAt: null }),
    NotificationSchema.parse({ id: 'ntf_2', agentId: ana.id, type: 'assigned', conversationId: c1.id, actor: { type: 'agent', id: tom.id }, createdAt: at(60), readAt: at(50) }),
  ];
  return {
    me: ana, agents: [ana, ben, maria, tom], teams: [support], contacts: [lucia, priya, mallory], conversations: [c1, c2, c3], timelines,
    notifications, unread: new Set([c1.id]), mentioned: new Set([c2.id]), searchHits: [], requests: [], pushEndpoints: [],
  };
}

const open = (c: Conversation) => c.status === 'open' && c.snoozedUntil === null;
function inView(world: World, view: View, c: Conversation): boolean {
  switch (view) {
    case 'mine': return open(c) && c.assigneeId === world.me.id;
    case 'unassigned': return open(c) && c.assigneeId === null;
    case 'mentioned': return open(c) && world.mentioned.has(c.id);
    case 'unread': return open(c) && world.unread.has(c.id);
    case 'all': return open(c);
    case 'resolved': return c.status === 'resolved';
    case 'snoozed': return c.status === 'open' && c.snoozedUntil !== null;
  }
}

export function countsOf(world: World): Counts {
  const n = (v: View) => world.conversations.filter((c) => inView(world, v, c)).length;
  return { mine: n('mine'), unassigned: n('unassigned'), mentioned: n('mentioned'), unread: n('unread'), all: n('all'), resolved: n('resolved'), snoozed: n('snoozed') };
}

/** `GET /v1/tags` over the world: every conversation (open or not) and contact, most used first, then by name. */
function tagsOf(world: World, prefix: string, limit: number) {
  const counts = new Map<string, { name: string; conversations: number; contacts: number }>();
  const at = (name: string) => counts.get(name) ?? counts.set(name, { name, conversations: 0, contacts: 0 }).get(name)!;
  for (const c of world.conversations) for (const t of new Set(c.tags)) at(t).conversations += 1;
  for (const c of world.contacts) for (const t of new Set(c.tags)) at(t).contacts += 1;
  return [...counts.values()]
    .filter((t) => t.name.toLowerCase().startsWith(prefix.trim().toLowerCase()))
    .sort((a, b) => b.conversations + b.contacts - (a.conversations + a.contacts) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit);
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const notFound = () => json(404, { error: { code: 'not_found', message: 'not found' } });

/** The Baton REST API over a World, enough for the inbox: same paths, same bodies. */
export function fixtureFetch(world: World): typeof fetch {
  const touch = (c: Conversation, patch: Partial<Conversation>) => {
    const next = { ...c, ...patch, version: c.version + 1 };
    world.conversations = world.conversations.map((x) => (x.id === c.id ? next : x));
    return next;
  };
  return async (input, init) => {
    const url = new URL(String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    world.requests.push(`${method} ${url.pathname}${url.search}`);
    if (world.unavailable?.has(`${method} ${url.pathname}`)) return json(503, { error: { code: 'unavailable', message: 'the database is unavailable' } });
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    const path = url.pathname;
    const q = url.searchParams;
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/v1/agents/me') return json(200, { agent: world.me });
    if (method === 'GET' && path === '/v1/agents') {
      return json(200, { items: world.agents.map((a) => ({ ...a, openAssigned: world.conversations.filter((c) => open(c) && c.assigneeId === a.id).length })) });
    }
    if (method === 'GET' && path === '/v1/teams') return json(200, { items: world.teams });
    if (method === 'PATCH' && (m = /^\/v1\/agents\/([^/]+)$/.exec(path))) {
      const a = world.agents.find((x) => x.id === m![1]);
      if (!a) return notFound();
      const next = { ...a, ...body } as Agent;
      world.agents = world.agents.map((x) => (x.id === a.id ? next : x));
      if (world.me.id === a.id) world.me = next;
      return json(200, { agent: next });
    }

    if (method === 'GET' && path === '/v1/conversations/counts') return json(200, countsOf(world));
    if (method === 'GET' && path === '/v1/conversations') {
      const view = (q.get('view') ?? 'all') as View;
      const limit = Number(q.get('limit') ?? 25);
      const offset = Number(q.get('cursor') ?? 0);
      const f = (k: string) => q.get(k) ?? undefined;
      const oldest = q.get('sort') === 'oldest_waiting';
      const rows = world.conversations
        .filter((c) => inView(world, view, c))
        .filter((c) => (!f('channel') || c.channel === f('channel')) && (!f('teamId') || c.teamId === f('teamId')) && (!f('priority') || c.priority === f('priority')) && (!f('tag') || c.tags.includes(f('tag')!)))
        .sort((a, b) => (Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt)) * (oldest ? -1 : 1));
      // List rows carry my read mark: below lastInboundSeq means unread.
      const items = rows.slice(offset, offset + limit).map((c) => ({ ...c, readSeq: world.unread.has(c.id) ? 0 : (c.lastInboundSeq ?? 0) }));
      return json(200, { items, nextCursor: offset + limit < rows.length ? String(offset + limit) : null });
    }
    if (method === 'POST' && path === '/v1/conversations/bulk') {
      const results = (body.ids as string[]).map((id) => {
        const c = world.conversations.find((x) => x.id === id);
        if (!c) return { id, ok: false, status: 404, error: { code: 'not_found', message: 'conversation not found' } };
        if (world.conflicts?.has(id)) {
          const current = touch(c, {});
          return { id, ok: false, status: 409, error: { code: 'version_conflict', message: 'stale', details: { conversation: current } } };
        }
        const patch: Partial<Conversation> =
          body.action === 'resolve' ? { status: 'resolved', resolvedAt: new Date().toISOString() }
          : body.action === 'assign' ? { assigneeId: body.assigneeId as string | null }
          : body.action === 'snooze' ? { snoozedUntil: body.until as string | null }
          : { tags: [...new Set([...c.tags, ...((body.add as string[] | undefined) ?? [])])] };
        return { id, ok: true, status: 200, conversation: touch(c, patch) };
      });
      return json(200, { results });
    }
    if (path === '/v1/saved-replies' || path.startsWith('/v1/saved-replies/')) {
      const replies = (world.savedReplies ??= []);
      const id = path.split('/')[3];
      const now = new Date().toISOString();
      if (method === 'GET') {
        const conv = world.conversations.find((c) => c.id === q.get('conversationId'));
        const ct = conv && world.contacts.find((x) => x.id === conv.contactId);
        const render = (body: string) =>
          body.replace(/\{\{\s*contact\.name\s*\}\}/g, ct?.name ?? '').replace(/\{\{\s*contact\.firstName\s*\}\}/g, ct?.name.split(' ')[0] ?? '');
        return json(200, { items: replies.map((r) => ({ ...r, rendered: conv ? render(r.body) : null })) });
      }
      if (world.me.role !== 'admin') return json(403, { error: { code: 'forbidden', message: 'admins only' } });
      if (method === 'POST') {
        const reply: SavedReply = { id: `sr_${replies.length + 1}`, name: String(body.name), shortcut: (body.shortcut as string | undefined) ?? null, body: String(body.body), rendered: null, createdAt: now, updatedAt: now };
        replies.push(reply);
        return json(201, { savedReply: reply });
      }
      const reply = replies.find((r) => r.id === id);
      if (!reply) return notFound();
      if (method === 'PATCH') {
        Object.assign(reply, body, { updatedAt: now });
        return json(200, { savedReply: reply });
      }
      if (method === 'DELETE') {
        world.savedReplies = replies.filter((r) => r !== reply);
        return json(200, { ok: true });
      }
    }
    if (method === 'GET' && path === '/v1/notifications') {
      return json(200, { items: world.notifications, unread: world.notifications.filter((n) => n.readAt === null).length });
    }
    if (method === 'POST' && path === '/v1/notifications/read') {
      const ids = new Set((body.ids as string[] | undefined) ?? world.notifications.map((n) => n.id));
      world.notifications = world.notifications.map((n) => (ids.has(n.id) && !n.readAt ? { ...n, readAt: new Date().toISOString() } : n));
      return json(200, { unread: world.notifications.filter((n) => n.readAt === null).length });
    }
    if (method === 'GET' && path === '/v1/push/public-key') return json(200, { publicKey: FIXTURE_VAPID_KEY });
    if (method === 'POST' && path === '/v1/push-subscriptions') {
      const endpoint = body.endpoint as string;
      world.pushEndpoints = [...world.pushEndpoints.filter((e) => e !== endpoint), endpoint];
      return json(201, { subscription: { id: 'psub_1', endpoint, createdAt: new Date().toISOString() } });
    }
    if (method === 'DELETE' && path === '/v1/push-subscriptions') {
      const had = world.pushEndpoints.includes(body.endpoint as string);
      world.pushEndpoints = world.pushEndpoints.filter((e) => e !== body.endpoint);
      return json(200, { deleted: had });
    }
    if (method === 'GET' && path === '/v1/tags') {
      if (world.tagsUnavailable) return json(503, { error: { code: 'unavailable', message: 'try again later' } });
      return json(200, { tags: tagsOf(world, q.get('prefix') ?? '', Number(q.get('limit') ?? 50)) });
    }
    if (method === 'GET' && path === '/v1/search') {
      // Pages as the server does: contacts and subjects on the first page only; the cursor here is an offset.
      if (world.searchUnavailable) return json(503, { error: { code: 'unavailable', message: 'try again later' } });
      const from = Number(q.get('cursor') ?? 0);
      const end = from + Number(q.get('limit') ?? 25);
      return json(200, { items: world.searchHits.slice(from, end), contacts: from ? [] : (world.contactHits ?? []), conversations: from ? [] : (world.subjectHits ?? []), nextCursor: end < world.searchHits.length ? String(end) : null });
    }
    if ((m = /^\/v1\/contacts\/([^/]+)\/conversations$/.exec(path))) {
      const c = world.contacts.find((x) => x.id === m![1]);
      if (!c) return notFound();
      return json(200, { contact: c, items: world.conversations.filter((x) => x.contactId === c.id) });
    }
    if ((m = /^\/v1\/contacts\/([^/]+)$/.exec(path))) {
      const c = world.contacts.find((x) => x.id === m![1]);
      return c ? json(200, { contact: c }) : notFound();
    }
    if ((m = /^\/v1\/conversations\/([^/]+)(?:\/([a-z]+))?$/.exec(path))) {
      const c = world.conversations.find((x) => x.id === m![1]);
      if (!c) return notFound();
      const action = m[2];
      const timeline = world.timelines.get(c.id) ?? [];
      if (method === 'GET' && !action) return json(200, { conversation: c });
      if (method === 'GET' && action === 'routing') return json(200, { items: world.routing?.get(c.id) ?? [], keptSince: world.runsKeptSince ?? new Date(Date.now() - 90 * 86_400_000).toISOString() });
      // Versioned writes (PATCH, snooze): a stale If-Match gets the server's 409 with the current state.
      const ifMatch = new Headers(init?.headers).get('if-match');
      if (ifMatch !== null && Number(ifMatch.replace(/"/g, '')) !== c.version && (method === 'PATCH' || action === 'snooze')) {
        return json(409, { error: { code: 'version_conflict', message: `conversation is at version ${c.version}`, details: { conversation: c } } });
      }
      if (method === 'PATCH' && !action) return json(200, { conversation: touch(c, body as Partial<Conversation>) });
      if (method === 'POST' && action === 'snooze') return json(200, { conversation: touch(c, { snoozedUntil: (body.until as string | null) ?? null }) });

      if (method === 'GET' && action === 'timeline') {
        const after = Number(q.get('after') ?? 0);
        return json(200, { items: timeline.filter((i) => i.seq > after), nextAfter: null });
      }
      if (method === 'POST' && action === 'read') {
        world.unread.delete(c.id);
        return json(200, { lastReadSeq: Math.max(c.lastInboundSeq ?? 0, timeline[timeline.length - 1]?.seq ?? 0) });
      }
      if (method === 'POST' && action === 'assign') {
        const next = touch(c, { assigneeId: body.assigneeId as string | null });
        return json(200, { conversation: next });
      }
      if (method === 'POST' && (action === 'resolve' || action === 'reopen')) {
        const resolved = action === 'resolve';
        const next = touch(c, { status: resolved ? 'resolved' : 'open', resolvedAt: resolved ? new Date().toISOString() : null });
        return json(200, { conversation: next });
      }
      if (method === 'POST' && action === 'notes') {
        const text = String(body.body);
        const mentions = world.agents.filter((a) => a.active && new RegExp(`(^|\\W)@${a.username}\\b`, 'i').test(text)).map((a) => a.id);
        const item = note(c.id, text, world.me.id, mentions, 0);
        world.timelines.set(c.id, [...timeline, item]);
        return json(201, { note: item, conversation: touch(c, {}) });
      }
      if (method === 'POST' && action === 'messages') {
        // As the server does: a reply written against an older reply than someone else's latest is refused.
        const seen = body.seenSeq as number | undefined;
        const theirs = seen === undefined ? undefined : timeline.find((i) => i.kind === 'message' && i.direction === 'outbound' && i.seq > seen && i.author.id !== world.me.id);
        if (theirs?.kind === 'message') return json(409, { error: { code: 'replied_meanwhile', message: 'someone else replied', details: { seq: theirs.seq, author: theirs.author } } });
        const item = message(c.id, String(body.body), 'outbound', world.me.id, 0);
        world.timelines.set(c.id, [...timeline, item]);
        return json(201, { message: item, conversation: touch(c, { lastMessageAt: item.createdAt, preview: item.body, status: 'open', lastMessage: { direction: 'outbound', author: item.author, at: item.createdAt } }) });
      }
    }
    return notFound();
  };
}

type Listener = (payload: never) => void;

/** Stands in for BatonRealtime: "connected" at once; the test pushes server events with `emit`. */
export class FakeRealtime {
  readonly listeners = new Map<string, Set<Listener>>();
  readonly typingCalls: string[] = [];
  /** The kind of each `typingCalls` entry. */
  readonly typingKinds: ('reply' | 'note')[] = [];
  readonly viewingCalls: (string | null)[] = [];
  readyEvent: ReadyEvent;
  presence: PresenceState | null = null;

  constructor(agentId: string) {
    this.readyEvent = { seq: 1000, replayed: 0, resync: false, agentId };
  }
  get connected() {
    return true;
  }
  connect() {
    return Promise.resolve(this.readyEvent);
  }
  on<E extends keyof RealtimeEventMap>(event: E, handler: (payload: RealtimeEventMap[E]) => void) {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(handler as Listener);
    return () => void set.delete(handler as Listener);
  }
  emit<E extends keyof RealtimeEventMap>(event: E, payload: RealtimeEventMap[E]) {
    for (const handler of this.listeners.get(event) ?? []) (handler as (p: RealtimeEventMap[E]) => void)(payload);
  }
  async viewing(conversationId: string | null) {
    this.viewingCalls.push(conversationId);
    return conversationId && this.presence?.conversationId === conversationId ? this.presence : null;
  }
  async typing(conversationId: string, kind: 'reply' | 'note' = 'reply'): Promise<PresenceState> {
    this.typingCalls.push(conversationId);
    this.typingKinds.push(kind);
    return { conversationId, viewing: [], typing: [] };
  }
  close() {}
}

export interface FixtureInbox {
  world: World;
  rest: BatonRestClient;
  realtime: FakeRealtime;
  store: InboxStore;
}

/** A real InboxStore over the fixture server and the fake socket, started and loaded. */
export async function fixtureInbox(options: { world?: World; view?: View; pageSize?: number } = {}): Promise<FixtureInbox> {
  const world = options.world ?? demoWorld();
  const rest = new BatonRestClient({ baseUrl: 'https://baton.test', token: 'fixture-token', fetch: fixtureFetch(world), maxAttempts: 1 });
  const realtime = new FakeRealtime(world.me.id);
  const store = new InboxStore({ rest, realtime: realtime as unknown as BatonRealtime, view: options.view ?? 'all', pageSize: options.pageSize ?? 50 });
  await store.start();
  return { world, rest, realtime, store };
}

/**
 * Resolves when `check` passes, polling each frame; fails after `ms`. A check that throws counts as
 * "not yet" (a part that is not rendered yet, such as the conversation column before the first
 * open); past the deadline the last error is what the failure says.
 */
export async function until(check: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    let failure: unknown;
    try {
      if (check()) return;
    } catch (e) {
      failure = e;
    }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}${failure ? ` (last: ${String(failure)})` : ''}`);
    await new Promise((r) => requestAnimationFrame(r));
  }
}
