import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// PATCH /v1/conversations/:id (DESIGN §5): tags, priority, team, subject, each change a timeline
// event; If-Match refuses stale edits; a patch that changes nothing writes nothing.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Billing', memberIds: [ana.id] }), 201);
  const { conversation } = await ok(
    ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', subject: 'Order', tags: ['vip'], message: { body: 'late order' } }),
    201,
  );
  const events = async (id: string) =>
    (await ok(ws.api('GET', `/v1/conversations/${id}/timeline`), 200)).items.filter((i: any) => i.kind === 'event' && i.type !== 'created');
  return { server, ws, ana, team, conversation, events };
}

test('a patch changes each field and writes one event per change', async (t) => {
  const { ws, ana, team, conversation, events } = await setup(t);
  const res = await ok(
    ana.call('PATCH', `/v1/conversations/${conversation.id}`, { tags: ['billing', 'billing'], priority: 'urgent', teamId: team.id, subject: 'Refund' }),
    200,
  );
  assert.deepEqual(res.conversation.tags, ['billing']);
  assert.equal(res.conversation.priority, 'urgent');
  assert.equal(res.conversation.teamId, team.id);
  assert.equal(res.conversation.subject, 'Refund');
  assert.equal(res.conversation.version, conversation.version + 1);
  const got = (await events(conversation.id)).map((e: any) => [e.type, e.data, e.actor]);
  const actor = { type: 'agent', id: ana.id };
  assert.deepEqual(got, [
    ['tagged', { added: ['billing'], removed: ['vip'] }, actor],
    ['priority_changed', { from: 'normal', to: 'urgent' }, actor],
    ['team_changed', { from: null, to: team.id }, actor],
    ['subject_changed', { from: 'Order', to: 'Refund' }, actor],
  ]);
  // Stored, not only answered.
  assert.deepEqual((await ok(ws.api('GET', `/v1/conversations/${conversation.id}`), 200)).conversation, res.conversation);
});

test('only what changed gets an event; the API key edits as the api actor; null clears team and subject', async (t) => {
  const { ws, team, conversation, events } = await setup(t);
  await ok(ws.api('PATCH', `/v1/conversations/${conversation.id}`, { tags: ['vip', 'late'], priority: 'normal', teamId: team.id }), 200);
  const cleared = await ok(ws.api('PATCH', `/v1/conversations/${conversation.id}`, { teamId: null, subject: null }), 200);
  assert.equal(cleared.conversation.teamId, null);
  assert.equal(cleared.conversation.subject, null);
  const got = (await events(conversation.id)).map((e: any) => [e.type, e.data, e.actor.type]);
  assert.deepEqual(got, [
    ['tagged', { added: ['late'], removed: [] }, 'api'],
    ['team_changed', { from: null, to: team.id }, 'api'],
    ['team_changed', { from: team.id, to: null }, 'api'],
    ['subject_changed', { from: 'Order', to: null }, 'api'],
  ]);
});

test('a patch that changes nothing keeps the version and writes no event', async (t) => {
  const { ana, conversation, events } = await setup(t);
  for (const body of [{}, { tags: ['vip'] }, { priority: 'normal', subject: 'Order', teamId: null }]) {
    const res = await ok(ana.call('PATCH', `/v1/conversations/${conversation.id}`, body), 200);
    assert.equal(res.conversation.version, conversation.version, JSON.stringify(body));
  }
  assert.deepEqual(await events(conversation.id), []);
});

test('If-Match: a stale version gets 409 with the current conversation and changes nothing', async (t) => {
  const { ana, conversation, events } = await setup(t);
  const first = await ok(ana.call('PATCH', `/v1/conversations/${conversation.id}`, { priority: 'high' }, { 'if-match': `"${conversation.version}"` }), 200);
  const stale = await ana.call('PATCH', `/v1/conversations/${conversation.id}`, { priority: 'low' }, { 'if-match': `"${conversation.version}"` });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.code, 'version_conflict');
  assert.deepEqual(stale.body.error.details.conversation, first.conversation);
  assert.equal((await events(conversation.id)).length, 1);
});

test('an unknown team is a 400 naming teamId, and nothing else in the patch is applied', async (t) => {
  const { ana, conversation, events } = await setup(t);
  const res = await ana.call('PATCH', `/v1/conversations/${conversation.id}`, { priority: 'urgent', teamId: 'team_nope' });
  assert.equal(res.status, 400);
  assert.deepEqual(res.body.error.details[0].path, ['teamId']);
  assert.equal((await ok(ana.call('GET', `/v1/conversations/${conversation.id}`), 200)).conversation.priority, 'normal');
  assert.deepEqual(await events(conversation.id), []);
});

test('connected agents see the edit as conversation:updated with its timeline events', async (t) => {
  const { server, ana, conversation } = await setup(t);
  const live = await server.live(ana.token);
  await ok(ana.call('PATCH', `/v1/conversations/${conversation.id}`, { priority: 'high' }), 200);
  const updated = await live.rec.waitFor('conversation:updated', (e) => e.conversation.id === conversation.id);
  assert.equal(updated.conversation.priority, 'high');
  const added = await live.rec.waitFor('timeline:added', (e) => e.item.kind === 'event');
  assert.equal(added.item.type, 'priority_changed');
});
