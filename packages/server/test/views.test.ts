import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { TestServer, type TestAgent, type TestWorkspace } from '../src/testing.js';

/**
 * Views, counts and the timeline through the REST API, after every transition a conversation
 * goes through, as seen by two agents (ana, ben) and the host backend (API key).
 */

const VIEWS = ['mine', 'unassigned', 'mentioned', 'unread', 'all', 'resolved'] as const;
type View = (typeof VIEWS)[number];

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  return { server, ws, ana, ben };
}

async function inbound(ws: TestWorkspace, body = 'Hi, my order is late', contactName = 'Dana') {
  const res = await ws.api('POST', '/v1/conversations', { contact: { name: contactName }, channel: 'sms', message: { body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.conversation;
}

async function viewIds(agent: TestAgent, view: View): Promise<string[]> {
  const res = await agent.call('GET', `/v1/conversations?view=${view}&limit=100`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.nextCursor, null);
  return res.body.items.map((c: { id: string }) => c.id);
}

async function countsOf(agent: TestAgent) {
  const res = await agent.call('GET', '/v1/conversations/counts');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Record<View, number>;
}

/**
 * Asserts, for one agent, which views hold `conversationId` and that every count equals the
 * view's size: `background` lists how many other conversations each view holds.
 */
async function expectViews(agent: TestAgent, step: string, conversationId: string, inViews: View[], background: Partial<Record<View, number>>) {
  const counts = await countsOf(agent);
  for (const view of VIEWS) {
    const ids = await viewIds(agent, view);
    const expectedIn = inViews.includes(view);
    assert.equal(ids.includes(conversationId), expectedIn, `${step}: ${agent.username}'s ${view} view ${expectedIn ? 'should' : 'should not'} hold the conversation`);
    const expectedCount = (background[view] ?? 0) + (expectedIn ? 1 : 0);
    assert.equal(ids.length, expectedCount, `${step}: ${agent.username}'s ${view} view size`);
    assert.equal(counts[view], expectedCount, `${step}: ${agent.username}'s ${view} count`);
  }
}

/** Reads the timeline as the host and checks nothing earlier changed and seqs strictly increase; returns what is new. */
function timelineTracker(ws: TestWorkspace, conversationId: string) {
  let seen: any[] = [];
  return async function newItems(step: string): Promise<any[]> {
    const res = await ws.api('GET', `/v1/conversations/${conversationId}/timeline`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const items = res.body.items as any[];
    assert.deepEqual(items.slice(0, seen.length), seen, `${step}: earlier timeline items were changed or removed`);
    for (let i = 1; i < items.length; i++) assert.ok(items[i].seq > items[i - 1].seq, `${step}: timeline not ordered by seq at ${i}`);
    for (const item of items) assert.equal(item.conversationId, conversationId);
    const fresh = items.slice(seen.length);
    seen = items;
    return fresh;
  };
}

test('views, counts and the timeline follow a conversation through every transition', async (t) => {
  const { ws, ana, ben } = await setup(t);
  // A second conversation that stays open, unassigned and unread by both: every count includes it.
  await inbound(ws, 'control', 'Carol');
  const background = { unassigned: 1, unread: 1, all: 1 };
  const both = async (step: string, id: string, anaViews: View[], benViews: View[]) => {
    await expectViews(ana, step, id, anaViews, background);
    await expectViews(ben, step, id, benViews, background);
  };
  const hostSees = async (id: string) => {
    const res = await ws.api('GET', `/v1/conversations/${id}`);
    assert.equal(res.status, 200);
    return res.body.conversation;
  };

  // 1. The host forwards the customer's first message.
  const conv = await inbound(ws);
  const id = conv.id as string;
  const newItems = timelineTracker(ws, id);
  assert.equal(conv.status, 'open');
  assert.equal(conv.assigneeId, null);
  let version = conv.version as number;
  let items = await newItems('create');
  assert.deepEqual(
    items.map((i) => [i.kind, i.type ?? i.direction]),
    [
      ['event', 'created'],
      ['message', 'inbound'],
    ],
  );
  assert.deepEqual(items[0].actor, { type: 'api', id: null });
  assert.equal(items[1].body, 'Hi, my order is late');
  assert.equal(items[1].internal, false);
  await both('create', id, ['unassigned', 'unread', 'all'], ['unassigned', 'unread', 'all']);
  assert.deepEqual(await hostSees(id), conv);

  // 2. Ana assigns it to Ben.
  let res = await ana.call('POST', `/v1/conversations/${id}/assign`, { assigneeId: ben.id });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.conversation.assigneeId, ben.id);
  assert.equal(res.body.conversation.version, ++version);
  items = await newItems('assign');
  assert.equal(items.length, 1);
  assert.equal(items[0].kind, 'event');
  assert.equal(items[0].type, 'assigned');
  assert.deepEqual(items[0].actor, { type: 'agent', id: ana.id });
  assert.equal(items[0].data.from, null);
  assert.equal(items[0].data.to, ben.id);
  assert.equal(items[0].internal, true);
  await expectViews(ana, 'assign', id, ['unread', 'all'], background);
  await expectViews(ben, 'assign', id, ['mine', 'unread', 'all'], background);
  assert.equal((await hostSees(id)).assigneeId, ben.id);

  // 3. Ben hands it back.
  res = await ben.call('POST', `/v1/conversations/${id}/assign`, { assigneeId: null });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.conversation.assigneeId, null);
  assert.equal(res.body.conversation.version, ++version);
  items = await newItems('unassign');
  assert.equal(items.length, 1);
  assert.equal(items[0].type, 'unassigned');
  assert.deepEqual(items[0].actor, { type: 'agent', id: ben.id });
  assert.equal(items[0].data.from, ben.id);
  await both('unassign', id, ['unassigned', 'unread', 'all'], ['unassigned', 'unread', 'all']);
  assert.equal((await hostSees(id)).assigneeId, null);

  // 4. The host backend assigns it to Ben again.
  res = await ws.api('POST', `/v1/conversations/${id}/assign`, { assigneeId: ben.id });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.conversation.version, ++version);
  items = await newItems('host assign');
  assert.equal(items.length, 1);
  assert.equal(items[0].type, 'assigned');
  assert.deepEqual(items[0].actor, { type: 'api', id: null });
  assert.equal(items[0].data.from, null);
  assert.equal(items[0].data.to, ben.id);
  await expectViews(ana, 'host assign', id, ['unread', 'all'], background);
  await expectViews(ben, 'host assign', id, ['mine', 'unread', 'all'], background);

  // 5. Ben replies: that marks it read for him, not for Ana.
  res = await ben.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'On it' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.message.direction, 'outbound');
  assert.deepEqual(res.body.message.author, { type: 'agent', id: ben.id });
  assert.equal(res.body.conversation.version, ++version);
  items = await newItems('reply');
  assert.deepEqual(items.map((i) => [i.kind, i.direction, i.body]), [['message', 'outbound', 'On it']]);
  await expectViews(ana, 'reply', id, ['unread', 'all'], background);
  await expectViews(ben, 'reply', id, ['mine', 'all'], background);

  // 6. The customer writes again: unread for both.
  res = await ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'Thanks!' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.conversation.version, ++version);
  items = await newItems('second inbound');
  assert.deepEqual(items.map((i) => [i.kind, i.direction]), [['message', 'inbound']]);
  await expectViews(ana, 'second inbound', id, ['unread', 'all'], background);
  await expectViews(ben, 'second inbound', id, ['mine', 'unread', 'all'], background);

  // 7. Ana marks it read: only her Unread changes; the conversation itself does not.
  res = await ana.call('POST', `/v1/conversations/${id}/read`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(typeof res.body.lastReadSeq, 'number');
  assert.deepEqual(await newItems('mark read'), []);
  assert.equal((await hostSees(id)).version, version);
  await expectViews(ana, 'mark read', id, ['all'], background);
  await expectViews(ben, 'mark read', id, ['mine', 'unread', 'all'], background);

  // 8. Ana writes a note mentioning Ben (and someone who is not an agent).
  res = await ana.call('POST', `/v1/conversations/${id}/notes`, { body: '@ben can you check the refund? cc @nobody' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.deepEqual(res.body.note.mentions, [ben.id]);
  assert.equal(res.body.note.internal, true);
  items = await newItems('note');
  assert.equal(items.length, 1);
  assert.equal(items[0].kind, 'note');
  assert.deepEqual(items[0].mentions, [ben.id]);
  assert.equal((await hostSees(id)).version, version, 'a note does not change the conversation');
  await expectViews(ana, 'note', id, ['all'], background);
  await expectViews(ben, 'note', id, ['mine', 'unread', 'mentioned', 'all'], background);

  // 9. Ben resolves it: it leaves Mine, Mentioned, Unread and All, and shows under Resolved.
  res = await ben.call('POST', `/v1/conversations/${id}/resolve`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.conversation.status, 'resolved');
  assert.notEqual(res.body.conversation.resolvedAt, null);
  assert.equal(res.body.conversation.version, ++version);
  items = await newItems('resolve');
  assert.equal(items.length, 1);
  assert.equal(items[0].type, 'resolved');
  assert.deepEqual(items[0].actor, { type: 'agent', id: ben.id });
  await both('resolve', id, ['resolved'], ['resolved']);
  assert.equal((await hostSees(id)).status, 'resolved');

  // 10. A new inbound message reopens it, with an event saying why.
  res = await ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'One more thing' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.conversation.status, 'open');
  assert.equal(res.body.conversation.resolvedAt, null);
  assert.equal(res.body.conversation.version, ++version);
  items = await newItems('reopen by inbound');
  assert.deepEqual(items.map((i) => [i.kind, i.type ?? i.direction]), [
    ['message', 'inbound'],
    ['event', 'reopened'],
  ]);
  assert.equal(items[1].data.reason, 'inbound_message');
  assert.deepEqual(items[1].actor, { type: 'api', id: null });
  await expectViews(ana, 'reopen by inbound', id, ['unread', 'all'], background);
  await expectViews(ben, 'reopen by inbound', id, ['mine', 'unread', 'mentioned', 'all'], background);

  // 11. Resolved again, then Ana's reply reopens it (and counts as her reading it).
  res = await ben.call('POST', `/v1/conversations/${id}/resolve`);
  assert.equal(res.status, 200);
  assert.equal(res.body.conversation.version, ++version);
  assert.equal((await newItems('resolve again'))[0].type, 'resolved');
  await both('resolve again', id, ['resolved'], ['resolved']);
  res = await ana.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'Sure, what is it?' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.conversation.status, 'open');
  assert.equal(res.body.conversation.version, ++version);
  items = await newItems('reopen by reply');
  assert.deepEqual(items.map((i) => [i.kind, i.type ?? i.direction]), [
    ['message', 'outbound'],
    ['event', 'reopened'],
  ]);
  assert.equal(items[1].data.reason, 'reply');
  assert.deepEqual(items[1].actor, { type: 'agent', id: ana.id });
  await expectViews(ana, 'reopen by reply', id, ['all'], background);
  await expectViews(ben, 'reopen by reply', id, ['mine', 'unread', 'mentioned', 'all'], background);

  // 12. A note on a resolved conversation does not reopen it.
  res = await ben.call('POST', `/v1/conversations/${id}/resolve`);
  assert.equal(res.status, 200);
  assert.equal(res.body.conversation.version, ++version);
  await newItems('resolve a third time');
  res = await ana.call('POST', `/v1/conversations/${id}/notes`, { body: 'Closing this, @ben FYI' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.conversation.status, 'resolved');
  items = await newItems('note on resolved');
  assert.deepEqual(items.map((i) => i.kind), ['note'], 'no reopened event');
  const afterNote = await hostSees(id);
  assert.equal(afterNote.status, 'resolved');
  assert.equal(afterNote.version, version);
  await both('note on resolved', id, ['resolved'], ['resolved']);

  // 13. Ana reopens it by hand.
  res = await ana.call('POST', `/v1/conversations/${id}/reopen`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.conversation.status, 'open');
  assert.equal(res.body.conversation.resolvedAt, null);
  assert.equal(res.body.conversation.version, version + 1);
  items = await newItems('manual reopen');
  assert.equal(items.length, 1);
  assert.equal(items[0].type, 'reopened');
  assert.equal(items[0].data.reason, 'manual');
  assert.deepEqual(items[0].actor, { type: 'agent', id: ana.id });
  await expectViews(ana, 'manual reopen', id, ['all'], background);
  await expectViews(ben, 'manual reopen', id, ['mine', 'unread', 'mentioned', 'all'], background);

  // Every event in the trail names who did it.
  const all = (await ws.api('GET', `/v1/conversations/${id}/timeline`)).body.items as any[];
  for (const item of all) {
    if (item.kind === 'event') assert.ok(item.actor && typeof item.actor.type === 'string', `event ${item.type} has an actor`);
    else assert.ok(item.author && typeof item.author.type === 'string', `${item.kind} has an author`);
  }
  assert.deepEqual(
    all.filter((i) => i.kind === 'event').map((i) => i.type),
    ['created', 'assigned', 'unassigned', 'assigned', 'resolved', 'reopened', 'resolved', 'reopened', 'resolved', 'reopened'],
  );
  // `after` pages the same ordered trail.
  const tail = await ana.call('GET', `/v1/conversations/${id}/timeline?after=${all[4].seq}`);
  assert.equal(tail.status, 200);
  assert.deepEqual(tail.body.items, all.slice(5));
});

test('the host backend cannot read per-agent views, which belong to an agent', async (t) => {
  const { ws } = await setup(t);
  await inbound(ws);
  const list = await ws.api('GET', '/v1/conversations?view=all');
  assert.equal(list.status, 403);
  assert.equal(list.body.error.code, 'forbidden');
  const counts = await ws.api('GET', '/v1/conversations/counts');
  assert.equal(counts.status, 403);
  assert.equal(counts.body.error.code, 'forbidden');
});

test('repeating a transition that changes nothing adds no event and keeps the version', async (t) => {
  const { ws, ana, ben } = await setup(t);
  const { id } = await inbound(ws);
  const first = await ana.call('POST', `/v1/conversations/${id}/assign`, { assigneeId: ben.id });
  assert.equal(first.status, 200);
  const again = await ana.call('POST', `/v1/conversations/${id}/assign`, { assigneeId: ben.id });
  assert.equal(again.status, 200);
  assert.equal(again.body.conversation.version, first.body.conversation.version);
  const resolved = await ana.call('POST', `/v1/conversations/${id}/resolve`);
  const resolvedAgain = await ana.call('POST', `/v1/conversations/${id}/resolve`);
  assert.equal(resolvedAgain.status, 200);
  assert.equal(resolvedAgain.body.conversation.version, resolved.body.conversation.version);
  const events = (await ana.call('GET', `/v1/conversations/${id}/timeline`)).body.items.filter((i: any) => i.kind === 'event').map((i: any) => i.type);
  assert.deepEqual(events, ['created', 'assigned', 'resolved']);
});

test('If-Match: of two concurrent assigns with the same version exactly one wins; the other gets 409 with the current state', async (t) => {
  const { ws, ana, ben } = await setup(t);
  const conv = await inbound(ws);
  const headers = { 'If-Match': String(conv.version) };
  const [a, b] = await Promise.all([
    ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ana.id }, headers),
    ben.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id }, headers),
  ]);
  assert.deepEqual([a.status, b.status].sort(), [200, 409], `statuses ${a.status}, ${b.status}`);
  const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
  const winnerId = a.status === 200 ? ana.id : ben.id;
  assert.equal(loser.body.error.code, 'version_conflict');
  const current = (await ws.api('GET', `/v1/conversations/${conv.id}`)).body.conversation;
  assert.equal(current.assigneeId, winnerId);
  assert.equal(current.version, conv.version + 1);
  assert.deepEqual(winner.body.conversation, current);
  assert.deepEqual(loser.body.error.details.conversation, current);
  // Only the winner's assignment is in the trail.
  const assigned = (await ws.api('GET', `/v1/conversations/${conv.id}/timeline`)).body.items.filter((i: any) => i.type === 'assigned');
  assert.equal(assigned.length, 1);
  assert.equal(assigned[0].data.to, winnerId);
  // The loser, now holding the current version, can retry.
  const retry = await ana.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ana.id }, { 'If-Match': `"${current.version}"` });
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  assert.equal(retry.body.conversation.assigneeId, ana.id);
});

test('a stale If-Match on resolve gets 409 and leaves the conversation open', async (t) => {
  const { ws, ana, ben } = await setup(t);
  const conv = await inbound(ws);
  const assigned = await ben.call('POST', `/v1/conversations/${conv.id}/assign`, { assigneeId: ben.id });
  assert.equal(assigned.status, 200);
  const stale = await ana.call('POST', `/v1/conversations/${conv.id}/resolve`, undefined, { 'If-Match': String(conv.version) });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.code, 'version_conflict');
  assert.deepEqual(stale.body.error.details.conversation, assigned.body.conversation);
  const now = (await ws.api('GET', `/v1/conversations/${conv.id}`)).body.conversation;
  assert.equal(now.status, 'open');
  assert.equal(now.version, assigned.body.conversation.version);
  const events = (await ws.api('GET', `/v1/conversations/${conv.id}/timeline`)).body.items.filter((i: any) => i.type === 'resolved');
  assert.equal(events.length, 0);
  const fresh = await ana.call('POST', `/v1/conversations/${conv.id}/resolve`, undefined, { 'If-Match': String(now.version) });
  assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  assert.equal(fresh.body.conversation.status, 'resolved');
});

test('pagination with limit and cursor returns every conversation once, newest activity first', async (t) => {
  const { server, ws, ana } = await setup(t);
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    server.clock!.advance(1000);
    ids.push((await inbound(ws, `message ${i}`, `Contact ${i}`)).id);
  }
  // Three more in the same millisecond: ties are broken by id, still without gaps or repeats.
  server.clock!.advance(1000);
  for (let i = 30; i < 33; i++) ids.push((await inbound(ws, `message ${i}`, `Contact ${i}`)).id);
  // New activity on an old conversation moves it to the front.
  server.clock!.advance(1000);
  const bumped = ids[3]!;
  assert.equal((await ws.api('POST', `/v1/conversations/${bumped}/messages`, { direction: 'inbound', body: 'still there?' })).status, 201);

  const seen: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: any = await ana.call('GET', `/v1/conversations?view=all&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.items.length <= 7);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
    assert.ok(pages < 20, 'pagination does not end');
  } while (cursor);
  assert.equal(pages, Math.ceil(33 / 7));
  const seenIds = seen.map((c) => c.id);
  assert.equal(new Set(seenIds).size, seenIds.length, 'a conversation came back twice');
  assert.deepEqual([...seenIds].sort(), [...ids].sort());
  assert.equal(seenIds[0], bumped);
  for (let i = 1; i < seen.length; i++) {
    const prev = Date.parse(seen[i - 1].lastMessageAt);
    const cur = Date.parse(seen[i].lastMessageAt);
    assert.ok(prev > cur || (prev === cur && seen[i - 1].id > seen[i].id), `not newest first at ${i}`);
  }
  // Exactly: the bumped one, then the three tied ones by id, then the rest newest first.
  const tied = ids.slice(30).sort().reverse();
  const rest = ids.slice(0, 30).filter((id) => id !== bumped).reverse();
  assert.deepEqual(seenIds, [bumped, ...tied, ...rest]);
});

test('an invalid cursor is a 400 with the error shape', async (t) => {
  const { ws, ana } = await setup(t);
  await inbound(ws);
  for (const cursor of ['not-a-cursor', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["x", 5]').toString('base64url')]) {
    const res = await ana.call('GET', `/v1/conversations?view=all&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(res.status, 400, `cursor ${cursor}`);
    assert.equal(typeof res.body.error.code, 'string');
    assert.equal(typeof res.body.error.message, 'string');
  }
});

test("GET /v1/contacts/:id/conversations lists that contact's conversations only", async (t) => {
  const { server, ws, ana } = await setup(t);
  const contact = await ws.api('POST', '/v1/contacts', { name: 'Erin', email: 'erin@example.com' });
  assert.equal(contact.status, 201);
  const contactId = contact.body.contact.id;
  const first = await ws.api('POST', '/v1/conversations', { contactId, channel: 'email', subject: 'Invoice', message: { body: 'Where is my invoice?' } });
  assert.equal(first.status, 201);
  server.clock!.advance(1000);
  const second = await ana.call('POST', '/v1/conversations', { contactId, channel: 'sms' });
  assert.equal(second.status, 201);
  const other = await inbound(ws, 'someone else', 'Frank');
  const res = await ana.call('GET', `/v1/contacts/${contactId}/conversations`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.contact.id, contactId);
  assert.deepEqual(
    res.body.items.map((c: any) => c.id),
    [second.body.conversation.id, first.body.conversation.id],
  );
  assert.ok(!res.body.items.some((c: any) => c.id === other.id));
  for (const c of res.body.items) assert.equal(c.contactId, contactId);
  const missing = await ana.call('GET', '/v1/contacts/ct_doesnotexist/conversations');
  assert.equal(missing.status, 404);
});

test('notifications: the assignee gets one, self-assignment notifies nobody, and read updates unread', async (t) => {
  const { ws, ana, ben } = await setup(t);
  const c1 = await inbound(ws, 'first', 'Gina');
  const c2 = await inbound(ws, 'second', 'Hal');

  assert.equal((await ana.call('POST', `/v1/conversations/${c1.id}/assign`, { assigneeId: ben.id })).status, 200);
  let benList = await ben.call('GET', '/v1/notifications');
  assert.equal(benList.status, 200);
  assert.equal(benList.body.items.length, 1);
  const [n] = benList.body.items;
  assert.equal(n.type, 'assigned');
  assert.equal(n.agentId, ben.id);
  assert.equal(n.conversationId, c1.id);
  assert.deepEqual(n.actor, { type: 'agent', id: ana.id });
  assert.equal(n.readAt, null);
  assert.equal(benList.body.unread, 1);
  // The assigner is not notified of what they did.
  const anaList = await ana.call('GET', '/v1/notifications');
  assert.deepEqual(anaList.body, { items: [], unread: 0 });

  // Assigning yourself notifies nobody.
  assert.equal((await ben.call('POST', `/v1/conversations/${c2.id}/assign`, { assigneeId: ben.id })).status, 200);
  benList = await ben.call('GET', '/v1/notifications');
  assert.equal(benList.body.items.length, 1);
  assert.equal(benList.body.unread, 1);
  assert.deepEqual((await ana.call('GET', '/v1/notifications')).body, { items: [], unread: 0 });

  // Another agent cannot mark Ben's notification read.
  const foreign = await ana.call('POST', '/v1/notifications/read', { ids: [n.id] });
  assert.equal(foreign.status, 200);
  assert.equal((await ben.call('GET', '/v1/notifications')).body.unread, 1);

  const read = await ben.call('POST', '/v1/notifications/read', { ids: [n.id] });
  assert.equal(read.status, 200, JSON.stringify(read.body));
  assert.equal(read.body.unread, 0);
  benList = await ben.call('GET', '/v1/notifications');
  assert.equal(benList.body.unread, 0);
  assert.notEqual(benList.body.items[0].readAt, null);
  const unreadOnly = await ben.call('GET', '/v1/notifications?unreadOnly=true');
  assert.deepEqual(unreadOnly.body.items, []);
});
