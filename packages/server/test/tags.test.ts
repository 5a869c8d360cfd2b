import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { findContact, updateContactRow } from '../src/storage/contacts.js';
import { migrate } from '../src/storage/migrate.js';
import { ADMIN_TOKEN, TestServer, expectStatus as ok, type TestWorkspace } from '../src/testing.js';

// GET /v1/tags: the workspace's tags in use on conversations (open and closed) and contacts, with
// their counts, for tag suggestions in both elements. Counts move with every write of tags.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  return { server, ws };
}

const conversationWith = async (ws: TestWorkspace, tags: string[], contactTags: string[] = []) =>
  (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Customer', tags: contactTags }, channel: 'sms', tags, message: { body: 'hi' } }), 201)).conversation;

const tagsOf = async (ws: TestWorkspace, query = '') => (await ok(ws.api('GET', `/v1/tags${query}`), 200)).tags as { name: string; conversations: number; contacts: number }[];

test('counts conversations (open and resolved) and contacts per tag, most used first, then by name', async (t) => {
  const { ws } = await setup(t);
  const a = await conversationWith(ws, ['billing', 'urgent'], ['vip']);
  await conversationWith(ws, ['billing'], ['vip', 'spanish']);
  await conversationWith(ws, ['urgent', 'billing']);
  await ok(ws.api('POST', '/v1/contacts', { name: 'Lone', tags: ['spanish', 'newsletter'] }), 201);
  await ok(ws.api('POST', `/v1/conversations/${a.id}/resolve`), 200);

  assert.deepEqual(await tagsOf(ws), [
    { name: 'billing', conversations: 3, contacts: 0 },
    { name: 'spanish', conversations: 0, contacts: 2 },
    { name: 'urgent', conversations: 2, contacts: 0 },
    { name: 'vip', conversations: 0, contacts: 2 },
    { name: 'newsletter', conversations: 0, contacts: 1 },
  ]);
});

test('every authenticated caller of the workspace may read them; no credential is 401, the server admin 403', async (t) => {
  const { server, ws } = await setup(t);
  await conversationWith(ws, ['billing']);
  const ana = await ws.addAgent('ana');
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const expected = [{ name: 'billing', conversations: 1, contacts: 0 }];
  assert.deepEqual((await ok(ana.call('GET', '/v1/tags'), 200)).tags, expected);
  assert.deepEqual((await ok(boss.call('GET', '/v1/tags'), 200)).tags, expected);
  assert.deepEqual(await tagsOf(ws), expected);
  assert.equal((await server.request('GET', '/v1/tags')).status, 401);
  const admin = await server.request('GET', '/v1/tags', { token: ADMIN_TOKEN });
  assert.equal(admin.status, 403);
  assert.equal(admin.body.error.code, 'forbidden');
});

test("another workspace's tags are never listed", async (t) => {
  const { server, ws } = await setup(t);
  const other = await server.createWorkspace('Globex');
  await conversationWith(ws, ['billing'], ['vip']);
  await conversationWith(other, ['billing', 'secret-project'], ['globex-only']);
  assert.deepEqual(await tagsOf(ws), [
    { name: 'billing', conversations: 1, contacts: 0 },
    { name: 'vip', conversations: 0, contacts: 1 },
  ]);
  assert.deepEqual(await tagsOf(ws, '?prefix=s'), []);
  assert.deepEqual((await tagsOf(other)).map((x) => x.name), ['billing', 'globex-only', 'secret-project']);
});

test('prefix matches either case, keeps accents significant, and takes % and _ as themselves', async (t) => {
  const { ws } = await setup(t);
  // Conversations and contacts store tags in lower case: the conversation's "VIP" is the contact's "vip".
  await conversationWith(ws, ['VIP', 'Café', 'cafe-au-lait', '50%_off', '500x'], ['vip', 'visa']);
  await conversationWith(ws, ['a_b', 'axb']);

  assert.deepEqual(await tagsOf(ws, '?prefix=vI'), [
    { name: 'vip', conversations: 1, contacts: 1 },
    { name: 'visa', conversations: 0, contacts: 1 },
  ]);
  assert.deepEqual((await tagsOf(ws, '?prefix=VIP')).map((x) => x.name), ['vip']);
  assert.deepEqual((await tagsOf(ws, `?prefix=${encodeURIComponent('CAFÉ')}`)).map((x) => x.name), ['café']);
  assert.deepEqual((await tagsOf(ws, '?prefix=cafe')).map((x) => x.name), ['cafe-au-lait']);
  assert.deepEqual((await tagsOf(ws, '?prefix=caf')).map((x) => x.name), ['cafe-au-lait', 'café']);
  assert.deepEqual((await tagsOf(ws, `?prefix=${encodeURIComponent('50%')}`)).map((x) => x.name), ['50%_off']);
  assert.deepEqual((await tagsOf(ws, '?prefix=a_')).map((x) => x.name), ['a_b']);
  // Surrounding spaces are trimmed, like a tag's; an empty prefix is no filter.
  assert.deepEqual((await tagsOf(ws, '?prefix=%20vis%20')).map((x) => x.name), ['visa']);
  assert.equal((await tagsOf(ws, '?prefix=')).length, 8);
});

test('limit is 50 unless given, at most 200', async (t) => {
  const { ws } = await setup(t);
  const many = Array.from({ length: 50 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  await ok(ws.api('POST', '/v1/contacts', { name: 'A', tags: many }), 201);
  await conversationWith(ws, ['z1', 'z2', 'z3', 'z4', 't07']);
  const all = await tagsOf(ws);
  assert.equal(all.length, 50);
  // t07 is on a conversation and a contact, so it leads; the rest tie at 1 and go by name.
  assert.deepEqual(all.slice(0, 3).map((x) => x.name), ['t07', 't00', 't01']);
  assert.deepEqual((await tagsOf(ws, '?limit=2')).map((x) => x.name), ['t07', 't00']);
  assert.equal((await tagsOf(ws, '?limit=200')).length, 54);
  assert.deepEqual((await tagsOf(ws, '?prefix=z&limit=3')).map((x) => x.name), ['z1', 'z2', 'z3']);
});

test('bad parameters are a 400 with the error shape, and change nothing', async (t) => {
  const { ws } = await setup(t);
  await conversationWith(ws, ['billing']);
  const before = await tagsOf(ws);
  for (const query of ['?limit=0', '?limit=201', '?limit=abc', '?limit=1.5', '?sort=name', `?prefix=${'x'.repeat(65)}`]) {
    const res = await ws.api('GET', `/v1/tags${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(res.body.error.code, 'validation_failed', query);
    assert.equal(typeof res.body.error.message, 'string', query);
    assert.ok(Array.isArray(res.body.error.details) && res.body.error.details.length > 0, query);
  }
  assert.deepEqual(await tagsOf(ws), before);
});

test('tags taken off conversations and contacts leave the list; counts follow every writer', async (t) => {
  const { ws } = await setup(t);
  const ana = await ws.addAgent('ana');
  const a = await conversationWith(ws, ['billing', 'urgent'], ['vip']);
  const b = await conversationWith(ws, ['billing']);

  // An agent's edit, the bulk action and a contact PATCH.
  await ok(ana.call('PATCH', `/v1/conversations/${a.id}`, { tags: ['billing', 'refund'] }), 200);
  await ok(ana.call('POST', '/v1/conversations/bulk', { ids: [a.id, b.id], action: 'tag', add: ['q3'], remove: ['billing'] }), 200);
  assert.deepEqual(await tagsOf(ws), [
    { name: 'q3', conversations: 2, contacts: 0 },
    { name: 'refund', conversations: 1, contacts: 0 },
    { name: 'vip', conversations: 0, contacts: 1 },
  ]);

  await ok(ws.api('PATCH', `/v1/contacts/${a.contactId}`, { tags: ['Gold'] }), 200);
  await ok(ana.call('PATCH', `/v1/conversations/${a.id}`, { tags: [] }), 200);
  assert.deepEqual(await tagsOf(ws), [
    { name: 'gold', conversations: 0, contacts: 1 },
    { name: 'q3', conversations: 1, contacts: 0 },
  ]);

  // A contact PATCH that leaves the tags as they are moves no count.
  await ok(ws.api('PATCH', `/v1/contacts/${a.contactId}`, { tags: ['gold'], name: 'Renamed' }), 200);
  assert.deepEqual(await tagsOf(ws, '?prefix=g'), [{ name: 'gold', conversations: 0, contacts: 1 }]);
});

test('tags a published workflow adds are counted', async (t) => {
  const { ws } = await setup(t);
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const { workflow } = await ok(boss.call('POST', '/v1/workflows', {
    name: 'Tag sms', enabled: true, priority: 100, stopProcessing: false,
    trigger: { event: 'conversation.created' },
    conditions: { all: [{ field: 'conversation.channel', op: 'in', value: ['sms'] }] },
    actions: [{ type: 'add_tag', tags: ['from-sms'] }],
  }), 201);
  await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`, undefined, { 'if-match': String(workflow.draftVersion) }), 200);
  const c = await conversationWith(ws, []);
  for (let i = 0; i < 100; i++) {
    const { conversation } = await ok(ws.api('GET', `/v1/conversations/${c.id}`), 200);
    if (conversation.tags.includes('from-sms')) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(await tagsOf(ws), [{ name: 'from-sms', conversations: 1, contacts: 0 }]);
});

test('migration 0050 counts the tags written before it, as the writers count them since', async (t) => {
  const { server, ws } = await setup(t);
  const other = await server.createWorkspace('Globex');
  const a = await conversationWith(ws, ['billing', 'VIP', 'billing'], ['vip', 'es']);
  await conversationWith(ws, ['billing'], ['es']);
  await conversationWith(other, ['billing'], ['es']);
  await ok(ws.api('POST', `/v1/conversations/${a.id}/resolve`), 200);
  await ok(ws.api('PATCH', `/v1/conversations/${a.id}`, { tags: ['VIP', 'refund'] }), 200);
  const live = [await tagsOf(ws), await tagsOf(other)];
  assert.equal(live[0]!.length, 4); // billing, refund, vip (the conversation's VIP and the contact's), es

  const db = server.server.deps.storage.db;
  await db.schema.dropTable('workspace_tags').execute();
  await db.deleteFrom('baton_migrations').where('version', '=', 50).execute();
  assert.deepEqual(await migrate(db, 'sqlite'), [50]);
  assert.deepEqual([await tagsOf(ws), await tagsOf(other)], live);
});

test("a contact's tag patch holds only over the tags it read: a stale read changes nothing (the 409 case)", async (t) => {
  const { server, ws } = await setup(t);
  const { contact } = await ok(ws.api('POST', '/v1/contacts', { name: 'Rae', tags: ['vip'] }), 201);
  const { storage } = server.server.deps;
  const stale = (await findContact(storage.db, ws.id, contact.id))!;
  // Another writer changes the tags after `stale` was read (on PostgreSQL both can run at once).
  await ok(ws.api('PATCH', `/v1/contacts/${contact.id}`, { tags: ['vip', 'gold'] }), 200);
  const written = await storage.write((trx) => updateContactRow(trx, stale, { tags: JSON.stringify(['spanish']) }));
  assert.equal(written, undefined, 'refused: the row no longer has the tags it was read with');
  assert.deepEqual((await ok(ws.api('GET', `/v1/contacts/${contact.id}`), 200)).contact.tags, ['vip', 'gold']);
  assert.deepEqual(await tagsOf(ws), [
    { name: 'gold', conversations: 0, contacts: 1 },
    { name: 'vip', conversations: 0, contacts: 1 },
  ]);
});
