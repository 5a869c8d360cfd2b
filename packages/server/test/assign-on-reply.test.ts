import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// `assignOnReply` (PATCH /v1/workspace): an agent's reply to a conversation nobody is assigned to
// assigns it to them, as Intercom and Front do. Off by default.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  const create = async (name = 'Lucía') => (await ok(ws.api('POST', '/v1/conversations', { contact: { name }, channel: 'sms', message: { body: 'Hola' } }), 201)).conversation.id as string;
  const get = async (id: string) => (await ok(ana.call('GET', `/v1/conversations/${id}`), 200)).conversation;
  const reply = (agent: typeof ana, id: string, body = 'Sí') => ok(agent.call('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body }), 201);
  const events = async (id: string) => ((await ok(ana.call('GET', `/v1/conversations/${id}/timeline`), 200)).items as any[]).filter((i) => i.kind === 'event' && i.type !== 'created');
  const counts = async (agent: typeof ana) => ok(agent.call('GET', '/v1/conversations/counts'), 200);
  return { server, ws, ana, ben, create, get, reply, events, counts };
}

test('off by default: a reply leaves the conversation unassigned', async (t) => {
  const { ws, ana, create, get, reply, events } = await setup(t);
  assert.equal((await ok(ws.api('GET', '/v1/workspace'), 200)).workspace.assignOnReply, false);
  const id = await create();
  await reply(ana, id);
  assert.equal((await get(id)).assigneeId, null);
  assert.deepEqual(await events(id), []);
});

test("on: the replier gets it, with an event that says why, in Mine at once; no notification, and nothing else's assignee changes", async (t) => {
  const { server, ws, ana, ben, create, get, reply, events, counts } = await setup(t);
  const patched = await ok(ws.api('PATCH', '/v1/workspace', { assignOnReply: true }), 200);
  assert.equal(patched.workspace.assignOnReply, true);
  const id = await create();
  const other = await create('Priya');
  const before = await counts(ana);

  const answered = await reply(ana, id);
  assert.equal(answered.conversation.assigneeId, ana.id);
  const [assigned] = await events(id);
  assert.equal(assigned.type, 'assigned');
  assert.deepEqual(assigned.actor, { type: 'agent', id: ana.id });
  assert.deepEqual(assigned.data, { from: null, to: ana.id, teamId: null, reason: 'reply' });
  const after = await counts(ana);
  assert.equal(after.mine, before.mine + 1);
  assert.equal(after.unassigned, before.unassigned - 1);
  const mine = (await ok(ana.call('GET', '/v1/conversations?view=mine'), 200)).items.map((c: any) => c.id);
  assert.deepEqual(mine, [id]);
  await server.settle();
  assert.deepEqual((await ok(ana.call('GET', '/v1/notifications'), 200)).items, []);

  // Ben's later reply does not take it from Ana; his reply to another assigned one neither.
  await reply(ben, id, 'También');
  assert.equal((await get(id)).assigneeId, ana.id);
  assert.equal((await events(id)).length, 1);
  await ok(ana.call('POST', `/v1/conversations/${other}/assign`, { assigneeId: ana.id }), 200);
  await reply(ben, other);
  assert.equal((await get(other)).assigneeId, ana.id);
});

test('on: notes, the host\'s replies (API key) and customer messages never assign', async (t) => {
  const { ws, ana, create, get } = await setup(t);
  await ok(ws.api('PATCH', '/v1/workspace', { assignOnReply: true }), 200);
  const id = await create();
  await ok(ana.call('POST', `/v1/conversations/${id}/notes`, { body: 'checking' }), 201);
  await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'outbound', body: 'Automated: got it' }), 201);
  await ok(ws.api('POST', `/v1/conversations/${id}/messages`, { direction: 'inbound', body: 'Gracias' }), 201);
  assert.equal((await get(id)).assigneeId, null);
});

test('on: a reply to a resolved, unassigned conversation reopens it and assigns it, in that order', async (t) => {
  const { ws, ana, create, get, reply, events } = await setup(t);
  await ok(ws.api('PATCH', '/v1/workspace', { assignOnReply: true }), 200);
  const id = await create();
  await ok(ana.call('POST', `/v1/conversations/${id}/resolve`), 200);
  await reply(ana, id, 'One more thing');
  const c = await get(id);
  assert.equal(c.status, 'open');
  assert.equal(c.assigneeId, ana.id);
  assert.deepEqual((await events(id)).map((e) => e.type), ['resolved', 'reopened', 'assigned']);
});

test('on: a conversation waiting in a routing queue leaves it when someone replies', async (t) => {
  const { server, ws, ana, get, reply } = await setup(t);
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const luis = await ws.addAgent('luis', { skills: ['es'], availability: 'away' });
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Bilingual', memberIds: [luis.id] }), 201);
  const { workflow } = await ok(
    boss.call('POST', '/v1/workflows', {
      name: 'Spanish → bilingual',
      trigger: { event: 'conversation.created' },
      conditions: { all: [{ field: 'contact.language', op: 'eq', value: 'es' }] },
      actions: [{ type: 'assign', steps: [{ pool: { team: team.id }, require: { skills: ['es'] }, strategy: 'round_robin', skipIfNoneAvailable: true }] }],
    }),
    201,
  );
  await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`), 200);
  await ok(ws.api('PATCH', '/v1/workspace', { assignOnReply: true }), 200);
  const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'José', language: 'es' }), 201);
  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contactId: contact.id, channel: 'sms', message: { body: 'hola' } }), 201);
  await server.settle();
  assert.ok((await get(conversation.id)).waitingSince, 'queued');

  await reply(ana, conversation.id, 'Hola José');
  assert.equal((await get(conversation.id)).waitingSince, null);
  // Luis comes back: the queue has nothing of this conversation's left to hand him.
  await ok(luis.call('PATCH', `/v1/agents/${luis.id}`, { availability: 'online' }), 200);
  await server.settle();
  assert.equal((await get(conversation.id)).assigneeId, ana.id);
});

test('assignOnReply must be a boolean; only admins and the API key set it; nothing changes on a refusal', async (t) => {
  const { ws, ana } = await setup(t);
  for (const bad of ['yes', 1, null]) {
    const res = await ws.api('PATCH', '/v1/workspace', { assignOnReply: bad });
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.equal(res.body.error.code, 'validation_failed');
  }
  assert.equal((await ana.call('PATCH', '/v1/workspace', { assignOnReply: true })).status, 403);
  assert.equal((await ok(ws.api('GET', '/v1/workspace'), 200)).workspace.assignOnReply, false);
});
