import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatonApiError } from '../src/index.js';
import { setup } from './support.js';

/** The SDK's inbox actions against a real server: edits, with the typed results and errors. */

test('updateConversation edits fields and refuses a stale If-Match with version_conflict', async (t) => {
  const { host, ana, rest } = await setup(t);
  const api = rest(ana);
  const { conversation } = await host.createConversation({ contact: { name: 'Lucía' }, channel: 'sms', message: { body: 'hola' } });
  const edited = await api.updateConversation(conversation.id, { tags: ['billing'], priority: 'high' }, { ifMatch: conversation.version });
  assert.deepEqual(edited.conversation.tags, ['billing']);
  assert.equal(edited.conversation.priority, 'high');
  await assert.rejects(
    api.updateConversation(conversation.id, { priority: 'low' }, { ifMatch: conversation.version }),
    (e) => e instanceof BatonApiError && e.status === 409 && e.code === 'version_conflict',
  );
  const events = (await api.timeline(conversation.id)).items.filter((i) => i.kind === 'event').map((i) => (i.kind === 'event' ? i.type : ''));
  assert.deepEqual(events, ['created', 'tagged', 'priority_changed']);
});

test('snooze puts a conversation in Snoozed until a time; until: null wakes it; a past time is a 400 on until', async (t) => {
  const { server, host, ana, rest } = await setup(t);
  const api = rest(ana);
  const { conversation } = await host.createConversation({ contact: { name: 'Lucía' }, channel: 'sms', message: { body: 'hola' } });
  const until = new Date(server.clock!.now() + 3_600_000).toISOString();
  const snoozed = await api.snooze(conversation.id, { until });
  assert.equal(snoozed.conversation.snoozedUntil, until);
  assert.deepEqual((await api.listConversations({ view: 'snoozed' })).items.map((c) => c.id), [conversation.id]);
  assert.equal((await api.counts()).snoozed, 1);
  assert.equal((await api.snooze(conversation.id, { until: null })).conversation.snoozedUntil, null);
  await assert.rejects(
    api.snooze(conversation.id, { until: new Date(server.clock!.now() - 1000).toISOString() }),
    (e) => e instanceof BatonApiError && e.status === 400 && JSON.stringify(e.details).includes('until'),
  );
});

test('bulk returns a result per id: done ones with the conversation, failed ones with the error', async (t) => {
  const { host, ana, rest } = await setup(t);
  const api = rest(ana);
  const a = (await host.createConversation({ contact: { name: 'A' }, channel: 'sms', message: { body: 'a' } })).conversation;
  const b = (await host.createConversation({ contact: { name: 'B' }, channel: 'sms', message: { body: 'b' } })).conversation;
  const { results } = await api.bulk({ action: 'resolve', ids: [a.id, b.id, 'conv_missing'], ifMatch: { [b.id]: b.version + 1 } });
  assert.deepEqual(results.map((r) => [r.id, r.ok, r.status]), [
    [a.id, true, 200],
    [b.id, false, 409],
    ['conv_missing', false, 404],
  ]);
  const [done, stale] = results;
  assert.ok(done?.ok && done.conversation.status === 'resolved');
  assert.ok(stale && !stale.ok && stale.error.code === 'version_conflict');
});

test('saved replies: the host saves one, an agent lists it rendered for a conversation; agents cannot write', async (t) => {
  const { host, ana, rest } = await setup(t);
  const api = rest(ana);
  const { savedReply } = await host.createSavedReply({ name: 'Thanks', shortcut: 'thx', body: 'Thanks, {{contact.firstName}}!' });
  const { conversation } = await host.createConversation({ contact: { name: 'Lucía Pérez' }, channel: 'sms', message: { body: 'hola' } });
  const { items } = await api.listSavedReplies({ conversationId: conversation.id });
  assert.deepEqual(items.map((r) => [r.id, r.shortcut, r.rendered]), [[savedReply.id, 'thx', 'Thanks, Lucía!']]);
  await assert.rejects(api.createSavedReply({ name: 'Mine', body: 'x' }), (e) => e instanceof BatonApiError && e.status === 403);
  assert.equal((await host.updateSavedReply(savedReply.id, { name: 'Thank you' })).savedReply.name, 'Thank you');
  assert.deepEqual(await host.deleteSavedReply(savedReply.id), { ok: true });
  assert.deepEqual((await api.listSavedReplies()).items, []);
});

test('listConversations takes the filters and sorts', async (t) => {
  const { server, host, ana, rest } = await setup(t);
  const api = rest(ana);
  const a = (await host.createConversation({ contact: { name: 'A' }, channel: 'email', tags: ['vip'], message: { body: 'a' } })).conversation;
  server.clock!.advance(1000); // activity order is time order, not id order
  const b = (await host.createConversation({ contact: { name: 'B' }, channel: 'email', tags: ['vip'], priority: 'urgent', message: { body: 'b' } })).conversation;
  await host.createConversation({ contact: { name: 'C' }, channel: 'sms', message: { body: 'c' } });
  const newest = await api.listConversations({ view: 'all', channel: 'email', tag: 'vip' });
  assert.deepEqual(newest.items.map((c) => c.id), [b.id, a.id]);
  const oldest = await api.listConversations({ view: 'all', channel: 'email', sort: 'oldest_waiting' });
  assert.deepEqual(oldest.items.map((c) => c.id), [a.id, b.id]);
  assert.deepEqual((await api.listConversations({ priority: 'urgent' })).items.map((c) => c.id), [b.id]);
});
