import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { MAX_SAVED_REPLIES } from '@baton/protocol';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// Saved replies (DESIGN §5): agents read, admins and the API key write; per workspace, capped;
// placeholders checked on save and filled in for a conversation on request.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const boss = await ws.addAgent('boss', { role: 'admin', name: 'Bea Boss' });
  const ana = await ws.addAgent('ana', { name: 'Ana Díaz' });
  return { server, ws, boss, ana };
}

test('an admin creates, edits and deletes; agents list them by name', async (t) => {
  const { boss, ana } = await setup(t);
  const { savedReply: thanks } = await ok(boss.call('POST', '/v1/saved-replies', { name: 'Thanks', shortcut: 'thx', body: 'Thanks, {{contact.name}}!' }), 201);
  const { savedReply: hello } = await ok(boss.call('POST', '/v1/saved-replies', { name: 'Hello', body: 'Hi {{ contact.firstName }}, {{agent.firstName}} here.' }), 201);
  assert.equal(thanks.shortcut, 'thx');
  assert.equal(hello.shortcut, null);
  const list = await ok(ana.call('GET', '/v1/saved-replies'), 200);
  assert.deepEqual(list.items.map((r: any) => [r.name, r.rendered]), [
    ['Hello', null],
    ['Thanks', null],
  ]);
  const edited = await ok(boss.call('PATCH', `/v1/saved-replies/${thanks.id}`, { body: 'Many thanks, {{contact.name}}.', shortcut: null }), 200);
  assert.equal(edited.savedReply.body, 'Many thanks, {{contact.name}}.');
  assert.equal(edited.savedReply.shortcut, null);
  assert.deepEqual(await ok(boss.call('DELETE', `/v1/saved-replies/${hello.id}`), 200), { ok: true });
  assert.deepEqual((await ok(ana.call('GET', '/v1/saved-replies'), 200)).items.map((r: any) => r.id), [thanks.id]);
  assert.equal((await boss.call('DELETE', `/v1/saved-replies/${hello.id}`)).status, 404);
});

test('with conversationId each reply comes rendered for its contact and the calling agent', async (t) => {
  const { ws, boss, ana } = await setup(t);
  await ok(ws.api('POST', '/v1/saved-replies', { name: 'Hello', body: 'Hi {{contact.firstName}} ({{contact.name}}), {{agent.firstName}} here about "{{conversation.subject}}".' }), 201);
  const { conversation } = await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Lucía Pérez' }, channel: 'sms', subject: 'Refund', message: { body: 'hi' } }), 201);
  const list = await ok(ana.call('GET', `/v1/saved-replies?conversationId=${conversation.id}`), 200);
  assert.equal(list.items[0].rendered, 'Hi Lucía (Lucía Pérez), Ana here about "Refund".');
  assert.equal((await ok(boss.call('GET', `/v1/saved-replies?conversationId=${conversation.id}`), 200)).items[0].rendered, 'Hi Lucía (Lucía Pérez), Bea here about "Refund".');
  assert.equal((await ana.call('GET', '/v1/saved-replies?conversationId=conv_nope')).status, 404);
});

test('agents may not write; unknown placeholders and taken shortcuts are refused; nothing is written', async (t) => {
  const { ws, boss, ana } = await setup(t);
  assert.equal((await ana.call('POST', '/v1/saved-replies', { name: 'X', body: 'x' })).status, 403);
  const typo = await boss.call('POST', '/v1/saved-replies', { name: 'Typo', body: 'Hi {{contact.nmae}}' });
  assert.equal(typo.status, 400);
  assert.deepEqual(typo.body.error.details[0].path, ['body']);
  await ok(boss.call('POST', '/v1/saved-replies', { name: 'A', shortcut: 'Hi', body: 'a' }), 201);
  const taken = await boss.call('POST', '/v1/saved-replies', { name: 'B', shortcut: 'hi', body: 'b' });
  assert.equal(taken.status, 409);
  assert.equal((await ok(ws.api('GET', '/v1/saved-replies'), 200)).items.length, 1);
});

test(`a workspace has at most ${MAX_SAVED_REPLIES} saved replies`, async (t) => {
  const { server, ws } = await setup(t);
  // Filled through storage: 500 HTTP round trips would only slow the test down.
  const { insertSavedReply } = await import('../src/storage/saved-replies.js');
  const db = server.server.deps.storage.db;
  for (let i = 0; i < MAX_SAVED_REPLIES; i++) {
    await insertSavedReply(db, { id: `sr_${i}`, workspace_id: ws.id, name: `R${i}`, shortcut: null, shortcut_lower: null, body: 'x', created_at: 1, updated_at: 1 });
  }
  const res = await ws.api('POST', '/v1/saved-replies', { name: 'One more', body: 'x' });
  assert.equal(res.status, 409);
  assert.equal(res.body.error.code, 'limit_reached');
  await ok(ws.api('DELETE', '/v1/saved-replies/sr_0'), 200);
  await ok(ws.api('POST', '/v1/saved-replies', { name: 'One more', body: 'x' }), 201);
});

test("another workspace's saved replies are never listed or reachable", async (t) => {
  const { server, ws } = await setup(t);
  const other = await server.createWorkspace('Globex');
  const { savedReply } = await ok(other.api('POST', '/v1/saved-replies', { name: 'Theirs', body: 'x' }), 201);
  assert.deepEqual((await ok(ws.api('GET', '/v1/saved-replies'), 200)).items, []);
  assert.equal((await ws.api('PATCH', `/v1/saved-replies/${savedReply.id}`, { name: 'Mine now' })).status, 404);
  assert.equal((await ws.api('DELETE', `/v1/saved-replies/${savedReply.id}`)).status, 404);
  assert.equal((await ok(other.api('GET', '/v1/saved-replies'), 200)).items[0].name, 'Theirs');
});
