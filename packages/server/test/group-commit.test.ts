import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { sql, type Kysely, type Transaction } from 'kysely';
import Sqlite from 'libsql';
import { openSqlite } from '../src/storage/db.js';
import { prepared } from '../src/storage/prepared.js';
import type { Database } from '../src/storage/schema.js';
import { expectStatus, tempDbFile, TestServer, type HttpResult } from '../src/testing.js';

/**
 * Group commit (storage/group-commit.ts) through `Storage.write`, on a WAL file so a second,
 * independent connection can tell what has really been committed.
 */

async function setup(t: TestContext) {
  const file = tempDbFile(t, 'group-commit');
  const storage = await openSqlite(file);
  // Tables of the test's own, so it does not depend on how Baton's rows look.
  await sql`CREATE TABLE unit_rows (name TEXT PRIMARY KEY)`.execute(storage.db);
  await sql`CREATE TABLE unit_children (parent TEXT NOT NULL REFERENCES unit_rows (name))`.execute(storage.db);
  const observer = new Sqlite(file, { timeout: 5000 });
  t.after(async () => {
    observer.close();
    await storage.close();
  });
  const committedNames = () =>
    (observer.prepare('SELECT name FROM unit_rows ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  return { storage, committedNames };
}

const addRow = (trx: Transaction<Database>, name: string) => sql`INSERT INTO unit_rows (name) VALUES (${name})`.execute(trx);
const rowNames = async (trx: Transaction<Database>) =>
  (await sql<{ name: string }>`SELECT name FROM unit_rows ORDER BY name`.execute(trx)).rows.map((r) => r.name);

test('units submitted together share one transaction, run in order and see each other', async (t) => {
  const { storage } = await setup(t);
  const seen: Transaction<Database>[] = [];
  const names: string[][] = [];
  const unit = (name: string) =>
    storage.write(async (trx) => {
      seen.push(trx);
      await addRow(trx, name);
      names.push(await rowNames(trx));
      return name;
    });
  assert.deepEqual(await Promise.all([unit('a'), unit('b'), unit('c')]), ['a', 'b', 'c']);
  assert.equal(new Set(seen).size, 1, 'one transaction for the three');
  assert.deepEqual(names, [['a'], ['a', 'b'], ['a', 'b', 'c']]);
});

test('a unit resolves only once its writes are visible to another connection', async (t) => {
  const { storage, committedNames } = await setup(t);
  const visibleAtResolve: string[][] = [];
  await Promise.all(
    ['a', 'b'].map((name) =>
      storage.write((trx) => addRow(trx, name)).then(() => visibleAtResolve.push(committedNames())),
    ),
  );
  assert.deepEqual(visibleAtResolve, [['a', 'b'], ['a', 'b']]);
});

test('a unit that throws rolls back alone and rejects with its own error', async (t) => {
  const { storage, committedNames } = await setup(t);
  // Queued in this order: the fourth clashes with the first on the primary key.
  const results = await Promise.allSettled([
    storage.write((trx) => addRow(trx, 'a')),
    storage.write(async (trx) => {
      await addRow(trx, 'doomed');
      throw new Error('the command said no');
    }),
    storage.write((trx) => addRow(trx, 'b')),
    storage.write((trx) => addRow(trx, 'a')),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled', 'rejected'],
  );
  assert.match(String((results[1] as PromiseRejectedResult).reason), /the command said no/);
  assert.match(String((results[3] as PromiseRejectedResult).reason), /UNIQUE|PRIMARY/i);
  assert.deepEqual(committedNames(), ['a', 'b']);
});

test('when the commit itself fails, every unit of the group rejects and nothing is written', async (t) => {
  const { storage, committedNames } = await setup(t);
  const results = await Promise.allSettled([
    storage.write((trx) => addRow(trx, 'a')),
    storage.write(async (trx) => {
      // A deferred foreign-key violation passes every statement and fails only at COMMIT.
      await sql`PRAGMA defer_foreign_keys = ON`.execute(trx);
      await sql`INSERT INTO unit_children (parent) VALUES ('nobody')`.execute(trx);
    }),
    storage.write((trx) => addRow(trx, 'b')),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'rejected'],
  );
  assert.match(String((results[0] as PromiseRejectedResult).reason), /FOREIGN KEY/i);
  assert.deepEqual(committedNames(), []);
  // The committer carries on with the next group.
  await storage.write((trx) => addRow(trx, 'c'));
  assert.deepEqual(committedNames(), ['c']);
});

test('units queued while a group runs go into the next group', async (t) => {
  const { storage } = await setup(t);
  const groups: Transaction<Database>[] = [];
  let late: Promise<unknown> | undefined;
  await storage.write(async (trx) => {
    groups.push(trx);
    late = storage.write(async (next) => {
      groups.push(next);
    });
  });
  await late;
  assert.equal(groups.length, 2);
  assert.notEqual(groups[0], groups[1]);
});

test('through HTTP: concurrent commands share commits, failures roll back alone and use no seqs', async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const seqNow = async () => {
    const { socket, ready } = await server.connect(ana.token);
    socket.disconnect();
    return ready.seq;
  };
  const { conversation: target } = await expectStatus(
    ws.api('POST', '/v1/conversations', { contact: { name: 'Dana' }, channel: 'sms', message: { body: 'hi' } }),
    201,
  );
  const before = await seqNow();

  // 30 creates, 10 notes on a conversation that does not exist, 10 assigns with a stale version.
  const requests: Promise<HttpResult>[] = [];
  for (let i = 0; i < 50; i++) {
    if (i % 5 === 1) requests.push(ana.call('POST', '/v1/conversations/conv_doesnotexist/notes', { body: 'lost' }));
    else if (i % 5 === 3) requests.push(ana.call('POST', `/v1/conversations/${target.id}/assign`, { assigneeId: ana.id }, { 'If-Match': '99' }));
    else requests.push(ws.api('POST', '/v1/conversations', { contact: { name: `Customer ${i}` }, channel: 'sms', message: { body: `burst ${i}` } }));
  }
  const results = await Promise.all(requests);
  assert.deepEqual(
    results.map((r) => r.status).sort(),
    [...Array(30).fill(201), ...Array(10).fill(404), ...Array(10).fill(409)].sort(),
  );

  // Each create used three seqs (created, message, outbox row); the refused commands none.
  assert.equal(await seqNow(), before + 30 * 3);
  const all = await expectStatus(ana.call('GET', '/v1/conversations?view=all&limit=100'), 200);
  assert.equal(all.items.length, 31);
  const bodies = new Set(all.items.map((c: { preview: string }) => c.preview));
  for (let i = 0; i < 50; i++) if (i % 5 !== 1 && i % 5 !== 3) assert.ok(bodies.has(`burst ${i}`), `burst ${i} was saved`);
  assert.equal((await expectStatus(ana.call('GET', `/v1/conversations/${target.id}`), 200)).conversation.assigneeId, null);
});

test('background units yield to requests: at most their share in a group while requests wait, the whole group when none do, each lane in order', async (t) => {
  const { storage } = await setup(t);
  const groups = new Map<Transaction<Database>, string[]>();
  const unit = (name: string, lane: 'request' | 'background') =>
    storage.write(async (trx) => {
      groups.set(trx, [...(groups.get(trx) ?? []), name]);
      await addRow(trx, name);
      return name;
    }, lane);
  // Everything is queued in one turn, so the committer sees both lanes full at its first group.
  const background = Array.from({ length: 30 }, (_, i) => unit(`b${String(i).padStart(2, '0')}`, 'background'));
  const requests = Array.from({ length: 70 }, (_, i) => unit(`r${String(i).padStart(2, '0')}`, 'request'));
  await Promise.all([...background, ...requests]);
  const order = [...groups.values()];
  // 56 requests + 8 background; then the 14 requests left + 8 background; then the last 14 background alone.
  assert.deepEqual(
    order.map((g) => [g.filter((n) => n.startsWith('r')).length, g.filter((n) => n.startsWith('b')).length]),
    [
      [56, 8],
      [14, 8],
      [0, 14],
    ],
  );
  const flat = order.flat();
  assert.deepEqual(flat.filter((n) => n.startsWith('b')), [...flat.filter((n) => n.startsWith('b'))].sort(), 'background units keep their order');
  assert.deepEqual(flat.filter((n) => n.startsWith('r')), [...flat.filter((n) => n.startsWith('r'))].sort(), 'requests keep their order');
});

test('prepared queries inside a unit run on its connection (storage/direct.ts) and answer as Kysely does outside one', async (t) => {
  const { storage, committedNames } = await setup(t);
  const insert = prepared<{ name: string }>(['name'], (db, a) => (db as Kysely<any>).insertInto('unit_rows').values({ name: a.name }));
  const select = prepared<{ name: string }, { name: string }>(['name'], (db, a) => (db as Kysely<any>).selectFrom('unit_rows').select('name').where('name', '<=', a.name).orderBy('name'));
  const inside = await storage.write(async (trx) => {
    const written = await insert(trx, { name: 'a' });
    // Not committed yet: another connection does not see it, the unit's own reads do.
    assert.deepEqual(committedNames(), []);
    return { written, read: (await select(trx, { name: 'z' })).rows };
  });
  const outside = await insert(storage.db, { name: 'b' });
  assert.deepEqual(inside.read, [{ name: 'a' }]);
  assert.equal(inside.written.numAffectedRows, 1n);
  assert.equal(outside.numAffectedRows, 1n);
  assert.equal(typeof inside.written.insertId, 'bigint');
  assert.equal(outside.insertId, inside.written.insertId! + 1n);
  assert.deepEqual((await select(storage.db, { name: 'z' })).rows, [{ name: 'a' }, { name: 'b' }]);
  assert.deepEqual(committedNames(), ['a', 'b']);
});
