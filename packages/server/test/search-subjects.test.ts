import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { SearchPage } from '@baton/protocol';
import { sql } from 'kysely';
import { TestServer, expectStatus as ok, tempDbFile, type TestAgent, type TestWorkspace } from '../src/testing.js';

// Search finds a conversation by its subject, the words shown in its header: same word rules as
// messages, first page of an unnarrowed search only, latest activity first, one workspace only.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  return { server, ws, ana };
}

async function emailConversation(ws: TestWorkspace, subject: string, contactName = 'Dana', body = 'Hello') {
  return (await ok(ws.api('POST', '/v1/conversations', { contact: { name: contactName }, channel: 'email', subject, message: { body } }), 201))
    .conversation;
}

async function search(agent: TestAgent | TestWorkspace, q: string, params: Record<string, string> = {}) {
  const call = 'call' in agent ? agent.call : agent.api;
  const body = await ok(call('GET', `/v1/search?${new URLSearchParams({ q, ...params })}`), 200);
  SearchPage.parse(body); // the response is what the contract (and the OpenAPI document) says
  return body as SearchPage;
}

const subjects = (page: SearchPage) => page.conversations.map((c) => c.subject);

test('a conversation is found by its subject: word prefixes, any case, accents folded, with its context', async (t) => {
  const { ws, ana } = await setup(t);
  const billing = await emailConversation(ws, 'Billing question 7', 'Lucía Fernández', 'Please see attached');
  await emailConversation(ws, 'Shipping delay');

  const page = await search(ana, 'Billing question 7');
  assert.deepEqual(page.conversations, [
    {
      id: billing.id, contactId: billing.contactId, contactName: 'Lucía Fernández', channel: 'email', subject: 'Billing question 7',
      status: 'open', snoozedUntil: null, lastMessageAt: billing.lastMessageAt,
    },
  ]);
  // The subject is not a message: the message hits stay as they were.
  assert.deepEqual(page.items, []);
  assert.deepEqual(subjects(await search(ana, 'BILL quest')), ['Billing question 7']);
  assert.deepEqual(subjects(await search(ana, 'bill shipping')), [], 'every word must match the one subject');
  assert.deepEqual(subjects(await search(ana, 'illing')), [], 'a word is matched from its start');

  await emailConversation(ws, 'Facturación pendiente');
  assert.deepEqual(subjects(await search(ana, 'facturacion')), ['Facturación pendiente']);
  assert.deepEqual(subjects(await search(ana, 'FACTURACIÓN pend')), ['Facturación pendiente']);
  // Query syntax is text.
  assert.deepEqual(subjects(await search(ana, '"billing" OR NEAR(shipping*')), []);
  assert.deepEqual(subjects(await search(ana, 'billing*')), ['Billing question 7']);
  // The API key (host backend) gets them too.
  assert.deepEqual(subjects(await search(ws, 'billing')), ['Billing question 7']);
});

test('after the subject is edited, the new words find the conversation and the old ones do not', async (t) => {
  const { ws, ana } = await setup(t);
  const c = await emailConversation(ws, 'Refund request');
  assert.deepEqual(subjects(await search(ana, 'refund')), ['Refund request']);

  await ok(ana.call('PATCH', `/v1/conversations/${c.id}`, { subject: 'Invoice copy needed' }), 200);
  assert.deepEqual(subjects(await search(ana, 'refund')), []);
  assert.deepEqual((await search(ana, 'invoice copy')).conversations.map((x) => [x.id, x.subject]), [[c.id, 'Invoice copy needed']]);

  // Cleared: nothing finds it; set again (and a conversation created without one): found.
  await ok(ana.call('PATCH', `/v1/conversations/${c.id}`, { subject: null }), 200);
  assert.deepEqual(subjects(await search(ana, 'invoice')), []);
  const plain = (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Sam' }, channel: 'sms', message: { body: 'hi' } }), 201)).conversation;
  await ok(ana.call('PATCH', `/v1/conversations/${plain.id}`, { subject: 'Invoice dispute' }), 200);
  assert.deepEqual((await search(ana, 'invoice')).conversations.map((x) => x.id), [plain.id]);
});

test("another workspace's subjects are never found", async (t) => {
  const { server, ws, ana } = await setup(t);
  const other = await server.createWorkspace('Other');
  const bob = await other.addAgent('bob');
  await emailConversation(other, 'Billing question 7');
  assert.deepEqual(subjects(await search(ana, 'billing')), []);
  const mine = await emailConversation(ws, 'Billing question 8');
  assert.deepEqual((await search(ana, 'billing question')).conversations.map((c) => c.id), [mine.id]);
  assert.deepEqual(subjects(await search(bob, 'billing question')), ['Billing question 7']);
});

test('at most 5, latest activity first; not with kind, conversationId or on a later page', async (t) => {
  const { server, ws, ana } = await setup(t);
  const made = [];
  for (let i = 1; i <= 7; i++) {
    made.push(await emailConversation(ws, `Billing question ${i}`, 'Dana', `billing details ${i}`));
    server.clock!.advance(1000);
  }
  // Activity, not creation, orders them: a reply moves question 2 to the top.
  await ok(ws.api('POST', `/v1/conversations/${made[1]!.id}/messages`, { direction: 'inbound', body: 'any news?' }), 201);

  const first = await search(ana, 'billing', { limit: '2' });
  assert.deepEqual(subjects(first), ['Billing question 2', 'Billing question 7', 'Billing question 6', 'Billing question 5', 'Billing question 4']);
  assert.ok(first.nextCursor);
  assert.deepEqual((await search(ana, 'billing', { limit: '2', cursor: first.nextCursor })).conversations, []);
  assert.deepEqual((await search(ana, 'billing', { kind: 'message' })).conversations, []);
  assert.deepEqual((await search(ana, 'billing', { conversationId: made[0]!.id })).conversations, []);
  assert.deepEqual((await search(ana, 'billing', { order: 'relevance' })).conversations.length, 5);
});

test('input with nothing to search is still refused', async (t) => {
  const { ws, ana } = await setup(t);
  await emailConversation(ws, 'Billing question 7');
  for (const q of ['"*()^', '   ']) {
    const res = await ana.call('GET', `/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 400, JSON.stringify(res.body));
  }
  assert.equal((await ana.call('GET', '/v1/search')).status, 400);
});

test('subjects written before the subject index existed are found once it is built (migration 0056)', async (t) => {
  const db = tempDbFile(t, 'search-subjects-backfill');
  const first = await TestServer.start({ db });
  const ws = await first.createWorkspace('Acme');
  const c = await emailConversation(ws, 'Billing question 7');
  await ok(ws.api('GET', '/v1/search?q=anything'), 200); // everything committed is indexed: nothing left for the indexer
  // Back to a database from before 0056: no subject index, the migration not applied.
  await sql`DROP TABLE conversation_subject_fts`.execute(first.server.deps.storage.db);
  await sql`DELETE FROM baton_migrations WHERE version = 56`.execute(first.server.deps.storage.db);
  await first.close();

  const second = await TestServer.startFor(t, { db });
  const page = await ok(second.request('GET', '/v1/search?q=billing', { token: ws.apiKey }), 200);
  assert.deepEqual(page.conversations.map((x: { id: string }) => x.id), [c.id]);
});
