import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fillLastMessage } from '../src/storage/migrations/0030_last_speaker.js';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// List rows name the last speaker ("You:", "Ana:") and that message's time (issue #11): each
// conversation carries `lastMessage { direction, author, at }`, kept by the writes that set `preview`.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const ben = await ws.addAgent('ben');
  return { server, ws, ana, ben };
}

const listed = async (agent: { call: any }, id: string) =>
  ((await ok(agent.call('GET', '/v1/conversations?view=all&limit=100'), 200)) as any).items.find((c: any) => c.id === id);

test('a conversation created with an inbound message names the customer side and its time; without one, null', async (t) => {
  const { server, ws, ana } = await setup(t);
  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Lucía' }, channel: 'sms', message: { body: 'Hola' } }), 201);
  assert.deepEqual(conversation.lastMessage, { direction: 'inbound', author: { type: 'api', id: null }, at: conversation.createdAt });
  const bare = (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Priya' }, channel: 'email' }), 201)).conversation;
  assert.equal(bare.lastMessage, null);
  server.clock!.advance(60_000);
  assert.deepEqual((await listed(ana, conversation.id)).lastMessage, conversation.lastMessage);
});

test("a reply makes the replying agent the last speaker at the reply's time; a later note does not, nor does a manual reopen", async (t) => {
  const { server, ws, ana, ben } = await setup(t);
  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Lucía' }, channel: 'sms', message: { body: 'Hola' } }), 201);
  server.clock!.advance(60_000);
  const reply = await ok(ana.call('POST', `/v1/conversations/${conversation.id}/messages`, { direction: 'outbound', body: 'Sí, el sábado' }), 201);
  const replyAt = reply.message.createdAt;
  assert.deepEqual(reply.conversation.lastMessage, { direction: 'outbound', author: { type: 'agent', id: ana.id }, at: replyAt });
  server.clock!.advance(60_000);
  await ok(ben.call('POST', `/v1/conversations/${conversation.id}/notes`, { body: 'internal: check the slot' }), 201);
  await ok(ben.call('POST', `/v1/conversations/${conversation.id}/resolve`), 200);
  server.clock!.advance(60_000);
  await ok(ben.call('POST', `/v1/conversations/${conversation.id}/reopen`), 200);
  const row = await listed(ben, conversation.id);
  assert.equal(row.preview, 'Sí, el sábado');
  assert.deepEqual(row.lastMessage, { direction: 'outbound', author: { type: 'agent', id: ana.id }, at: replyAt });
  // The row's activity time moved with the reopen; the message's time did not.
  assert.notEqual(row.lastMessageAt, replyAt);
  server.clock!.advance(60_000);
  const inbound = await ok(ws.api('POST', `/v1/conversations/${conversation.id}/messages`, { direction: 'inbound', body: 'Gracias' }), 201);
  assert.deepEqual((await listed(ana, conversation.id)).lastMessage, { direction: 'inbound', author: { type: 'api', id: null }, at: inbound.message.createdAt });
});

test('migration 0030 fills the columns from each conversation\'s latest message, skipping notes', async (t) => {
  const { server, ws, ana, ben } = await setup(t);
  const a = (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'A' }, channel: 'sms', message: { body: 'one' } }), 201)).conversation;
  const b = (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'B' }, channel: 'sms' }), 201)).conversation;
  server.clock!.advance(1000);
  await ok(ana.call('POST', `/v1/conversations/${a.id}/messages`, { direction: 'outbound', body: 'two' }), 201);
  server.clock!.advance(1000);
  await ok(ben.call('POST', `/v1/conversations/${a.id}/notes`, { body: 'a note' }), 201);
  const before = [(await listed(ana, a.id)).lastMessage, (await listed(ana, b.id)).lastMessage];
  const { db } = server.server.deps.storage;
  await db
    .updateTable('conversations')
    .set({ last_message_direction: null, last_message_author_type: null, last_message_author_id: null, last_message_sent_at: null })
    .execute();
  assert.equal((await listed(ana, a.id)).lastMessage, null);
  await fillLastMessage(db);
  assert.deepEqual([(await listed(ana, a.id)).lastMessage, (await listed(ana, b.id)).lastMessage], before);
  assert.equal(before[0].author.id, ana.id);
});
