import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { CompiledQuery } from 'kysely';
import { VIEWS } from '@baton/protocol';
import { pageQuery, type ConversationFilters } from '../src/storage/conversations.js';
import { TestServer, tempDbFile, expectStatus as ok } from '../src/testing.js';

// List filters and sorts (DESIGN §5): channel, teamId, tag, priority, newest or oldest first, with
// every view, cursor-paginated, each read through an index.

async function setup(t: TestContext) {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const { team } = await ok(ws.api('POST', '/v1/teams', { name: 'Billing', memberIds: [ana.id] }), 201);
  // 12 conversations, one a clock second apart, with every combination spread over them.
  const all: any[] = [];
  for (let i = 0; i < 12; i++) {
    server.clock!.advance(1000);
    const body = {
      contact: { name: `C${i}` },
      channel: i % 2 ? 'email' : 'sms',
      priority: i % 3 === 0 ? 'urgent' : 'normal',
      tags: i % 4 === 0 ? ['vip'] : [],
      message: { body: `m${i}` },
    };
    all.push((await ok(ws.api('POST', '/v1/conversations', body), 201)).conversation);
  }
  for (const c of all.filter((_, i) => i % 2 === 0)) await ok(ws.api('PATCH', `/v1/conversations/${c.id}`, { teamId: team.id }), 200);
  for (const c of all.filter((_, i) => i % 5 === 0)) await ok(ana.call('POST', `/v1/conversations/${c.id}/assign`, { assigneeId: ana.id }), 200);
  await ok(ana.call('POST', `/v1/conversations/${all[11].id}/resolve`), 200);
  // Read back: assigning moved nothing's activity, so creation order is activity order.
  const fresh = new Map<string, any>();
  for (const c of all) fresh.set(c.id, (await ok(ws.api('GET', `/v1/conversations/${c.id}`), 200)).conversation);
  return { server, ws, ana, team, all: all.map((c) => fresh.get(c.id)) };
}

/** Every page of a list, following cursors two at a time. */
async function walk(ana: any, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res: any = await ok(ana.call('GET', `/v1/conversations?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`), 200);
    ids.push(...res.items.map((c: any) => c.id));
    cursor = res.nextCursor;
  } while (cursor);
  return ids;
}

test('each filter and both sorts, with every view, page by page, equal the definition over the rows', async (t) => {
  const { ana, team, all } = await setup(t);
  const filters: [string, (c: any) => boolean][] = [
    ['', () => true],
    ['channel=email', (c) => c.channel === 'email'],
    [`teamId=${team.id}`, (c) => c.teamId === team.id],
    ['tag=vip', (c) => c.tags.includes('vip')],
    ['priority=urgent', (c) => c.priority === 'urgent'],
    ['priority=normal', (c) => c.priority === 'normal'],
    [`channel=sms&priority=urgent&teamId=${team.id}`, (c) => c.channel === 'sms' && c.priority === 'urgent' && c.teamId === team.id],
  ];
  const inView: Record<string, (c: any) => boolean> = {
    all: (c) => c.status === 'open',
    mine: (c) => c.status === 'open' && c.assigneeId === ana.id,
    unassigned: (c) => c.status === 'open' && c.assigneeId === null,
    resolved: (c) => c.status === 'resolved',
    unread: (c) => c.status === 'open', // ana read none of the inbound messages
    mentioned: () => false,
    snoozed: () => false,
  };
  const newest = [...all].sort((a, b) => Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt) || (a.id < b.id ? 1 : -1));
  for (const view of VIEWS) {
    for (const [query, keep] of filters) {
      const expected = newest.filter((c) => inView[view]!(c) && keep(c)).map((c) => c.id);
      assert.deepEqual(await walk(ana, `view=${view}&${query}`), expected, `${view} ${query} newest`);
      assert.deepEqual(await walk(ana, `view=${view}&${query}&sort=oldest_waiting`), [...expected].reverse(), `${view} ${query} oldest`);
    }
  }
  assert.ok(newest.filter((c) => c.tags.includes('vip')).length >= 2, 'the fixture has something to filter');
});

test('the tag filter follows tag edits', async (t) => {
  const { ws, ana, all } = await setup(t);
  await ok(ws.api('PATCH', `/v1/conversations/${all[1].id}`, { tags: ['vip', 'late'] }), 200);
  await ok(ws.api('PATCH', `/v1/conversations/${all[0].id}`, { tags: [] }), 200);
  const ids = await walk(ana, 'view=all&tag=vip');
  assert.ok(ids.includes(all[1].id));
  assert.ok(!ids.includes(all[0].id));
  assert.deepEqual(await walk(ana, 'view=all&tag=late'), [all[1].id]);
});

test('bad filters are a 400 on their field', async (t) => {
  const { ana } = await setup(t);
  for (const [query, field] of [
    ['priority=meh', 'priority'],
    ['sort=random', 'sort'],
    ['channel=Not%20a%20channel', 'channel'],
    ['teamId=has%20space', 'teamId'],
    ['tag=', 'tag'],
  ]) {
    const res = await ana.call('GET', `/v1/conversations?${query}`);
    assert.equal(res.status, 400, query);
    assert.deepEqual(res.body.error.details[0].path, [field], query);
  }
});

// SQLite's plans: PostgreSQL's planner picks by table statistics, and on a test's few rows scans.
test('each filter is read through its index, in both sorts (EXPLAIN QUERY PLAN)', { skip: process.env.BATON_TEST_POSTGRES ? 'SQLite query plans' : false }, async (t) => {
  const { server, ws, ana, team } = await setup(t);
  const db = server.server.deps.storage.db;
  const cases: [ConversationFilters, string][] = [
    [{ channel: 'email' }, 'conversations_by_channel'],
    [{ priority: 'urgent' }, 'conversations_by_priority'],
    // The priority index leaves out `normal` (migration 0045): that filter walks the view's index.
    [{ priority: 'normal' }, 'conversations_by_status_inbound'],
    [{ teamId: team.id }, 'conversations_by_team'],
    // The tag's conversation ids come from the table's (workspace_id, tag) primary key; the page then
    // walks the view's own index, in order, keeping those ids.
    [{ tag: 'vip' }, 'SEARCH conversation_tags USING COVERING INDEX'],
  ];
  for (const [filters, index] of cases) {
    for (const sort of ['newest', 'oldest_waiting'] as const) {
      const compiled = pageQuery(db, ws.id, ana.id, 'all', 25, null, { filters, sort }).compile();
      const { rows } = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
      const plan = rows.map((r) => r.detail).join(' | ');
      assert.match(plan, new RegExp(index), `${JSON.stringify(filters)} ${sort}: ${plan}`);
      assert.doesNotMatch(plan, /TEMP B-TREE|SCAN c\b/, `${JSON.stringify(filters)} ${sort} sorts in the index: ${plan}`);
    }
  }
});

test('migration 0022 copies the tags of existing conversations into the tag index', async (t) => {
  const { sql } = await import('kysely');
  const file = tempDbFile(t, 'tags');
  const first = await TestServer.start({ db: file });
  let current = first;
  t.after(() => current.close());
  const ws = await first.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const tagged = (await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'A' }, channel: 'sms', tags: ['vip', 'late'], message: { body: 'a' } }), 201)).conversation;
  await ok(ws.api('POST', '/v1/conversations', { contact: { name: 'B' }, channel: 'sms', message: { body: 'b' } }), 201);
  // Back to the schema before 0022, as a server of the version before would have left it.
  const db = first.server.deps.storage.db;
  for (const index of ['conversations_by_channel', 'conversations_by_priority', 'conversations_by_team']) await sql`DROP INDEX ${sql.ref(index)}`.execute(db);
  await sql`DROP TABLE conversation_tags`.execute(db);
  // 0045 (partial team and priority indexes) runs again after it, as it would have then.
  await sql`DELETE FROM baton_migrations WHERE version IN (22, 45)`.execute(db);
  await first.close();

  const second = await TestServer.start({ db: file });
  current = second;
  for (const tag of ['vip', 'late']) {
    const res = await ok(second.request('GET', `/v1/conversations?view=all&tag=${tag}`, { token: ana.token }), 200);
    assert.deepEqual(res.items.map((c: any) => c.id), [tagged.id], tag);
  }
});
