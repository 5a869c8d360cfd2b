import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { TestServer, expectStatus as ok } from '../src/testing.js';

// Search finds contacts by name, phone and email (issue #11), and every hit says which
// conversation it is in: contact, channel, status.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const create = async (contact: Record<string, unknown>, channel: string, body: string) =>
    (await ok(ws.api('POST', '/v1/conversations', { contact, channel, message: { body } }), 201)).conversation;
  const lucia = await create({ name: 'Lucía Fernández', phone: '+34 600 111 222' }, 'sms', 'Hola, ¿tienen disponibilidad?');
  server.clock!.advance(1000);
  const priya = await create({ name: 'Priya Patel', email: 'priya@example.com' }, 'email', 'Our bulk import failed');
  server.clock!.advance(1000);
  const other = await server.createWorkspace('Other');
  await ok(other.api('POST', '/v1/conversations', { contact: { name: 'Lucia Elsewhere', phone: '+34 600 111 999' }, channel: 'sms', message: { body: 'hola' } }), 201);
  return { server, ws, ana, lucia, priya };
}

const search = async (agent: { call: any }, q: string) => ok(agent.call('GET', `/v1/search?q=${encodeURIComponent(q)}`), 200);

test('contacts are found by name (accents and case folded), phone digits and email, only in the caller\'s workspace', async (t) => {
  const { ana, lucia, priya } = await setup(t);
  const byName = await search(ana, 'lucia fern');
  assert.deepEqual(byName.contacts.map((h: any) => h.contact.name), ['Lucía Fernández']);
  assert.deepEqual(byName.contacts[0].conversations, [
    { id: lucia.id, contactId: lucia.contactId, contactName: 'Lucía Fernández', channel: 'sms', subject: null, status: 'open', snoozedUntil: null, lastMessageAt: lucia.lastMessageAt },
  ]);
  assert.deepEqual((await search(ana, '600 111')).contacts.map((h: any) => h.contact.id), [lucia.contactId]);
  assert.deepEqual((await search(ana, '+34600111222')).contacts.map((h: any) => h.contact.id), [lucia.contactId]);
  assert.deepEqual((await search(ana, 'priya@example')).contacts.map((h: any) => h.contact.id), [priya.contactId]);
  assert.deepEqual((await search(ana, 'nobody')).contacts, []);
  // Not with a narrowed search, which is about messages.
  assert.deepEqual((await ok(ana.call('GET', '/v1/search?q=lucia&kind=message'), 200)).contacts, []);
});

test('the contact whose whole name is the words comes first, then names starting with them, numbers in numeric order', async (t) => {
  const { ws, ana } = await setup(t);
  for (const n of [13, 3, 30, 23, 31, 1, 2]) await ok(ws.api('POST', '/v1/contacts', { name: `Invoice Customer ${n}` }), 201);
  await ok(ws.api('POST', '/v1/contacts', { name: 'Customer Invoice 3 (old)' }), 201);
  // Enter opens the first: "Invoice Customer 3", not "… 13" (which text order put first).
  assert.deepEqual((await search(ana, 'Invoice Customer 3')).contacts.map((h: any) => h.contact.name), [
    'Invoice Customer 3', 'Invoice Customer 30', 'Invoice Customer 31', 'Customer Invoice 3 (old)', 'Invoice Customer 13',
  ]);
  assert.deepEqual((await search(ana, 'invoice customer')).contacts.map((h: any) => h.contact.name), [
    'Invoice Customer 1', 'Invoice Customer 2', 'Invoice Customer 3', 'Invoice Customer 13', 'Invoice Customer 23',
  ]);
});

test('each message hit carries its conversation: contact name, channel and status', async (t) => {
  const { ana, priya } = await setup(t);
  await ok(ana.call('POST', `/v1/conversations/${priya.id}/resolve`), 200);
  const page = await search(ana, 'bulk import');
  assert.equal(page.items.length, 1);
  assert.equal(page.items[0].conversationId, priya.id);
  assert.deepEqual(
    { contactName: page.items[0].conversation.contactName, channel: page.items[0].conversation.channel, status: page.items[0].conversation.status },
    { contactName: 'Priya Patel', channel: 'email', status: 'resolved' },
  );
});
