import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import * as m0050 from '../src/storage/migrations/0050_workspace_tags.js';
import * as m0051 from '../src/storage/migrations/0051_lowercase_conversation_tags.js';
import type { Database } from '../src/storage/schema.js';
import { TestServer, tempDbFile, expectStatus as ok, type TestAgent, type TestWorkspace } from '../src/testing.js';

// One spelling per tag (docs/decisions.md, session 8): conversation tags are stored in lower case
// without repeats, as contact tags are, by every writer; the tag filter and `GET /v1/tags` take
// either case; migration 0051 brings the tags written before into that spelling.

type Usage = { name: string; conversations: number; contacts: number };

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  return { server, ws, ana };
}

const create = async (ws: TestWorkspace, tags: string[], contactTags: string[] = []) =>
  (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'Customer', tags: contactTags }, channel: 'sms', tags, message: { body: 'hi' } }), 201)).conversation;

const tagsOf = async (ws: TestWorkspace, query = ''): Promise<Usage[]> => (await ok(ws.api('GET', `/v1/tags${query}`), 200)).tags;
const conversation = async (ws: TestWorkspace, id: string) => (await ok(ws.api('GET', `/v1/conversations/${id}`), 200)).conversation;
const filtered = async (agent: TestAgent, tag: string) =>
  ((await ok(agent.call('GET', `/v1/conversations?view=all&tag=${encodeURIComponent(tag)}`), 200)).items as { id: string }[]).map((c) => c.id).sort();
const taggedEvents = async (ws: TestWorkspace, id: string) =>
  ((await ok(ws.api('GET', `/v1/conversations/${id}/timeline`), 200)).items as any[]).filter((i) => i.kind === 'event' && i.type === 'tagged').map((i) => i.data);

test('a new conversation stores its tags in lower case, once each, in the order given', async (t) => {
  const { ws } = await setup(t);
  const c = await create(ws, ['VIP', 'Billing', 'vip', 'billing', 'Café'], ['Gold', 'GOLD']);
  assert.deepEqual(c.tags, ['vip', 'billing', 'café']);
  assert.deepEqual((await conversation(ws, c.id)).tags, ['vip', 'billing', 'café']);
  assert.deepEqual((await ok(ws.api('GET', `/v1/contacts/${c.contactId}`), 200)).contact.tags, ['gold']);
  assert.deepEqual(await tagsOf(ws), [
    { name: 'billing', conversations: 1, contacts: 0 },
    { name: 'café', conversations: 1, contacts: 0 },
    { name: 'gold', conversations: 0, contacts: 1 },
    { name: 'vip', conversations: 1, contacts: 0 },
  ]);
});

test('PATCH: VIP and vip are one tag, and a PATCH that only changes the case changes nothing', async (t) => {
  const { ws, ana } = await setup(t);
  const c = await create(ws, ['billing']);
  const patched = (await ok(ana.call('PATCH', `/v1/conversations/${c.id}`, { tags: ['VIP', 'vip', 'Billing', 'Urgent'] }), 200)).conversation;
  assert.deepEqual(patched.tags, ['vip', 'billing', 'urgent']);
  assert.equal(patched.version, c.version + 1);
  assert.deepEqual(await taggedEvents(ws, c.id), [{ added: ['vip', 'urgent'], removed: [] }]);

  const same = (await ok(ana.call('PATCH', `/v1/conversations/${c.id}`, { tags: ['VIP', 'BILLING', 'urgent'] }), 200)).conversation;
  assert.deepEqual(same.tags, ['vip', 'billing', 'urgent']);
  assert.equal(same.version, patched.version, 'no change, no new version');
  assert.equal((await taggedEvents(ws, c.id)).length, 1);
  assert.deepEqual(await tagsOf(ws), [
    { name: 'billing', conversations: 1, contacts: 0 },
    { name: 'urgent', conversations: 1, contacts: 0 },
    { name: 'vip', conversations: 1, contacts: 0 },
  ]);
});

test('bulk tag adds and removes in either case', async (t) => {
  const { ws, ana } = await setup(t);
  const a = await create(ws, ['urgent', 'billing']);
  const b = await create(ws, ['vip']);
  const { results } = await ok(ana.call('POST', '/v1/conversations/bulk', { ids: [a.id, b.id], action: 'tag', add: ['Q3', 'VIP'], remove: ['URGENT'] }), 200);
  assert.deepEqual(results.map((r: any) => r.conversation.tags), [['billing', 'q3', 'vip'], ['vip', 'q3']]);
  assert.deepEqual(await taggedEvents(ws, b.id), [{ added: ['q3'], removed: [] }]);
  assert.deepEqual(await tagsOf(ws), [
    { name: 'q3', conversations: 2, contacts: 0 },
    { name: 'vip', conversations: 2, contacts: 0 },
    { name: 'billing', conversations: 1, contacts: 0 },
  ]);
});

test("a rule's conditions and add_tag/remove_tag take a tag in either case", async (t) => {
  const { ws } = await setup(t);
  const boss = await ws.addAgent('boss', { role: 'admin' });
  const definition = {
    name: 'VIPs', enabled: true, priority: 100, stopProcessing: false,
    trigger: { event: 'conversation.created' },
    conditions: { all: [{ field: 'conversation.tags', op: 'contains_any', value: ['VIP'] }] },
    actions: [{ type: 'add_tag', tags: ['Routed-VIP', 'vip'] }, { type: 'remove_tag', tags: ['URGENT'] }],
  };
  const { workflow } = await ok(boss.call('POST', '/v1/workflows', definition), 201);
  await ok(boss.call('POST', `/v1/workflows/${workflow.id}/publish`, undefined, { 'if-match': String(workflow.draftVersion) }), 200);
  const c = await create(ws, ['vip', 'urgent']);
  let tags: string[] = [];
  for (let i = 0; i < 100; i++) {
    tags = (await conversation(ws, c.id)).tags;
    if (tags.includes('routed-vip') && !tags.includes('urgent')) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(tags, ['vip', 'routed-vip']);
  assert.deepEqual(
    (await taggedEvents(ws, c.id)).map(({ added, removed }) => ({ added, removed })),
    [{ added: ['routed-vip'], removed: [] }, { added: [], removed: ['urgent'] }],
  );
  assert.deepEqual(await tagsOf(ws), [
    { name: 'routed-vip', conversations: 1, contacts: 0 },
    { name: 'vip', conversations: 1, contacts: 0 },
  ]);
  // The dry run says what a run would store.
  const dry = await ok(boss.call('POST', '/v1/workflows/test', { workflow: definition, conversationId: c.id }), 200);
  assert.deepEqual(dry.results[0].draft.actions.map((a: any) => a.would), ['Tag routed-vip, vip', 'Untag urgent']);
});

test('the list filter takes the tag in either case; other workspaces stay out of it and of the counts', async (t) => {
  const { server, ws, ana } = await setup(t);
  const other = await server.createWorkspace('Globex');
  const a = await create(ws, ['VIP']);
  const b = await create(ws, ['vip', 'billing'], ['Vip']);
  await create(ws, ['billing']);
  await create(other, ['VIP', 'secret']);

  const both = [a.id, b.id].sort();
  assert.deepEqual(await filtered(ana, 'VIP'), both);
  assert.deepEqual(await filtered(ana, 'vip'), both);
  assert.deepEqual(await filtered(ana, ' Vip '), both);
  assert.deepEqual(await filtered(ana, 'Secret'), []);
  assert.deepEqual(await tagsOf(ws), [
    { name: 'vip', conversations: 2, contacts: 1 },
    { name: 'billing', conversations: 2, contacts: 0 },
  ]);
  assert.deepEqual(await tagsOf(ws, '?prefix=VI'), [{ name: 'vip', conversations: 2, contacts: 1 }]);
  assert.deepEqual(await tagsOf(other), [
    { name: 'secret', conversations: 1, contacts: 0 },
    { name: 'vip', conversations: 1, contacts: 0 },
  ]);
});

// -- Migration 0051 --------------------------------------------------------------------------------

/**
 * Writes conversations' tags as the writers before session 8 did: the JSON as given (create did not
 * even drop repeats), `conversation_tags` a row per distinct spelling; then `workspace_tags` counted
 * from that by migration 0050 itself.
 */
async function writeOldSpelling(db: Kysely<Database>, old: Record<string, string[]>) {
  await db.transaction().execute(async (trx) => {
    for (const [id, tags] of Object.entries(old)) {
      const { workspace_id } = await trx.selectFrom('conversations').select('workspace_id').where('id', '=', id).executeTakeFirstOrThrow();
      await trx.updateTable('conversations').set({ tags: JSON.stringify(tags) }).where('id', '=', id).execute();
      await trx.deleteFrom('conversation_tags').where('conversation_id', '=', id).execute();
      await trx.insertInto('conversation_tags').values([...new Set(tags)].map((tag) => ({ workspace_id, tag, conversation_id: id }))).execute();
    }
    await trx.schema.dropTable('workspace_tags').execute();
    await m0050.up(trx, 'sqlite');
  });
}

/** Two workspaces whose conversations carry VIP and vip, Billing and billing, as the old writers left them. */
async function oldWorld(server: TestServer) {
  const ws = await server.createWorkspace('Acme');
  const other = await server.createWorkspace('Globex');
  const ana = await ws.addAgent('ana');
  const [a, b, c, d, e, f, g] = [
    await create(ws, ['x'], ['vip']),
    await create(ws, ['x']),
    await create(ws, ['x']),
    await create(ws, ['x']),
    await create(ws, ['x']),
    await create(ws, ['plain']),
    await create(other, ['x']),
  ];
  await writeOldSpelling(server.server.deps.storage.db, {
    [a.id]: ['VIP', 'Billing', 'billing'],
    [b.id]: ['VIP', 'vip'],
    [c.id]: ['VIP'],
    [d.id]: ['vip'],
    [e.id]: ['Refund', 'vip'],
    [g.id]: ['VIP'],
  });
  // The seed is really split: VIP (a, b, c) and vip (b, d, e) are two tags.
  const split = await tagsOf(ws);
  assert.deepEqual(split.find((u) => u.name === 'VIP'), { name: 'VIP', conversations: 3, contacts: 0 });
  assert.deepEqual(split.find((u) => u.name === 'vip'), { name: 'vip', conversations: 3, contacts: 1 });
  assert.deepEqual(await filtered(ana, 'vip'), [b.id, d.id, e.id].sort());
  return { ws, other, ana, a, b, c, d, e, f, g };
}

type World = Awaited<ReturnType<typeof oldWorld>>;

/** The world's callers, talking to `server` (the same database, restarted). */
const rebind = (server: TestServer, w: World): World => {
  const as = (token: string) => (method: string, path: string, body?: unknown, headers?: Record<string, string>) => server.request(method, path, { token, body, headers });
  return { ...w, ws: { ...w.ws, api: as(w.ws.apiKey) }, other: { ...w.other, api: as(w.other.apiKey) }, ana: { ...w.ana, call: as(w.ana.token) } };
};

async function expectMerged(w: World) {
  const { ws, other, ana, a, b, c, d, e, f, g } = w;
  assert.deepEqual((await conversation(ws, a.id)).tags, ['vip', 'billing']);
  assert.deepEqual((await conversation(ws, b.id)).tags, ['vip']);
  assert.deepEqual((await conversation(ws, e.id)).tags, ['refund', 'vip']);
  assert.deepEqual((await conversation(ws, f.id)).tags, ['plain']);
  assert.equal((await conversation(ws, a.id)).version, a.version, 'rewritten, not changed: the version stays');
  assert.deepEqual(await tagsOf(ws), [
    { name: 'vip', conversations: 5, contacts: 1 },
    { name: 'billing', conversations: 1, contacts: 0 },
    { name: 'plain', conversations: 1, contacts: 0 },
    { name: 'refund', conversations: 1, contacts: 0 },
  ]);
  assert.deepEqual(await tagsOf(other), [{ name: 'vip', conversations: 1, contacts: 0 }]);
  assert.deepEqual(await filtered(ana, 'VIP'), [a.id, b.id, c.id, d.id, e.id].sort());
  assert.deepEqual(await filtered(ana, 'Billing'), [a.id]);
  assert.equal((await filtered(ana, 'vip')).includes(g.id), false);

  // The writers carry on from the migrated rows without drift.
  await ok(ana.call('PATCH', `/v1/conversations/${b.id}`, { tags: ['Billing'] }), 200);
  assert.deepEqual((await tagsOf(ws)).slice(0, 2), [
    { name: 'vip', conversations: 4, contacts: 1 },
    { name: 'billing', conversations: 2, contacts: 0 },
  ]);
}

test('migration 0051, applied at boot, brings old tags into one spelling and merges their counts', async (t) => {
  const file = tempDbFile(t, 'tag-spelling');
  const before = await TestServer.start({ db: file });
  let world: World;
  try {
    world = await oldWorld(before);
    await before.server.deps.storage.db.deleteFrom('baton_migrations').where('version', '=', 51).execute();
  } finally {
    await before.close();
  }
  const after = await TestServer.startFor(t, { db: file });
  const applied = await after.server.deps.storage.db.selectFrom('baton_migrations').select('version').where('version', '=', 51).execute();
  assert.equal(applied.length, 1);
  await expectMerged(rebind(after, world));
});

test('migration 0051 gives the same answer when its batches split the conversations anywhere', async (t) => {
  const server = await TestServer.startFor(t);
  const world = await oldWorld(server);
  await server.server.deps.storage.db.transaction().execute((trx) => m0051.up(trx, 'sqlite', 2));
  await expectMerged(world);
});
