import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Counts, View } from '@baton/protocol';
import { MAX_REPLAY } from '@baton/server';
import type { TestAgent } from '@baton/server/testing';
import { BatonApiError, InboxStore, isUnread, type BatonRestClient, type InboxSnapshot } from '../src/index.js';
import { heldAfterFirst, holdResponse, ids, nextEvent, padOutbox, setup, until, type Fixture } from './support.js';

/**
 * The inbox store over a real server while another agent works: lists and counts must match what
 * the server says for the same agent, without reloading, and commands must keep them right too.
 */

/** What the server says ana should see: the view's ids in order, and her counts. */
async function truth(api: BatonRestClient, view: View): Promise<{ rows: string[]; counts: Counts }> {
  const [page, counts] = await Promise.all([api.listConversations({ view, limit: 100 }), api.counts()]);
  return { rows: ids(page.items), counts };
}

/** Waits until the store shows exactly what the server says for its view. */
async function matches(store: InboxStore, api: BatonRestClient, label: string): Promise<InboxSnapshot> {
  const want = await truth(api, store.getSnapshot().view);
  return until(
    store,
    (s) => JSON.stringify(ids(s.conversations)) === JSON.stringify(want.rows) && JSON.stringify(s.counts) === JSON.stringify(want.counts),
    `${label}: rows ${JSON.stringify(want.rows)} and counts ${JSON.stringify(want.counts)}`,
  );
}

async function liveStore(f: Fixture, agent: TestAgent, view: View, extra: { provider?: () => Promise<string> } = {}) {
  const rt = f.realtime(extra.provider ? { tokenProvider: extra.provider } : { token: agent.token });
  const rest = f.rest(agent);
  const store = new InboxStore({ rest, realtime: rt, view });
  await store.start();
  return { store, rt, rest };
}

test("Mine, All and Resolved and the counts follow another agent's assign, resolve and reopen", async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const benApi = rest(ben);
  const [c1, c2, c3] = [await inbound('one'), await inbound('two'), await inbound('three')];
  const { store, rest: anaApi } = await liveStore(f, ana, 'mine');
  assert.equal(store.getSnapshot().status, 'ready');
  assert.equal(store.getSnapshot().agentId, ana.id);
  await matches(store, anaApi, 'empty Mine');

  await benApi.assign(c1.id, { assigneeId: ana.id });
  let s = await matches(store, anaApi, 'c1 assigned to ana');
  assert.deepEqual(ids(s.conversations), [c1.id]);
  assert.equal(s.counts?.mine, 1);

  await benApi.assign(c2.id, { assigneeId: ana.id });
  await matches(store, anaApi, 'c2 assigned to ana');
  await benApi.assign(c1.id, { assigneeId: ben.id });
  s = await matches(store, anaApi, 'c1 taken by ben');
  assert.deepEqual(ids(s.conversations), [c2.id]);

  await benApi.resolve(c2.id);
  s = await matches(store, anaApi, 'resolved c2 leaves Mine');
  assert.deepEqual(ids(s.conversations), []);
  assert.deepEqual([s.counts?.mine, s.counts?.resolved], [0, 1]);
  await benApi.reopen(c2.id);
  s = await matches(store, anaApi, 'reopened c2 is back in Mine');
  assert.deepEqual(ids(s.conversations), [c2.id]);

  await store.setView('all');
  s = await matches(store, anaApi, 'All');
  assert.deepEqual(new Set(ids(s.conversations)), new Set([c1.id, c2.id, c3.id]));

  await benApi.resolve(c1.id);
  s = await matches(store, anaApi, 'c1 resolved leaves All');
  assert.ok(!ids(s.conversations).includes(c1.id), 'c1 left All');
  assert.equal(s.counts?.resolved, 1);

  const c4 = await inbound('four');
  s = await matches(store, anaApi, 'new conversation enters All');
  assert.ok(ids(s.conversations).includes(c4.id), 'c4 entered All');

  await store.setView('resolved');
  s = await matches(store, anaApi, 'Resolved');
  assert.deepEqual(ids(s.conversations), [c1.id]);
  await benApi.reopen(c1.id);
  s = await matches(store, anaApi, 'c1 reopened leaves Resolved');
  assert.deepEqual(ids(s.conversations), []);

  await store.setView('mine');
  s = await matches(store, anaApi, 'Mine again');
  assert.deepEqual(ids(s.conversations), [c2.id]);
  f.server.clock!.advance(1000); // so the next message is strictly the newest activity
  await benApi.postMessage(c3.id, { direction: 'outbound', body: 'newer activity' }); // c3 is not ana's: Mine must not change
  await matches(store, anaApi, 'Mine unchanged by activity elsewhere');
  await store.setView('unassigned');
  s = await matches(store, anaApi, 'Unassigned');
  assert.deepEqual(new Set(ids(s.conversations)), new Set([c3.id, c4.id]));
  assert.equal(ids(s.conversations)[0], c3.id, 'newest activity first');
});

test('Mentioned and Unread are refetched from the server when a note mentions me or a message arrives', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, host, inbound } = f;
  const [c1, c2] = [await inbound('one'), await inbound('two')];
  const { store, rest: anaApi } = await liveStore(f, ana, 'mentioned');
  await matches(store, anaApi, 'nothing mentioned yet');

  await rest(ben).postNote(c1.id, { body: 'Could @ana look at this?' });
  let s = await matches(store, anaApi, 'mentioned in c1');
  assert.deepEqual(ids(s.conversations), [c1.id]);
  await rest(ben).resolve(c1.id);
  s = await matches(store, anaApi, 'resolved c1 leaves Mentioned');
  assert.deepEqual(ids(s.conversations), []);

  await store.setView('unread');
  s = await matches(store, anaApi, 'Unread');
  assert.deepEqual(ids(s.conversations), [c2.id]);
  await store.markRead(c2.id);
  assert.deepEqual(ids(store.getSnapshot().conversations), [], 'marking read removes the row at once');
  await matches(store, anaApi, 'c2 read');
  await host.postMessage(c2.id, { direction: 'inbound', body: 'Hello? Anyone?' });
  s = await matches(store, anaApi, 'a new inbound message makes c2 unread again');
  assert.deepEqual(ids(s.conversations), [c2.id]);
});

test('Snoozed and Mine follow another agent snoozing and waking a conversation, with the snoozed count', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const c1 = await inbound('one');
  await rest(ben).assign(c1.id, { assigneeId: ana.id });
  const { store, rest: anaApi } = await liveStore(f, ana, 'mine');
  let s = await matches(store, anaApi, 'Mine has c1');
  assert.deepEqual(ids(s.conversations), [c1.id]);
  const until = new Date(f.server.clock!.now() + 3_600_000).toISOString();
  await rest(ben).snooze(c1.id, { until });
  s = await matches(store, anaApi, 'snoozed c1 leaves Mine');
  assert.deepEqual(ids(s.conversations), []);
  assert.equal(s.counts?.snoozed, 1);
  await store.setView('snoozed');
  s = await matches(store, anaApi, 'Snoozed');
  assert.deepEqual(ids(s.conversations), [c1.id]);
  await rest(ben).snooze(c1.id, { until: null });
  s = await matches(store, anaApi, 'woken c1 leaves Snoozed');
  assert.deepEqual(ids(s.conversations), []);
  assert.equal(s.counts?.snoozed, 0);
});

test('the open conversation gets socket items once each, in seq order, with presence', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const conversation = await inbound();
  const { store, rt, rest: anaApi } = await liveStore(f, ana, 'all');
  await store.open(conversation.id);
  let s = store.getSnapshot();
  assert.equal(s.open?.loading, false);
  assert.equal(s.open?.conversation?.id, conversation.id);
  assert.deepEqual(ids(s.open!.timeline), ids((await anaApi.timeline(conversation.id)).items));
  await until(store, (x) => x.open?.presence?.viewing.includes(ana.id) === true, 'ana shown viewing');

  const { note } = await rest(ben).postNote(conversation.id, { body: 'Customer called twice' });
  await until(store, (x) => ids(x.open!.timeline).includes(note.id), 'ben’s note in the timeline');

  const echoed = nextEvent(rt, 'timeline:added', (e) => e.item.kind === 'message' && e.item.body === 'Sorry for the wait');
  const { message } = await store.reply(conversation.id, 'Sorry for the wait');
  assert.ok(ids(store.getSnapshot().open!.timeline).includes(message.id), 'the reply shows before the socket echoes it');
  await echoed; // the store's own listener has run by now, so the echo was applied (or dropped)
  s = store.getSnapshot();
  const timeline = s.open!.timeline;
  assert.equal(timeline.filter((i) => i.id === message.id).length, 1);
  assert.deepEqual(ids(timeline), ids((await anaApi.timeline(conversation.id)).items));
  assert.ok(timeline.every((item, i) => i === 0 || item.seq > timeline[i - 1]!.seq), 'timeline strictly ordered by seq');
  assert.equal(s.open!.conversation?.preview, 'Sorry for the wait');

  const { note: mine } = await store.note(conversation.id, 'Internal: refund approved');
  assert.equal(store.getSnapshot().open!.timeline.filter((i) => i.id === mine.id).length, 1);

  await store.open(null);
  assert.equal(store.getSnapshot().open, null);
});

test('notifications and agents (availability, open load) follow socket events', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const conversation = await inbound();
  const { store, rest: anaApi } = await liveStore(f, ana, 'mine');
  assert.equal(store.getSnapshot().unreadNotifications, 0);
  assert.deepEqual(
    store.getSnapshot().agents.map((a) => a.username).sort(),
    ['ana', 'ben'],
  );

  await rest(ben).assign(conversation.id, { assigneeId: ana.id });
  let s = await until(store, (x) => x.unreadNotifications === 1, 'assigned notification');
  assert.equal(s.notifications[0]?.type, 'assigned');
  assert.equal(s.notifications[0]?.conversationId, conversation.id);
  const load = async () => Object.fromEntries((await anaApi.listAgents()).items.map((a) => [a.id, a.openAssigned]));
  let want = await load();
  s = await until(store, (x) => x.agents.every((a) => a.openAssigned === want[a.id]), `open load ${JSON.stringify(want)}`);
  assert.equal(s.agents.find((a) => a.id === ana.id)?.openAssigned, 1);

  await rest(ben).updateAgent(ben.id, { availability: 'away' });
  await until(store, (x) => x.agents.find((a) => a.id === ben.id)?.availability === 'away', 'ben away');

  await rest(ben).resolve(conversation.id);
  want = await load();
  s = await until(store, (x) => x.agents.find((a) => a.id === ana.id)?.openAssigned === 0, 'resolved drops ana’s load');
  assert.deepEqual(Object.fromEntries(s.agents.map((a) => [a.id, a.openAssigned])), want);

  await store.markNotificationsRead('all');
  s = store.getSnapshot();
  assert.equal(s.unreadNotifications, 0);
  assert.ok(s.notifications.every((n) => n.readAt !== null), 'every notification marked read');
  assert.equal((await anaApi.listNotifications({ unreadOnly: true })).items.length, 0);
});

test('assign sends If-Match; on 409 the store takes the server’s conversation and rethrows', async (t) => {
  const { ana, ben, rest, inbound } = await setup(t);
  const conversation = await inbound();
  const sent: (string | null)[] = [];
  const anaApi = rest(ana, {
    fetch: async (input, init) => {
      if (String(input).endsWith('/assign')) sent.push(new Headers(init?.headers).get('if-match'));
      return fetch(input, init);
    },
  });
  // No socket: nothing tells this store about ben's change, so its version goes stale.
  const store = new InboxStore({ rest: anaApi, view: 'unassigned' });
  await store.start();
  await store.open(conversation.id);
  assert.deepEqual(ids(store.getSnapshot().conversations), [conversation.id]);

  const { conversation: taken } = await rest(ben).assign(conversation.id, { assigneeId: ben.id });
  await assert.rejects(store.assign(conversation.id, ana.id), (error: unknown) => {
    assert.ok(error instanceof BatonApiError, `expected BatonApiError, got ${String(error)}`);
    assert.equal(error.status, 409);
    assert.equal(error.code, 'version_conflict');
    return true;
  });
  assert.deepEqual(sent, [`"${conversation.version}"`]);
  const s = store.getSnapshot();
  assert.equal(s.open?.conversation?.assigneeId, ben.id, 'the open conversation shows who got there first');
  assert.equal(s.open?.conversation?.version, taken.version);
  assert.deepEqual(ids(s.conversations), [], 'assigned to ben, it left Unassigned');

  // Now at the current version, a deliberate reassign goes through.
  const mine = await store.assign(conversation.id, ana.id);
  assert.equal(mine.assigneeId, ana.id);
  assert.deepEqual(sent, [`"${conversation.version}"`, `"${taken.version}"`]);
  assert.equal((await rest(ana).getConversation(conversation.id)).conversation.assigneeId, ana.id);
});

test('update and snooze send If-Match; on 409 the store takes the server’s conversation; snooze moves it to Snoozed', async (t) => {
  const { ana, ben, rest, inbound } = await setup(t);
  const conversation = await inbound();
  const sent: string[] = [];
  const anaApi = rest(ana, {
    fetch: async (input, init) => {
      if ((init?.method ?? 'GET') !== 'GET') sent.push(`${init?.method} ${new URL(String(input)).pathname} ${new Headers(init?.headers).get('if-match')}`);
      return fetch(input, init);
    },
  });
  const store = new InboxStore({ rest: anaApi, view: 'all' });
  await store.start();
  await store.open(conversation.id);

  const edited = await store.update(conversation.id, { tags: ['vip'], priority: 'high' });
  assert.deepEqual([edited.tags, edited.priority], [['vip'], 'high']);
  assert.deepEqual(sent, [`PATCH /v1/conversations/${conversation.id} "${conversation.version}"`]);
  assert.equal(store.getSnapshot().open?.conversation?.priority, 'high');

  // Ben edits meanwhile; this store (no socket) still has the older version.
  const { conversation: theirs } = await rest(ben).updateConversation(conversation.id, { priority: 'urgent' });
  await assert.rejects(store.update(conversation.id, { priority: 'low' }), (e: unknown) => e instanceof BatonApiError && e.code === 'version_conflict');
  assert.equal(store.getSnapshot().open?.conversation?.priority, 'urgent', 'the open conversation shows their edit');
  assert.equal(store.getSnapshot().open?.conversation?.version, theirs.version);

  const wakeAt = new Date(Date.now() + 3600_000).toISOString();
  const snoozed = await store.snooze(conversation.id, wakeAt);
  assert.equal(Date.parse(snoozed.snoozedUntil!), Date.parse(wakeAt));
  assert.equal(sent.at(-1), `POST /v1/conversations/${conversation.id}/snooze "${theirs.version}"`);
  assert.deepEqual(ids(store.getSnapshot().conversations), [], 'snoozed, it left All');
  const woke = await store.snooze(conversation.id, null);
  assert.equal(woke.snoozedUntil, null);
  // Without a socket the store asks for the counts after each command: they follow.
  await until(store, (s) => s.counts?.snoozed === 0 && s.counts.all === 1, 'counts after waking');
});

test('setAvailability changes the agent and the store’s agents at once', async (t) => {
  const { ana, rest } = await setup(t);
  const store = new InboxStore({ rest: rest(ana), view: 'all' });
  await store.start();
  const agent = await store.setAvailability(ana.id, 'away');
  assert.equal(agent.availability, 'away');
  assert.equal(store.getSnapshot().agents.find((a) => a.id === ana.id)?.availability, 'away');
  assert.equal((await rest(ana).me()).agent.availability, 'away');
});

test('after a reconnect the store applies the replayed changes without reloading', async (t) => {
  const f = await setup(t);
  const { server, ana, ben, rest, inbound, mint } = f;
  const conversation = await inbound();
  // A reload reads everything, notifications among them. (Mine is asked again for the read mark
  // of the row that joins it, which is not a reload.)
  const reloads: string[] = [];
  const anaApi = rest(ana, {
    fetch: async (input, init) => {
      const url = new URL(String(input));
      if (url.pathname === '/v1/notifications') reloads.push(url.search);
      return fetch(input, init);
    },
  });
  const tokens = heldAfterFirst(() => mint(ana));
  const rt = f.realtime({ tokenProvider: tokens.provider });
  const store = new InboxStore({ rest: anaApi, realtime: rt, view: 'mine' });
  await store.start();
  assert.equal(reloads.length, 1, 'the first connect loads everything');

  const away = until(store, (s) => !s.connected, 'disconnected');
  server.server.realtime.io.in(`agent:${ana.id}`).disconnectSockets(true);
  await away;
  await rest(ben).assign(conversation.id, { assigneeId: ana.id });
  const back = nextEvent(rt, 'ready');
  tokens.open();
  const ready = await back;
  assert.ok(ready.replayed > 0, 'the reconnect replayed the missed change');
  const s = await matches(store, rest(ana), 'replayed assignment in Mine');
  assert.deepEqual(ids(s.conversations), [conversation.id]);
  assert.equal(s.connected, true);
  assert.equal(reloads.length, 1, 'no reload: the replay was enough');
});

test('ready with resync: true makes the store reload everything from REST', async (t) => {
  const f = await setup(t);
  const { server, ws, ana, ben, rest, inbound, mint } = f;
  const conversation = await inbound();
  const tokens = heldAfterFirst(() => mint(ana));
  const { store, rt, rest: anaApi } = await liveStore(f, ana, 'mine', { provider: tokens.provider });

  const away = until(store, (s) => !s.connected, 'disconnected');
  server.server.realtime.io.in(`agent:${ana.id}`).disconnectSockets(true);
  await away;
  await rest(ben).assign(conversation.id, { assigneeId: ana.id });
  await padOutbox(server, ws.id, MAX_REPLAY + 1, conversation);
  await server.settle();
  const resync = nextEvent(rt, 'resync');
  tokens.open();
  await resync;
  const s = await matches(store, anaApi, 'reloaded Mine');
  assert.deepEqual(ids(s.conversations), [conversation.id]);
  assert.equal(s.notifications[0]?.type, 'assigned', 'notifications were reloaded too');
});

test('ready with resync: true reloads the teams too, once they were asked for', async (t) => {
  const f = await setup(t);
  const { server, ws, ana, host, inbound, mint } = f;
  const conversation = await inbound();
  const { team } = await host.createTeam({ name: 'Support', memberIds: [ana.id] });
  const tokens = heldAfterFirst(() => mint(ana));
  const { store, rt } = await liveStore(f, ana, 'mine', { provider: tokens.provider });
  assert.deepEqual((await store.loadTeams()).map((x) => x.name), ['Support']);

  const away = until(store, (s) => !s.connected, 'disconnected');
  server.server.realtime.io.in(`agent:${ana.id}`).disconnectSockets(true);
  await away;
  await host.updateTeam(team.id, { name: 'Customer Care' });
  await padOutbox(server, ws.id, MAX_REPLAY + 1, conversation);
  await server.settle();
  const resync = nextEvent(rt, 'resync');
  tokens.open();
  await resync;
  const s = await until(store, (x) => x.teams[0]?.name === 'Customer Care', 'the renamed team, reloaded');
  assert.deepEqual(s.teams, (await host.listTeams()).items);
});

test('teams, once asked for, follow socket events: a team created, renamed, given other members', async (t) => {
  const f = await setup(t);
  const { ana, ben, host } = f;
  const { team: support } = await host.createTeam({ name: 'Support', memberIds: [ana.id] });
  const teamReads: string[] = [];
  const rt = f.realtime({ token: ana.token });
  const anaApi = f.rest(ana, {
    fetch: async (input, init) => {
      if (new URL(String(input)).pathname === '/v1/teams') teamReads.push(String(input));
      return fetch(input, init);
    },
  });
  const store = new InboxStore({ rest: anaApi, realtime: rt, view: 'mine' });
  await store.start();
  assert.deepEqual(store.getSnapshot().teams, [], 'not read until a part asks');
  assert.equal(teamReads.length, 0);

  const [first, second] = await Promise.all([store.loadTeams(), store.loadTeams()]);
  assert.deepEqual(first, [support]);
  assert.equal(second, first);
  assert.deepEqual(store.getSnapshot().teams, [support]);
  assert.equal(teamReads.length, 1, 'one read for every part that asks');

  const { team: billing } = await host.createTeam({ name: 'Billing' });
  let s = await until(store, (x) => x.teams.length === 2, 'the new team');
  assert.deepEqual(s.teams, [billing, support], 'by name, as the server lists them');

  await host.updateTeam(support.id, { name: 'Accounts' });
  s = await until(store, (x) => x.teams.some((team) => team.name === 'Accounts'), 'the rename');
  assert.deepEqual(s.teams.map((team) => team.name), ['Accounts', 'Billing'], 'renamed into its place by name');

  await host.updateTeam(billing.id, { memberIds: [ben.id, ana.id] });
  s = await until(store, (x) => x.teams.find((team) => team.id === billing.id)!.memberIds.length === 2, 'the new members');
  assert.deepEqual(s.teams, (await host.listTeams()).items);
  assert.equal(teamReads.length, 1, 'events, not reads, kept them current');
  assert.deepEqual(await store.loadTeams(), s.teams);
});

test('a team change that arrives while the teams are read is applied on top of the answer', async (t) => {
  const f = await setup(t);
  const { ana, host } = f;
  const { team } = await host.createTeam({ name: 'Support' });
  const hold = holdResponse((url) => url.pathname === '/v1/teams');
  const rt = f.realtime({ token: ana.token });
  const store = new InboxStore({ rest: f.rest(ana, { fetch: hold.fetch }), realtime: rt, view: 'mine' });
  await store.start();

  const loading = store.loadTeams();
  await hold.arrived(); // the answer still says Support
  const renamed = nextEvent(rt, 'team:updated', (e) => e.team.name === 'Customer Care');
  await host.updateTeam(team.id, { name: 'Customer Care' });
  await renamed;
  hold.release();
  assert.deepEqual((await loading).map((x) => x.name), ['Customer Care']);
  assert.deepEqual(store.getSnapshot().teams.map((x) => x.name), ['Customer Care']);
});

test('loadMore pages through a view and a change inside the loaded window moves the row up', async (t) => {
  const f = await setup(t);
  const { ana, host, inbound } = f;
  const created = [];
  for (let i = 0; i < 5; i++) created.push(await inbound(`message ${i}`));
  const rt = f.realtime({ token: ana.token });
  const anaApi = f.rest(ana);
  const store = new InboxStore({ rest: anaApi, realtime: rt, view: 'all', pageSize: 2 });
  await store.start();
  let s = store.getSnapshot();
  assert.equal(s.conversations.length, 2);
  assert.equal(s.hasMore, true);
  await store.loadMore();
  await store.loadMore();
  s = store.getSnapshot();
  assert.equal(s.hasMore, false);
  assert.deepEqual(ids(s.conversations), (await truth(anaApi, 'all')).rows);
  assert.equal(new Set(ids(s.conversations)).size, 5);

  f.server.clock!.advance(1000); // so the new message is strictly the newest activity
  await host.postMessage(created[0]!.id, { direction: 'inbound', body: 'bump' });
  s = await matches(store, anaApi, 'bumped to the top');
  assert.equal(ids(s.conversations)[0], created[0]!.id);
});

// Races: a read answered before a change but used after it must not undo the change.

test('socket items that arrive while the timeline loads are merged in seq order', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const conversation = await inbound();
  const hold = holdResponse((url) => url.pathname.endsWith('/timeline'));
  const rt = f.realtime({ token: ana.token });
  const store = new InboxStore({ rest: rest(ana, { fetch: hold.fetch }), realtime: rt, view: 'all' });
  await store.start();

  const opening = store.open(conversation.id);
  await hold.arrived();
  const { note } = await rest(ben).postNote(conversation.id, { body: 'Added while ana was loading' });
  await until(store, (s) => ids(s.open!.timeline).includes(note.id), 'the note from the socket');
  hold.release();
  await opening;
  const timeline = store.getSnapshot().open!.timeline;
  assert.deepEqual(ids(timeline), ids((await rest(ana).timeline(conversation.id)).items));
});

test('a page read before a change neither brings the old state back nor loses what arrived meanwhile', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const [c1, c2] = [await inbound('one'), await inbound('two')];
  const hold = holdResponse((url) => url.pathname === '/v1/conversations' && url.searchParams.get('view') === 'all');
  const rt = f.realtime({ token: ana.token });
  const anaApi = rest(ana, { fetch: hold.fetch });
  const store = new InboxStore({ rest: anaApi, realtime: rt, view: 'mine' });
  await store.start();

  const switching = store.setView('all');
  await hold.arrived(); // the page has c1 open and no c3
  const resolvedSeen = nextEvent(rt, 'conversation:updated', (e) => e.conversation.id === c1.id && e.conversation.status === 'resolved');
  await rest(ben).resolve(c1.id);
  await resolvedSeen;
  const createdSeen = nextEvent(rt, 'conversation:created');
  const c3 = await inbound('three');
  await createdSeen;
  hold.release();
  await switching;
  assert.deepEqual(new Set(ids(store.getSnapshot().conversations)), new Set([c2.id, c3.id]));
  await matches(store, rest(ana), 'All without the resolved c1, with the new c3');
});

test('a late answer to my assign does not undo a newer change from the socket', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const conversation = await inbound();
  const hold = holdResponse((url) => url.pathname.endsWith('/assign'));
  const rt = f.realtime({ token: ana.token });
  const store = new InboxStore({ rest: rest(ana, { fetch: hold.fetch }), realtime: rt, view: 'all' });
  await store.start();
  assert.deepEqual(ids(store.getSnapshot().conversations), [conversation.id]);

  const assigning = store.assign(conversation.id, ana.id);
  await hold.arrived();
  await rest(ben).resolve(conversation.id);
  await until(store, (s) => s.conversations.length === 0, 'resolved by ben, out of All');
  hold.release();
  const result = await assigning;
  assert.equal(result.status, 'resolved', 'the command returns the newest state the store has');
  assert.deepEqual(ids(store.getSnapshot().conversations), []);
  await matches(store, rest(ana), 'All stays empty');
});

test('changes that arrive while the first load is in flight are applied on top of it', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const conversation = await inbound();
  const hold = holdResponse((url) => url.pathname === '/v1/conversations');
  const rt = f.realtime({ token: ana.token });
  const store = new InboxStore({ rest: rest(ana, { fetch: hold.fetch }), realtime: rt, view: 'mine' });
  const started = store.start();
  await hold.arrived(); // Mine, read while it was still empty
  const assignedSeen = nextEvent(rt, 'conversation:updated', (e) => e.conversation.assigneeId === ana.id);
  await rest(ben).assign(conversation.id, { assigneeId: ana.id });
  await assignedSeen;
  hold.release();
  await started;
  const s = await matches(store, rest(ana), 'Mine with the assignment made during the load');
  assert.deepEqual(ids(s.conversations), [conversation.id]);
});

test('unread dots follow read marks from pages, own reads, other tabs and new inbound messages', async (t) => {
  const f = await setup(t);
  const { ana, inbound } = f;
  const c1 = await inbound('first');
  const c2 = await inbound('second');
  const { store } = await liveStore(f, ana, 'all');
  const { store: otherTab } = await liveStore(f, ana, 'all');
  const row = (s: InboxSnapshot, id: string) => s.conversations.find((c) => c.id === id)!;
  let s = store.getSnapshot();
  assert.equal(isUnread(row(s, c1.id), s.readMarks), true);
  assert.equal(isUnread(row(s, c2.id), s.readMarks), true);

  await otherTab.markRead(c1.id);
  s = await until(store, (x) => !isUnread(row(x, c1.id), x.readMarks), 'read in the other tab clears the dot');
  assert.equal(isUnread(row(s, c2.id), s.readMarks), true);

  await f.ws.api('POST', `/v1/conversations/${c1.id}/messages`, { direction: 'inbound', body: 'one more thing' });
  await until(store, (x) => isUnread(row(x, c1.id), x.readMarks), 'a new inbound message brings the dot back');

  // A fresh store learns the marks from the list page itself.
  await store.markRead(c2.id);
  const { store: fresh } = await liveStore(f, ana, 'all');
  s = fresh.getSnapshot();
  assert.equal(isUnread(row(s, c2.id), s.readMarks), false);
  assert.equal(isUnread(row(s, c1.id), s.readMarks), true);
});

test('a conversation read in an earlier session and handed to me live is not shown unread', async (t) => {
  const f = await setup(t);
  const { ana, ben, rest, inbound } = f;
  const [readBefore, neverRead] = [await inbound('read yesterday'), await inbound('never opened')];
  await rest(ana).markRead(readBefore.id);
  await rest(ben).postMessage(readBefore.id, { direction: 'outbound', body: 'On it' });
  const { store } = await liveStore(f, ana, 'mine');
  const row = (s: InboxSnapshot, id: string) => s.conversations.find((c) => c.id === id);

  // Mine's page never held them, so their read marks come from the server once they join.
  await rest(ben).assign(readBefore.id, { assigneeId: ana.id });
  await rest(ben).assign(neverRead.id, { assigneeId: ana.id });
  const s = await until(
    store,
    (x) => !!row(x, readBefore.id) && !!row(x, neverRead.id) && x.readMarks[readBefore.id] !== undefined && x.readMarks[neverRead.id] !== undefined,
    'both joined Mine and their read marks are known',
  );
  assert.equal(isUnread(row(s, readBefore.id)!, s.readMarks), false, 'read before this session: no dot');
  assert.equal(isUnread(row(s, neverRead.id)!, s.readMarks), true, 'never read: a dot');
});

test('filters and sort narrow the list as the server does, and live changes respect them', async (t) => {
  const f = await setup(t);
  const { ana, host } = f;
  const sms = await f.inbound('sms one');
  f.server.clock!.advance(1000);
  const email = (await host.createConversation({ contact: { name: 'E' }, channel: 'email', message: { body: 'email one' } })).conversation;
  f.server.clock!.advance(1000);
  const urgent = (await host.createConversation({ contact: { name: 'U' }, channel: 'sms', priority: 'urgent', message: { body: 'urgent' } })).conversation;
  const { store, rest: anaApi } = await liveStore(f, ana, 'all');
  assert.deepEqual(ids(store.getSnapshot().conversations), [urgent.id, email.id, sms.id]);

  await store.setFilters({ channel: 'sms' });
  assert.deepEqual(ids(store.getSnapshot().conversations), [urgent.id, sms.id]);
  assert.deepEqual(store.getSnapshot().filters, { channel: 'sms' });
  await store.setFilters({ channel: 'sms', sort: 'oldest_waiting' });
  assert.deepEqual(ids(store.getSnapshot().conversations), ids((await anaApi.listConversations({ view: 'all', channel: 'sms', sort: 'oldest_waiting' })).items));
  assert.deepEqual(ids(store.getSnapshot().conversations), [sms.id, urgent.id]);

  // A new email conversation does not join an SMS-only list; a new SMS one does, in the sort's place.
  f.server.clock!.advance(1000);
  await host.createConversation({ contact: { name: 'E2' }, channel: 'email', message: { body: 'email two' } });
  const sms2 = await f.inbound('sms two');
  await until(store, (s) => s.conversations.length === 3, 'the new SMS conversation listed');
  assert.deepEqual(ids(store.getSnapshot().conversations), [sms.id, urgent.id, sms2.id]);
  // Counts are the view's, whatever the filters.
  assert.equal(store.getSnapshot().counts?.all, 5);

  await store.setFilters({});
  assert.equal(store.getSnapshot().conversations.length, 5);
});

test('a tag filter in any case is the stored lower-case tag: rows stay through live changes, newly tagged ones join', async (t) => {
  const f = await setup(t);
  const { ana, host } = f;
  const vip = (await host.createConversation({ contact: { name: 'V' }, channel: 'sms', tags: ['VIP'], message: { body: 'vip one' } })).conversation;
  f.server.clock!.advance(1000);
  const plain = (await host.createConversation({ contact: { name: 'P' }, channel: 'sms', message: { body: 'plain one' } })).conversation;
  const { store } = await liveStore(f, ana, 'all');

  await store.setFilters({ tag: 'VIP' });
  assert.deepEqual(store.getSnapshot().filters, { tag: 'vip' });
  assert.deepEqual(ids(store.getSnapshot().conversations), [vip.id]);

  // A change to the listed conversation keeps it listed; tagging the other one "Vip" lists it too.
  f.server.clock!.advance(1000);
  await host.updateConversation(vip.id, { priority: 'high' });
  await until(store, (s) => s.conversations[0]?.priority === 'high', 'the edit arrived');
  assert.deepEqual(ids(store.getSnapshot().conversations), [vip.id]);
  await host.updateConversation(plain.id, { tags: ['Vip'] });
  await until(store, (s) => s.conversations.length === 2, 'the newly tagged conversation listed');
  assert.deepEqual(store.getSnapshot().conversations.map((c) => c.tags), [['vip'], ['vip']]);
});
