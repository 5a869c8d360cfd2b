import assert from 'node:assert/strict';
import { describe, it, test, type TestContext } from 'node:test';
import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { ADMIN_TOKEN, record, roundTrip, TestServer, tempDbFile, type BatonTestSocket, type TestWorkspace } from '../src/testing.js';

/**
 * The realtime contract over real Socket.IO clients: what each agent receives, what they must not,
 * the workspace `seq` on every event, replay after a reconnect (also across a server restart),
 * handshake checks, presence and token expiry.
 */

const EVENTS = [
  'ready',
  'conversation:created',
  'conversation:updated',
  'timeline:added',
  'notification:created',
  'counts:updated',
  'presence:updated',
  'agent:updated',
  'conversation:read',
] as const;
/** Events that come from committed changes (presence is ephemeral and not replayed). */
const CHANGE_EVENTS = new Set(['conversation:created', 'conversation:updated', 'timeline:added', 'notification:created', 'counts:updated', 'agent:updated', 'conversation:read']);

type Recorder = ReturnType<typeof record>;

/** Fails instead of hanging when something that should happen does not (e.g. a missing feature). */
function within<T>(promise: Promise<T>, label: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Emits a client event and resolves with the server's ack. */
function ask(socket: BatonTestSocket, event: 'presence:viewing' | 'presence:typing', conversationId: string | null): Promise<any> {
  return within(new Promise<any>((resolve) => (socket.emit as any)(event, { conversationId }, resolve)), `${event} ack`);
}

interface Live {
  socket: BatonTestSocket;
  rec: Recorder;
  ready: { seq: number; replayed: number; resync: boolean; agentId: string };
}

/**
 * Like `TestServer.connect`, but records from before the handshake, so nothing sent right after
 * `ready` (the first `counts:updated`, replayed events) can slip past the recorder.
 */
async function live(server: TestServer, sockets: BatonTestSocket[], token: string, options: { since?: number; origin?: string } = {}): Promise<Live> {
  const socket: BatonTestSocket = io(server.url, {
    auth: { token, ...(options.since === undefined ? {} : { since: options.since }) },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
  });
  sockets.push(socket);
  const rec = record(socket, [...EVENTS]);
  const ready = await within(
    new Promise<Live['ready']>((resolve, reject) => {
      socket.once('ready', resolve);
      socket.once('connect_error', reject);
    }),
    'ready or connect_error',
  );
  return { socket, rec, ready };
}

async function setup(t: TestContext) {
  const server = await TestServer.start();
  const sockets: BatonTestSocket[] = [];
  t.after(async () => {
    for (const s of sockets) s.disconnect();
    await server.close();
  });
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  return { server, ws, ana, ben, open: (token: string, options?: { since?: number; origin?: string }) => live(server, sockets, token, options) };
}

async function inbound(ws: TestWorkspace, body = 'Hi, my order is late', contactName = 'Dana') {
  const res = await ws.api('POST', '/v1/conversations', { contact: { name: contactName }, channel: 'sms', message: { body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.conversation;
}

/** Waits for a `counts:updated` (already received or yet to come) whose counts equal `expected`. */
function countsNow(rec: Recorder, expected: Record<string, number>) {
  return rec.waitFor('counts:updated', (p) => JSON.stringify(p.counts) === JSON.stringify(expected));
}

/** The next presence:updated (not one already received) that matches. */
function nextPresence(s: Live, predicate: (p: any) => boolean) {
  const before = new Set(s.rec.of('presence:updated'));
  return s.rec.waitFor('presence:updated', (p) => !before.has(p) && predicate(p));
}

const itemIds = (rec: Recorder) => rec.of('timeline:added').map((p) => p.item.id as string);
/** Change events other than the handshake's own (`ready` and the first counts that follow it). */
const liveEvents = (s: Live) => {
  const initialCounts = s.rec.log.find((e) => e.event === 'counts:updated' && e.payload.seq === s.ready.seq);
  return s.rec.log.filter((e) => CHANGE_EVENTS.has(e.event) && e !== initialCounts);
};
const changeSeqs = (rec: Recorder) => rec.log.filter((e) => CHANGE_EVENTS.has(e.event) || e.event === 'ready').map((e) => e.payload.seq as number);

function assertNonDecreasing(seqs: number[], label: string) {
  for (const s of seqs) assert.equal(typeof s, 'number', `${label}: every event has a numeric seq`);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! >= seqs[i - 1]!, `${label}: seq went back from ${seqs[i - 1]} to ${seqs[i]} at ${i}`);
}

const ZERO = { mine: 0, unassigned: 0, mentioned: 0, unread: 0, all: 0, resolved: 0, snoozed: 0 };

test('a connected agent gets conversation, timeline and count events for their workspace, with correct counts', async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const a = await open(ana.token);
  assert.equal(a.ready.agentId, ana.id);
  assert.equal(a.ready.resync, false);
  // The first counts come right after `ready`.
  const initial = await a.rec.waitFor('counts:updated');
  assert.deepEqual(initial.counts, ZERO);
  assert.equal(initial.seq, a.ready.seq);

  // Created by the host with the customer's message.
  const conv = await inbound(ws);
  const created = await a.rec.waitFor('conversation:created', (p) => p.conversation.id === conv.id);
  assert.deepEqual(created.conversation, conv);
  const timeline = (await ana.call('GET', `/v1/conversations/${conv.id}/timeline`)).body.items as any[];
  assert.equal(timeline.length, 2);
  for (const item of timeline) {
    const added = await a.rec.waitFor('timeline:added', (p) => p.item.id === item.id);
    assert.deepEqual(added.item, item);
    assert.equal(added.seq, created.seq, 'all events of one change carry its seq');
    assert.ok(added.seq >= item.seq);
  }
  let counts = await countsNow(a.rec, { ...ZERO, unassigned: 1, unread: 1, all: 1 });
  assert.deepEqual(counts.counts, (await ana.call('GET', '/v1/conversations/counts')).body);
  assert.equal(counts.seq, created.seq);

  // Ben assigns it to Ana.
  const assigned = await ben.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ana.id });
  assert.equal(assigned.status, 200);
  const updated = await a.rec.waitFor('conversation:updated', (p) => p.conversation.id === conv.id && p.conversation.assigneeId === ana.id);
  assert.deepEqual(updated.conversation, assigned.body.conversation);
  assert.ok(updated.seq > created.seq);
  const assignedItem = await a.rec.waitFor('timeline:added', (p) => p.item.type === 'assigned');
  assert.equal(assignedItem.item.data.to, ana.id);
  assert.equal(assignedItem.seq, updated.seq);
  counts = await countsNow(a.rec, { ...ZERO, mine: 1, unread: 1, all: 1 });
  assert.deepEqual(counts.counts, (await ana.call('GET', '/v1/conversations/counts')).body);

  // Ben mentions Ana in a note: a timeline item and her Mentioned count, but no conversation change.
  const note = await ben.call('POST', `/v1/conversations/${conv.id}/notes`, { body: 'over to you @ana' });
  assert.equal(note.status, 201);
  const noteEvent = await a.rec.waitFor('timeline:added', (p) => p.item.id === note.body.note.id);
  assert.equal(noteEvent.item.internal, true);
  assert.deepEqual(noteEvent.item.mentions, [ana.id]);
  await countsNow(a.rec, { ...ZERO, mine: 1, mentioned: 1, unread: 1, all: 1 });

  // Ana reads it, then resolves it.
  assert.equal((await ana.call('POST', `/v1/conversations/${conv.id}/read`)).status, 200);
  await countsNow(a.rec, { ...ZERO, mine: 1, mentioned: 1, all: 1 });
  const resolved = await ana.call('POST', `/v1/conversations/${conv.id}/resolve`);
  assert.equal(resolved.status, 200);
  const resolvedEvent = await a.rec.waitFor('conversation:updated', (p) => p.conversation.status === 'resolved');
  assert.deepEqual(resolvedEvent.conversation, resolved.body.conversation);
  counts = await countsNow(a.rec, { ...ZERO, resolved: 1 });
  assert.deepEqual(counts.counts, (await ana.call('GET', '/v1/conversations/counts')).body);

  // Counts are per agent: Ben's socket gets his own numbers.
  const b = await open(ben.token);
  const benInitial = await b.rec.waitFor('counts:updated');
  assert.deepEqual(benInitial.counts, (await ben.call('GET', '/v1/conversations/counts')).body);
  await inbound(ws, 'another', 'Eve');
  await countsNow(b.rec, { ...ZERO, unassigned: 1, unread: 1, all: 1, resolved: 1 });
  await countsNow(a.rec, { ...ZERO, unassigned: 1, unread: 1, all: 1, resolved: 1 });
  await server.settle();
});

test('notification:created goes only to the new assignee, and to nobody on self-assignment', async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const cara = await ws.addAgent('cara');
  const [a, b, c] = await Promise.all([open(ana.token), open(ben.token), open(cara.token)]);
  const c1 = await inbound(ws, 'first', 'Gina');
  const c2 = await inbound(ws, 'second', 'Hal');

  // Ana assigns Ben: Ben is notified, the assigner and the bystander are not.
  assert.equal((await ana.call('POST', `/v1/conversations/${c1.id}/assign`, { assigneeId: ben.id })).status, 200);
  const got = await b.rec.waitFor('notification:created');
  assert.equal(got.notification.type, 'assigned');
  assert.equal(got.notification.agentId, ben.id);
  assert.equal(got.notification.conversationId, c1.id);
  assert.deepEqual(got.notification.actor, { type: 'agent', id: ana.id });
  assert.equal(typeof got.seq, 'number');
  const stored = (await ben.call('GET', '/v1/notifications')).body.items;
  assert.deepEqual(stored, [got.notification]);
  await server.settle();
  await Promise.all([roundTrip(a.socket), roundTrip(b.socket), roundTrip(c.socket)]);
  assert.deepEqual(a.rec.of('notification:created'), []);
  assert.deepEqual(c.rec.of('notification:created'), []);
  // Everybody saw the assignment itself.
  for (const s of [a, b, c]) assert.ok(s.rec.of('conversation:updated').some((p) => p.conversation.id === c1.id && p.conversation.assigneeId === ben.id));

  // Ben assigns himself: nobody is notified.
  assert.equal((await ben.call('POST', `/v1/conversations/${c2.id}/assign`, { assigneeId: ben.id })).status, 200);
  await b.rec.waitFor('conversation:updated', (p) => p.conversation.id === c2.id && p.conversation.assigneeId === ben.id);
  await server.settle();
  await Promise.all([roundTrip(a.socket), roundTrip(b.socket), roundTrip(c.socket)]);
  assert.equal(b.rec.of('notification:created').length, 1);
  assert.deepEqual(a.rec.of('notification:created'), []);
  assert.deepEqual(c.rec.of('notification:created'), []);

  // The host assigns Cara: only Cara hears of it.
  assert.equal((await ws.api('POST', `/v1/conversations/${c2.id}/assign`, { assigneeId: cara.id })).status, 200);
  const toCara = await c.rec.waitFor('notification:created');
  assert.equal(toCara.notification.agentId, cara.id);
  assert.deepEqual(toCara.notification.actor, { type: 'api', id: null });
  await server.settle();
  await Promise.all([roundTrip(a.socket), roundTrip(b.socket), roundTrip(c.socket)]);
  assert.equal(b.rec.of('notification:created').length, 1);
  assert.deepEqual(a.rec.of('notification:created'), []);
  assert.equal(c.rec.of('notification:created').length, 1);
});

test("a mention's notification carries its note, cut around each reader's own @username", async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const cara = await ws.addAgent('cara');
  const [b, c] = await Promise.all([open(ben.token), open(cara.token)]);
  const conv = await inbound(ws, 'my order never came', 'Gina');
  const context = 'The customer says the parcel went to their old address, and the carrier shows it delivered on Monday afternoon to a neighbour. ';
  const body = `@cara please check the carrier. ${context.repeat(2)}@ben can you approve a refund?`;
  const posted = await ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body });
  assert.equal(posted.status, 201);
  const noteId = posted.body.note.id;

  const toBen = (await b.rec.waitFor('notification:created')).notification;
  const toCara = (await c.rec.waitFor('notification:created')).notification;
  // Ben is asked at the end of a long note: his excerpt reaches his mention, Cara's starts at hers.
  assert.equal(toBen.note.id, noteId);
  assert.ok(toBen.note.excerpt.startsWith('…') && toBen.note.excerpt.endsWith('@ben can you approve a refund?'), toBen.note.excerpt);
  assert.ok(toBen.note.excerpt.length <= 140);
  assert.equal(toCara.note.id, noteId);
  assert.ok(toCara.note.excerpt.startsWith('@cara please check the carrier.') && toCara.note.excerpt.endsWith('…'), toCara.note.excerpt);
  assert.ok(toCara.note.excerpt.length <= 140);
  // The list says the same as the socket did.
  assert.deepEqual((await ben.call('GET', '/v1/notifications')).body.items, [toBen]);
  assert.deepEqual((await cara.call('GET', '/v1/notifications')).body.items, [toCara]);

  // Other notifications carry no note.
  assert.equal((await ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id })).status, 200);
  const assigned = (await b.rec.waitFor('notification:created', (p) => p.notification.type === 'assigned')).notification;
  assert.equal('note' in assigned, false);
  const listed = (await ben.call('GET', '/v1/notifications')).body.items;
  assert.deepEqual(listed.map((n: any) => [n.type, n.note?.id ?? null]).sort(), [['assigned', null], ['mentioned', noteId]]);
  await server.settle();
});

test("events never cross workspaces: another workspace's agent receives nothing", async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const other = await server.createWorkspace('Other');
  const zoe = await other.addAgent('zoe');
  const z = await open(zoe.token);
  const a = await open(ana.token);
  await z.rec.waitFor('counts:updated');

  const conv = await inbound(ws);
  assert.equal((await ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id })).status, 200);
  assert.equal((await ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: '@ben look' })).status, 201);
  assert.equal((await ben.call('POST', `/v1/conversations/${conv.id}/messages`, { direction: 'outbound', body: 'hello' })).status, 201);
  assert.equal((await ben.call('POST', `/v1/conversations/${conv.id}/resolve`)).status, 200);
  await ws.addAgent('cara');
  // Zoe tries to view that conversation (refused); Ana views it, which Zoe must not hear of.
  assert.equal((await ask(z.socket, 'presence:viewing', conv.id)).ok, false);
  assert.equal((await ask(a.socket, 'presence:viewing', conv.id)).ok, true);

  await server.settle();
  // The presence broadcast goes out once the workspace's seq is read, a promise nothing awaits
  // (realtime/presence-handlers.ts; a query when the fan-out has not cached the seq), so a round
  // trip alone can beat it (it did, on PostgreSQL): Ana's copy arriving shows it was sent, and
  // Zoe's round trip comes after it.
  await a.rec.waitFor('presence:updated');
  await Promise.all([roundTrip(a.socket), roundTrip(z.socket)]);
  // Ana saw all of it, so there was something to leak.
  assert.ok(a.rec.of('conversation:created').length === 1);
  assert.ok(a.rec.of('timeline:added').length >= 6);
  assert.ok(a.rec.of('agent:updated').some((p) => p.agent.username === 'cara'));
  // Zoe saw only her own handshake.
  const zoeEvents = z.rec.log.filter((e) => e.event !== 'ready').map((e) => e.event);
  assert.deepEqual(zoeEvents, ['counts:updated']);
  assert.deepEqual(z.rec.of('counts:updated')[0].counts, ZERO);
});

test('every event carries a seq and seqs never go back', async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const a = await open(ana.token);
  const b = await open(ben.token);
  const c1 = await inbound(ws, 'one', 'A');
  const c2 = await inbound(ws, 'two', 'B');
  await ana.call('POST', `/v1/conversations/${c1.id}/assign`, { assigneeId: ben.id });
  await ben.call('POST', `/v1/conversations/${c1.id}/messages`, { direction: 'outbound', body: 'hi' });
  await ben.call('POST', `/v1/conversations/${c2.id}/notes`, { body: '@ana yours?' });
  await ana.call('POST', `/v1/conversations/${c2.id}/read`);
  await ws.api('POST', `/v1/conversations/${c2.id}/messages`, { direction: 'inbound', body: 'hello?' });
  await ana.call('POST', `/v1/conversations/${c2.id}/assign`, { assigneeId: ana.id });
  await ben.call('POST', `/v1/conversations/${c1.id}/resolve`);
  await ws.addAgent('cara');
  await server.settle();
  await Promise.all([roundTrip(a.socket), roundTrip(b.socket)]);

  for (const s of [a, b]) {
    const seqs = changeSeqs(s.rec);
    assert.ok(seqs.length > 15, `expected many events, got ${seqs.length}`);
    assertNonDecreasing(seqs, s.ready.agentId);
    // Every change made after the handshake is newer than it.
    for (const e of liveEvents(s)) assert.ok(e.payload.seq > s.ready.seq, `${e.event} seq ${e.payload.seq} after ready ${s.ready.seq}`);
  }
  // Different changes have different seqs; one change's events share its seq.
  const bySeq = new Map<number, Set<string>>();
  for (const p of a.rec.of('timeline:added')) bySeq.set(p.seq, (bySeq.get(p.seq) ?? new Set()).add(p.item.conversationId));
  for (const convs of bySeq.values()) assert.equal(convs.size, 1, 'one seq, one change');
  assert.ok(bySeq.size >= 8);
});

test('reconnecting with since replays exactly the missed changes: no gaps, no duplicates', async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const always = await open(ana.token);
  const first = await open(ben.token);

  // Seen live by both.
  const c1 = await inbound(ws, 'one', 'A');
  await ana.call('POST', `/v1/conversations/${c1.id}/assign`, { assigneeId: ben.id });
  const n1 = await ana.call('POST', `/v1/conversations/${c1.id}/notes`, { body: 'first note' });
  await first.rec.waitFor('timeline:added', (p) => p.item.id === n1.body.note.id);
  await server.settle();
  await roundTrip(first.socket);
  const since = Math.max(...changeSeqs(first.rec));
  const disconnected = new Promise((resolve) => first.socket.once('disconnect', resolve));
  first.socket.disconnect();
  await within(disconnected, 'disconnect');

  // Missed by Ben.
  await ws.api('POST', `/v1/conversations/${c1.id}/messages`, { direction: 'inbound', body: 'are you there?' });
  const c2 = await inbound(ws, 'two', 'B');
  await ana.call('POST', `/v1/conversations/${c2.id}/assign`, { assigneeId: ben.id });
  await ana.call('POST', `/v1/conversations/${c1.id}/notes`, { body: '@ben ping' });
  await ana.call('POST', `/v1/conversations/${c1.id}/resolve`);
  await ana.call('POST', `/v1/conversations/${c2.id}/messages`, { direction: 'outbound', body: 'hello B' });

  // Reconnect right away (no settle): replay and live fan-out must meet without a gap.
  const second = await open(ben.token, { since });
  assert.equal(second.ready.resync, false);
  assert.ok(second.ready.replayed > 0, 'something was replayed');
  // Live again.
  await ws.api('POST', `/v1/conversations/${c1.id}/messages`, { direction: 'inbound', body: 'back again' });
  const last = await ben.call('POST', `/v1/conversations/${c2.id}/notes`, { body: 'last one' });
  await second.rec.waitFor('timeline:added', (p) => p.item.id === last.body.note.id);
  await server.settle();
  await Promise.all([roundTrip(always.socket), roundTrip(second.socket)]);

  const alwaysIds = itemIds(always.rec);
  const benIds = [...itemIds(first.rec), ...itemIds(second.rec)];
  assert.equal(new Set(alwaysIds).size, alwaysIds.length, 'the connected socket saw an item twice');
  assert.equal(new Set(benIds).size, benIds.length, 'replay repeated an item');
  assert.deepEqual([...benIds].sort(), [...alwaysIds].sort());
  // ...and that is the whole timeline of both conversations.
  const rest: string[] = [];
  for (const c of [c1, c2]) rest.push(...(await ana.call('GET', `/v1/conversations/${c.id}/timeline`)).body.items.map((i: any) => i.id));
  assert.deepEqual([...alwaysIds].sort(), rest.sort());
  // The replayed part is what the first socket had not seen, in order.
  for (const p of second.rec.of('timeline:added')) assert.ok(p.seq > since);
  // Replayed events, then live ones, in seq order. `ready` is left out: it carries the workspace's
  // current seq, which can be ahead of changes committed during the handshake and delivered after it.
  assertNonDecreasing(liveEvents(second).map((e) => e.payload.seq), 'after reconnect');
  for (const e of liveEvents(second)) assert.ok(e.payload.seq > since, `${e.event} ${e.payload.seq} was already seen`);
  // Conversations and notifications too: c2's creation and both of Ben's notifications, once each.
  assert.deepEqual(second.rec.of('conversation:created').map((p) => p.conversation.id), [c2.id]);
  const benNotes = [...first.rec.of('notification:created'), ...second.rec.of('notification:created')].map((p) => p.notification.id);
  const stored = (await ben.call('GET', '/v1/notifications')).body.items.map((n: any) => n.id);
  assert.equal(new Set(benNotes).size, benNotes.length);
  assert.deepEqual([...benNotes].sort(), [...stored].sort());
  // Assigned c1 (live), assigned c2 and mentioned (replayed), reopened by 'back again' (live).
  assert.deepEqual(
    (await ben.call('GET', '/v1/notifications')).body.items.map((n: any) => n.type).sort(),
    ['assigned', 'assigned', 'mentioned', 'reopened'],
  );
  assert.deepEqual(second.rec.of('notification:created').map((p) => p.notification.type), ['assigned', 'mentioned', 'reopened']);
  // Ana's notifications never reached Ben's sockets.
  for (const p of [...first.rec.of('notification:created'), ...second.rec.of('notification:created')]) assert.equal(p.notification.agentId, ben.id);
});

test('reconnecting while changes are being committed still gets each change exactly once', async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const always = await open(ana.token);
  const conv = await inbound(ws);
  // Ben's first socket must connect after the conversation's first two items were broadcast, as
  // the last assertion says. Committed is not enough: a socket without `since` gets every change
  // broadcast after it joins, so items the relay had not yet fanned out would reach it live (and
  // rightly: they lie after its `ready.seq`). On PostgreSQL under a loaded CI machine they did.
  await server.settle();
  const sessions: Live[] = [];
  let since = 0;
  const PER_ROUND = 12;
  /** A stream of commits, one after another, long enough to overlap the handshake. */
  const burst = async (round: number) => {
    const results = [];
    for (let i = 0; i < PER_ROUND; i++) {
      results.push(
        i % 4 === 3
          ? await ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: `note ${round}.${i}` })
          : await ws.api('POST', `/v1/conversations/${conv.id}/messages`, { direction: 'inbound', body: `message ${round}.${i}` }),
      );
    }
    return results;
  };
  for (let round = 0; round < 6; round++) {
    // Round 0 connects before anything happens; later rounds reconnect with `since` while a burst
    // of commits races the handshake, so some land before the replay's snapshot, some during it
    // and some after: each must arrive exactly once, by replay or live.
    const [session, results] =
      round === 0 ? [await open(ben.token), await burst(round)] : await Promise.all([open(ben.token, { since }), burst(round)]);
    for (const r of results) assert.equal(r.status, 201);
    sessions.push(session);
    await server.settle();
    await roundTrip(session.socket);
    since = Math.max(since, ...liveEvents(session).map((e) => e.payload.seq));
    const closed = new Promise((resolve) => session.socket.once('disconnect', resolve));
    session.socket.disconnect();
    await within(closed, 'disconnect');
  }
  await server.settle();
  await roundTrip(always.socket);

  const timeline = (await ana.call('GET', `/v1/conversations/${conv.id}/timeline?limit=500`)).body.items;
  const rest = timeline.map((i: any) => i.id as string);
  assert.equal(rest.length, 2 + 6 * PER_ROUND);
  const alwaysIds = itemIds(always.rec);
  assert.deepEqual([...alwaysIds].sort(), [...rest].sort());
  // Ben connected after the conversation's first two items were broadcast: he has everything since.
  assert.ok(sessions[0]!.ready.seq >= timeline[1].seq, `round 0's ready.seq ${sessions[0]!.ready.seq} is before the conversation's first items`);
  const benIds = sessions.flatMap((s) => itemIds(s.rec));
  assert.equal(new Set(benIds).size, benIds.length, 'an item arrived twice');
  assert.deepEqual([...benIds].sort(), rest.slice(2).sort());
});

test('replay survives a server restart on the same database file', async (t) => {
  const file = tempDbFile(t, 'realtime');
  const sockets: BatonTestSocket[] = [];
  let server: TestServer | null = await TestServer.start({ db: file });
  t.after(async () => {
    for (const s of sockets) s.disconnect();
    await server?.close();
  });
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  /** Calls the current server (the workspace helpers are bound to the first one). */
  const call = (token: string, method: string, path: string, body?: unknown) => server!.request(method, path, { token, body });

  const first = await live(server!, sockets, ana.token);
  const c1 = (await call(ws.apiKey, 'POST', '/v1/conversations', { contact: { name: 'A' }, channel: 'sms', message: { body: 'one' } })).body.conversation;
  await first.rec.waitFor('conversation:created', (p) => p.conversation.id === c1.id);
  await server.settle();
  await roundTrip(first.socket);
  const since = Math.max(...changeSeqs(first.rec));
  const seenBefore = new Set(itemIds(first.rec));
  first.socket.disconnect();

  // Committed while Ana is away, before the restart.
  assert.equal((await call(ben.token, 'POST', `/v1/conversations/${c1.id}/notes`, { body: '@ana before restart' })).status, 201);
  assert.equal((await call(ws.apiKey, 'POST', `/v1/conversations/${c1.id}/messages`, { direction: 'inbound', body: 'still waiting' })).status, 201);
  await server.close();

  server = await TestServer.start({ db: file });
  // ...and after it.
  const c2 = (await call(ws.apiKey, 'POST', '/v1/conversations', { contact: { name: 'B' }, channel: 'email', message: { body: 'two' } })).body.conversation;
  assert.ok(c2?.id);
  assert.equal((await call(ben.token, 'POST', `/v1/conversations/${c2.id}/assign`, { assigneeId: ana.id })).status, 200);

  const second = await live(server!, sockets, ana.token, { since });
  assert.equal(second.ready.resync, false);
  // At least the two changes made before the restart come from the database, not a live relay.
  assert.ok(second.ready.replayed >= 2, `replayed ${second.ready.replayed}`);
  await server.settle();
  await roundTrip(second.socket);

  // Everything committed after `since`, from either process, exactly once; nothing from before.
  const expected: string[] = [];
  for (const c of [c1, c2]) {
    const items = (await call(ana.token, 'GET', `/v1/conversations/${c.id}/timeline`)).body.items as any[];
    expected.push(...items.filter((i) => !seenBefore.has(i.id)).map((i) => i.id));
  }
  const got = itemIds(second.rec);
  assert.equal(new Set(got).size, got.length, 'an item came twice');
  assert.deepEqual([...got].sort(), expected.sort());
  assert.ok(expected.length >= 5);
  for (const id of got) assert.ok(!seenBefore.has(id));
  assert.deepEqual(second.rec.of('conversation:created').map((p) => p.conversation.id), [c2.id]);
  const types = second.rec.of('notification:created').map((p) => p.notification.type).sort();
  assert.deepEqual(types, ['assigned', 'mentioned']);
  assertNonDecreasing(liveEvents(second).map((e) => e.payload.seq), 'replay after restart');
  for (const e of liveEvents(second)) assert.ok(e.payload.seq > since);
  const last = second.rec.of('conversation:updated').at(-1);
  assert.equal(last.conversation.id, c2.id);
  assert.equal(last.conversation.assigneeId, ana.id);
});

test('the handshake refuses bad, expired, forged and non-agent credentials', async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const expectRefused = async (token: string, label: string) => {
    await assert.rejects(server.connect(token), (err: Error) => {
      assert.equal(err.message, 'unauthorized', label);
      return true;
    }, label);
  };

  // The real token works (so the refusals below are about the credential).
  const ok = await server.connect(ana.token);
  assert.equal(ok.ready.agentId, ana.id);

  await expectRefused('not-a-token', 'garbage');
  await expectRefused('', 'empty');
  await expectRefused(ws.apiKey, 'API key');
  await expectRefused(ADMIN_TOKEN, 'admin token');

  // Tampered payload: Ana's signature over a claim that she is someone else.
  const [header, payload, signature] = ana.token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  const tampered = Buffer.from(JSON.stringify({ ...claims, sub: ben.id })).toString('base64url');
  await expectRefused(`${header}.${tampered}.${signature}`, 'tampered');

  const key = ws.signingKeys[0]!;
  const now = Math.floor(server.clock!.now() / 1000);
  const sign = (secret: string, kid: string, wsId: string, extra: (j: SignJWT) => SignJWT = (j) => j) =>
    extra(
      new SignJWT({ ws: wsId, role: 'agent' })
        .setProtectedHeader({ alg: 'HS256', kid })
        .setSubject(ana.id)
        .setAudience('baton')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(`j-${Math.random()}`),
    ).sign(new TextEncoder().encode(secret));
  // A self-signed token with the right key is accepted (so the forgeries fail for their flaw).
  const selfSigned = await server.connect(await sign(key.secret, key.kid, ws.id));
  assert.equal(selfSigned.ready.agentId, ana.id);
  await expectRefused(await sign('a-guessed-secret-that-is-long-enough', key.kid, ws.id), 'wrong secret');
  await expectRefused(await sign(key.secret, 'kid_unknown', ws.id), 'unknown kid');
  await expectRefused(await sign(key.secret, key.kid, ws.id, (j) => j.setAudience('other')), 'wrong audience');
  const other = await server.createWorkspace('Other');
  const otherKey = other.signingKeys[0]!;
  await expectRefused(await sign(otherKey.secret, otherKey.kid, ws.id), "another workspace's key");
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: key.kid })).toString('base64url')}.${payload}.`;
  await expectRefused(unsigned, 'alg none');

  // Expired: a 60 s token works until the clock passes its exp.
  const minted = await ws.api('POST', '/v1/tokens', { agentId: ana.id, ttlSeconds: 60 });
  assert.equal(minted.status, 201);
  const short = minted.body.token as string;
  const before = await open(short);
  assert.equal(before.ready.agentId, ana.id);
  before.socket.disconnect();
  server.clock!.advance(10 * 60 * 1000);
  await expectRefused(short, 'expired');
});

test('a `since` that is no seq is refused as a bad request saying so, not as a failed token', async (t) => {
  const { server, ana } = await setup(t);
  for (const since of [-1, 1.5, '5', null]) {
    await assert.rejects(server.connect(ana.token, { since: since as number }), (err: Error & { data?: { code: string; message: string } }) => {
      assert.equal(err.message, 'bad request', String(since));
      assert.equal(err.data?.code, 'bad_request');
      assert.match(err.data?.message ?? '', /^auth\.since: /);
      return true;
    });
  }
  // A token that fails is said first, whatever else is wrong.
  await assert.rejects(server.connect('not-a-token', { since: -1 }), (err: Error) => err.message === 'unauthorized');
  assert.equal((await server.connect(ana.token, { since: 0 })).ready.agentId, ana.id);
});

test('the Origin header must be one the workspace allows', async (t) => {
  const { server, ana, open } = await setup(t);
  const created = await server.request('POST', '/v1/workspaces', {
    token: ADMIN_TOKEN,
    body: { name: 'Embedded', allowedOrigins: ['https://crm.example.com'] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body.workspace.allowedOrigins, ['https://crm.example.com']);
  const apiKey = created.body.apiKey as string;
  const agent = await server.request('POST', '/v1/agents', { token: apiKey, body: { name: 'Ivy', username: 'ivy' } });
  assert.equal(agent.status, 201);
  const token = (await server.request('POST', '/v1/tokens', { token: apiKey, body: { agentId: agent.body.agent.id } })).body.token as string;

  const allowed = await open(token, { origin: 'https://crm.example.com' });
  assert.equal(allowed.ready.agentId, agent.body.agent.id);
  for (const origin of ['https://evil.example.com', 'http://crm.example.com', 'https://crm.example.com.evil.net', 'null']) {
    await assert.rejects(open(token, { origin }), (err: Error) => {
      assert.equal(err.message, 'origin not allowed', origin);
      return true;
    });
  }
  // A workspace that lists no origins accepts no browser origin.
  await assert.rejects(open(ana.token, { origin: 'https://crm.example.com' }), /origin not allowed/);
  // Server-side clients send no Origin at all.
  const serverSide = await open(ana.token);
  assert.equal(serverSide.ready.agentId, ana.id);
});

test('PATCH /v1/workspace replaces the allowed origins: the next handshake reads them; a bad list changes nothing', async (t) => {
  const { server, ws, ana, open } = await setup(t);
  const admin = await ws.addAgent('ada', { role: 'admin' });
  const origins = async () => (await ws.api('GET', '/v1/workspace')).body.workspace.allowedOrigins;
  await assert.rejects(open(ana.token, { origin: 'https://crm.example.com' }), /origin not allowed/);

  // Kept as origins, once each, as browsers send them.
  const patched = await ws.api('PATCH', '/v1/workspace', { allowedOrigins: ['https://crm.example.com/inbox?tab=1', 'https://crm.example.com', 'http://localhost:5173/'] });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(patched.body.workspace.allowedOrigins, ['https://crm.example.com', 'http://localhost:5173']);
  assert.equal((await open(ana.token, { origin: 'https://crm.example.com' })).ready.agentId, ana.id);
  assert.equal((await open(ana.token, { origin: 'http://localhost:5173' })).ready.agentId, ana.id);

  // An admin agent may change it too; a plain agent may not.
  assert.equal((await ana.call('PATCH', '/v1/workspace', { allowedOrigins: [] })).status, 403);
  assert.equal((await admin.call('PATCH', '/v1/workspace', { allowedOrigins: ['https://new.example.com'] })).status, 200);
  await assert.rejects(open(ana.token, { origin: 'https://crm.example.com' }), /origin not allowed/);
  assert.equal((await open(ana.token, { origin: 'https://new.example.com' })).ready.agentId, ana.id);

  for (const bad of [['javascript:alert(1)'], ['data:text/html,hi'], ['ftp://files.example.com'], ['crm.example.com'], ['*'], 'https://x.com', Array.from({ length: 51 }, (_, i) => `https://s${i}.example.com`)]) {
    const res = await ws.api('PATCH', '/v1/workspace', { allowedOrigins: bad });
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.equal(res.body.error.code, 'validation_failed');
    assert.deepEqual(await origins(), ['https://new.example.com']);
  }
  // The workspace's own setting only: another workspace's list is untouched.
  const other = await server.createWorkspace('Other');
  assert.deepEqual((await other.api('GET', '/v1/workspace')).body.workspace.allowedOrigins, []);
});

test("typing ends as soon as the typist's reply or note is sent, not 6 s later", async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const conv = await inbound(ws);
  const [a, b] = await Promise.all([open(ana.token), open(ben.token)]);
  for (const s of [a, b]) await ask(s.socket, 'presence:viewing', conv.id);
  for (const [send, what] of [
    [() => ana.call('POST', `/v1/conversations/${conv.id}/messages`, { direction: 'outbound', body: 'On it' }), 'reply'],
    [() => ana.call('POST', `/v1/conversations/${conv.id}/notes`, { body: 'checked the order' }), 'note'],
  ] as const) {
    const typing = nextPresence(b, (p) => p.presence.typing.includes(ana.id));
    await ask(a.socket, 'presence:typing', conv.id);
    await typing;
    const stopped = nextPresence(b, (p) => p.presence.typing.length === 0);
    assert.equal((await send()).status, 201);
    await server.settle();
    // No clock moved: the send itself ended it.
    assert.deepEqual((await within(stopped, `typing ended by the ${what}`)).presence.viewing, [ana.id, ben.id].sort());
  }
});

test('presence: viewing and typing reach the other viewers, typing lapses after 6 s, other workspaces are refused', async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const cara = await ws.addAgent('cara');
  const conv = await inbound(ws);
  const conv2 = await inbound(ws, 'another one', 'Eve');
  const other = await server.createWorkspace('Other');
  const zoe = await other.addAgent('zoe');
  const [a, b, c, z] = await Promise.all([open(ana.token), open(ben.token), open(cara.token), open(zoe.token)]);
  const emit = (s: Live, event: 'presence:viewing' | 'presence:typing', conversationId: string | null) => ask(s.socket, event, conversationId);
  const sorted = (ids: string[]) => [...ids].sort();

  let ack = await emit(a, 'presence:viewing', conv.id);
  assert.equal(ack.ok, true);
  assert.deepEqual(ack.data, { conversationId: conv.id, viewing: [ana.id], typing: [] });

  const anaSeesBen = nextPresence(a, (p) => p.presence.viewing.includes(ben.id));
  ack = await emit(b, 'presence:viewing', conv.id);
  assert.equal(ack.ok, true);
  assert.deepEqual(ack.data.viewing, sorted([ana.id, ben.id]));
  const seen = await anaSeesBen;
  assert.equal(typeof seen.seq, 'number');
  assert.deepEqual(seen.presence, { conversationId: conv.id, viewing: sorted([ana.id, ben.id]), typing: [] });

  // Ben types: Ana sees it.
  const anaSeesTyping = nextPresence(a, (p) => p.presence.typing.includes(ben.id));
  ack = await emit(b, 'presence:typing', conv.id);
  assert.equal(ack.ok, true);
  assert.deepEqual(ack.data.typing, [ben.id]);
  assert.deepEqual((await anaSeesTyping).presence.viewing, sorted([ana.id, ben.id]));

  // Typing without viewing is refused; Cara, who is not viewing, hears nothing of the others.
  ack = await emit(c, 'presence:typing', conv.id);
  assert.equal(ack.ok, false);
  await roundTrip(c.socket);

  // Still typing just before 6 s...
  server.clock!.advance(5999);
  ack = await emit(a, 'presence:viewing', conv.id);
  assert.deepEqual(ack.data.typing, [ben.id]);
  // ...and not at 6 s: the lapse is pushed to the viewers.
  const lapsed = nextPresence(a, (p) => p.presence.typing.length === 0);
  server.clock!.advance(1);
  assert.deepEqual((await lapsed).presence, { conversationId: conv.id, viewing: sorted([ana.id, ben.id]), typing: [] });

  // Another workspace's agent cannot view this conversation.
  ack = await emit(z, 'presence:viewing', conv.id);
  assert.equal(ack.ok, false);
  assert.equal(ack.error.code, 'not_found');
  ack = await emit(z, 'presence:typing', conv.id);
  assert.equal(ack.ok, false);

  // Ben opens another conversation: he is no longer shown on this one; then he comes back.
  const benSwitched = nextPresence(a, (p) => !p.presence.viewing.includes(ben.id));
  ack = await emit(b, 'presence:viewing', conv2.id);
  assert.equal(ack.ok, true);
  assert.deepEqual(ack.data, { conversationId: conv2.id, viewing: [ben.id], typing: [] });
  assert.deepEqual((await benSwitched).presence, { conversationId: conv.id, viewing: [ana.id], typing: [] });
  const benBack = nextPresence(a, (p) => p.presence.viewing.includes(ben.id));
  assert.equal((await emit(b, 'presence:viewing', conv.id)).ok, true);
  await benBack;

  // Ben leaves: Ana sees him go.
  const benGone = nextPresence(a, (p) => !p.presence.viewing.includes(ben.id));
  b.socket.disconnect();
  assert.deepEqual((await benGone).presence.viewing, [ana.id]);

  await Promise.all([roundTrip(a.socket), roundTrip(c.socket), roundTrip(z.socket)]);
  assert.deepEqual(c.rec.of('presence:updated'), [], 'an agent not viewing gets no presence');
  assert.deepEqual(z.rec.of('presence:updated'), []);
  for (const p of a.rec.of('presence:updated')) {
    assert.ok(!p.presence.viewing.includes(zoe.id), 'zoe never shows up as viewing');
    assert.ok(!p.presence.viewing.includes(cara.id), 'cara never shows up as viewing');
  }
});

test('the socket is disconnected when its token expires', async (t) => {
  const { server, ws, ana, open } = await setup(t);
  const minted = await ws.api('POST', '/v1/tokens', { agentId: ana.id, ttlSeconds: 60 });
  assert.equal(minted.status, 201);
  const s = await open(minted.body.token);
  const long = await open(ana.token); // an hour-long token on another socket
  const reasons: string[] = [];
  s.socket.on('disconnect', (reason) => reasons.push(reason));
  const gone = new Promise<string>((resolve) => s.socket.once('disconnect', resolve));

  server.clock!.advance(58_000);
  await roundTrip(s.socket);
  assert.equal(s.socket.connected, true, 'still connected before exp');
  assert.deepEqual(reasons, []);

  server.clock!.advance(2_000);
  assert.equal(await within(gone, 'the server to disconnect the expired socket'), 'io server disconnect');
  // Only that socket: the one with a longer token stays.
  await roundTrip(long.socket);
  assert.equal(long.socket.connected, true);
});

test('session:refresh: a fresh token for the same agent keeps the socket past the old expiry, without a reconnect; anything else changes nothing', async (t) => {
  const { server, ws, ana, ben, open } = await setup(t);
  const mint = async (agentId: string, ttlSeconds: number) => (await ws.api('POST', '/v1/tokens', { agentId, ttlSeconds })).body.token as string;
  const s = await open(await mint(ana.id, 60));
  const reasons: string[] = [];
  s.socket.on('disconnect', (reason) => reasons.push(reason));
  const closes: any[] = [];
  (s.socket.on as any)('session:closed', (e: unknown) => closes.push(e));
  const refresh = (body: unknown) => within(new Promise<any>((resolve) => (s.socket.emit as any)('session:refresh', body, resolve)), 'session:refresh ack');

  // Refused, each leaving the session as it was: no token, someone else's, another workspace's, not a token.
  const other = await server.createWorkspace('Other');
  const zoe = await other.addAgent('zoe');
  for (const [body, code] of [
    [{}, 'validation_failed'],
    [{ token: ben.token }, 'unauthorized'],
    [{ token: zoe.token }, 'unauthorized'],
    [{ token: 'not-a-token' }, 'unauthorized'],
    [{ token: ws.apiKey }, 'unauthorized'],
    [{ token: ana.token, extra: 1 }, 'validation_failed'],
  ] as const) {
    const answer = await refresh(body);
    assert.equal(answer.ok, false, JSON.stringify(body));
    assert.equal(answer.error.code, code, JSON.stringify(body));
  }

  server.clock!.advance(50_000);
  const fresh = await mint(ana.id, 600);
  const answer = await refresh({ token: fresh });
  assert.equal(answer.ok, true, JSON.stringify(answer));
  assert.equal(Date.parse(answer.data.expiresAt), Math.floor(server.clock!.now() / 1000) * 1000 + 600_000);
  // Past the first token's expiry: still the same socket, nothing replayed, nothing closed.
  server.clock!.advance(20_000);
  await roundTrip(s.socket);
  assert.equal(s.socket.connected, true);
  assert.deepEqual(reasons, []);
  assert.deepEqual(closes, []);
  // A late retry with an older token never shortens the session.
  assert.equal((await refresh({ token: await mint(ana.id, 60) })).data.expiresAt, answer.data.expiresAt);

  // The new token's expiry ends it, as any expiry does.
  const gone = new Promise<string>((resolve) => s.socket.once('disconnect', resolve));
  server.clock!.advance(600_000);
  assert.equal(await within(gone, 'the server to disconnect at the new expiry'), 'io server disconnect');
  assert.deepEqual((closes as { reason: string }[]).map((c) => c.reason), ['token_expired']);
});

test("session:refresh checks the page's origin against the workspace's list as it is now", async (t) => {
  const { server, open } = await setup(t);
  const created = await server.request('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { name: 'Embedded', allowedOrigins: ['https://crm.example.com'] } });
  const apiKey = created.body.apiKey as string;
  const agent = (await server.request('POST', '/v1/agents', { token: apiKey, body: { name: 'Ivy', username: 'ivy' } })).body.agent;
  const token = async () => (await server.request('POST', '/v1/tokens', { token: apiKey, body: { agentId: agent.id } })).body.token as string;
  const s = await open(await token(), { origin: 'https://crm.example.com' });
  const refresh = async () => {
    const fresh = await token();
    return within(new Promise<any>((resolve) => (s.socket.emit as any)('session:refresh', { token: fresh }, resolve)), 'ack');
  };
  assert.equal((await refresh()).ok, true);
  await server.request('PATCH', '/v1/workspace', { token: apiKey, body: { allowedOrigins: ['https://other.example.com'] } });
  const refused = await refresh();
  assert.deepEqual([refused.ok, refused.error?.code, refused.error?.message], [false, 'forbidden', 'origin not allowed']);
});

describe('read marks', () => {
  it('reach only the reader, in every tab, and list rows carry them', async (t) => {
    const { server, ws, ana, ben, open } = await setup(t);
    const conversation = await inbound(ws);
    const anaTab1 = await open(ana.token);
    const anaTab2 = await open(ana.token);
    const benTab = await open(ben.token);

    const before = await ana.call('GET', '/v1/conversations?view=all');
    const row = before.body.items.find((c: any) => c.id === conversation.id);
    assert.equal(row.readSeq, null);
    assert.ok(row.lastInboundSeq > 0);

    const read = await ana.call('POST', `/v1/conversations/${conversation.id}/read`);
    assert.equal(read.status, 200);
    for (const tab of [anaTab1, anaTab2]) {
      const e = await tab.rec.waitFor('conversation:read', (p) => p.conversationId === conversation.id);
      assert.equal(e.lastReadSeq, read.body.lastReadSeq);
    }
    await server.settle();
    await roundTrip(benTab.socket);
    assert.equal(benTab.rec.of('conversation:read').length, 0);

    const after = await ana.call('GET', '/v1/conversations?view=all');
    assert.equal(after.body.items.find((c: any) => c.id === conversation.id).readSeq, read.body.lastReadSeq);
    const forBen = await ben.call('GET', '/v1/conversations?view=all');
    assert.equal(forBen.body.items.find((c: any) => c.id === conversation.id).readSeq, null);
  });

  it('a client ahead of the server (restored database) is told to reload', async (t) => {
    const { ws, ana, open } = await setup(t);
    await inbound(ws);
    const first = await open(ana.token);
    const ahead = await open(ana.token, { since: first.ready.seq + 1000 });
    assert.equal(ahead.ready.resync, true);
    const behind = await open(ana.token, { since: 0 });
    assert.equal(behind.ready.resync, false);
  });
});
