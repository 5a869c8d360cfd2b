import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { namingPool, StatementNames } from '../src/storage/pg-statements.js';
import { isStalePlan, whyUnavailable } from '../src/storage/unavailable.js';
import { freshPostgresDatabase, TestServer } from '../src/testing.js';

// Named prepared statements on PostgreSQL (storage/pg-statements.ts). The naming itself is pure and
// always tested; what PostgreSQL does with the names runs under scripts/with-postgres.mjs.
const admin = process.env.BATON_TEST_POSTGRES;
const onPostgres = { skip: admin ? false : 'needs PostgreSQL: runs under scripts/with-postgres.mjs (pnpm test)' };

test('a text is named from its second run, never more than the cap, and a forgotten text earns a new name', () => {
  const names = new StatementNames(2, 2);
  assert.equal(names.nameFor('select $1'), undefined, 'a first run is unnamed');
  const first = names.nameFor('select $1');
  assert.ok(first);
  assert.equal(names.nameFor('select $1'), first, 'the same name every run after');
  names.nameFor('select $2');
  const second = names.nameFor('select $2');
  assert.ok(second && second !== first);
  names.nameFor('select $3');
  assert.equal(names.nameFor('select $3'), undefined, 'past the cap a text stays unnamed');
  assert.equal(names.nameFor('select $3'), undefined);
  assert.equal(names.size, 2);

  names.forget('select $1');
  assert.equal(names.size, 1);
  assert.equal(names.nameFor('select $1'), undefined, 'forgotten: unnamed until it has run again');
  const renamed = names.nameFor('select $1');
  assert.ok(renamed && renamed !== first && renamed !== second, 'never a name a connection may still hold for another plan');
});

test('texts counted towards a name are bounded: a stream of distinct texts holds no memory', () => {
  const names = new StatementNames(4, 3);
  for (let i = 0; i < 10_000; i++) names.nameFor(`select ${i} where x in ($1)`);
  assert.equal(names.size, 0, 'none ran three times');
  // The counts were cleared along the way, so a text seen twice long ago is counted from the start.
  names.nameFor('select 0 where x in ($1)');
  assert.equal(names.nameFor('select 0 where x in ($1)'), undefined);
  assert.ok(names.nameFor('select 0 where x in ($1)'));
});

/** A one-connection pool through `namingPool`, with a helper to count the connection's prepared statements. */
async function namedPool(t: { after(fn: () => unknown): void }, names: StatementNames) {
  const { url, drop } = await freshPostgresDatabase(admin!);
  const raw = new pg.Pool({ connectionString: url, max: 1 });
  // pg-pool's `end()` resolves before its connections have closed, so the drop below can still find
  // one and end it; the pool then reports that on the closing connection as an 'error' event, which
  // unheard would fail the test after it passed. Only idle connections report here: a query's error
  // still rejects the query.
  raw.on('error', () => {});
  const pool = namingPool(raw, names);
  const client = await pool.connect();
  t.after(async () => {
    client.release();
    await pool.end();
    await drop();
  });
  const prepared = async () =>
    (await client.query<{ name: string; statement: string }>('select name, statement from pg_prepared_statements where $1::int = 1 order by name', [1])).rows;
  return { client, prepared };
}

test('on PostgreSQL a repeated text is prepared once per connection, and the connection holds no more than the cap', onPostgres, async (t) => {
  const names = new StatementNames(3, 2);
  const { client, prepared } = await namedPool(t, names);
  for (let n = 1; n <= 6; n++) {
    for (let run = 0; run < 3; run++) {
      const { rows } = await client.query<{ v: number }>(`select $1::int + ${n} as v`, [run]);
      assert.deepEqual(rows, [{ v: run + n }], 'a named statement answers as the unnamed one did');
    }
  }
  const held = await prepared();
  assert.equal(held.length, 3, JSON.stringify(held));
  assert.ok(held.length <= names.cap);
  assert.deepEqual(
    held.map((s) => s.statement).sort(),
    ['select $1::int + 1 as v', 'select $1::int + 2 as v', 'select $1::int + 3 as v'],
    'the texts that ran twice first took the names; later ones run unnamed',
  );
});

test('a table changed under a prepared statement: outside a transaction the query answers at once; inside, the unit fails once with a retryable 503 reason', onPostgres, async (t) => {
  const names = new StatementNames();
  const { client, prepared } = await namedPool(t, names);
  await client.query('create table t (id int primary key)', []);
  await client.query('insert into t (id) values (1)', []);
  const read = 'select * from t where id = $1';
  for (let run = 0; run < 2; run++) assert.deepEqual((await client.query(read, [1])).rows, [{ id: 1 }]);
  assert.ok((await prepared()).some((s) => s.statement === read), 'the read is prepared');

  // What a migration run by another process (`baton migrate`, `baton consumers`) does meanwhile.
  await client.query('alter table t add column note text', []);
  assert.deepEqual((await client.query(read, [1])).rows, [{ id: 1, note: null }], 'answered, unnamed, with the new column');
  for (let run = 0; run < 2; run++) assert.deepEqual((await client.query(read, [1])).rows, [{ id: 1, note: null }], 'and named anew');

  await client.query('alter table t add column priority int', []);
  await client.query('begin', []);
  const failed = await client.query(read, [1]).then(
    () => null,
    (error: unknown) => error,
  );
  assert.ok(isStalePlan(failed), `the transaction has failed already: ${String(failed)}`);
  assert.match(whyUnavailable(failed) ?? '', /try again/, 'the API answers 503, so the client retries');
  await client.query('rollback', []);
  assert.deepEqual((await client.query(read, [1])).rows, [{ id: 1, note: null, priority: null }], 'the retry answers');
});

test('a node serving from PostgreSQL runs its hot path as prepared statements, within the cap', onPostgres, async (t) => {
  const server = await TestServer.startFor(t); // on a fresh PostgreSQL database of its own
  const ws = await server.createWorkspace('Acme');
  for (let i = 0; i < 20; i++) {
    const res = await ws.api('POST', '/v1/conversations', { contact: { name: `C${i}` }, channel: 'sms', message: { body: `hello number ${i}` } });
    assert.equal(res.status, 201);
  }
  const ana = await ws.addAgent('ana');
  for (let i = 0; i < 3; i++) assert.equal((await ana.call('GET', '/v1/conversations?view=all&limit=50')).body.items.length, 20);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(server.server.deps.storage.db);
  assert.ok(rows[0]!.n > 5, `the pool's connection holds the create's statements (${rows[0]!.n})`);
  assert.ok(rows[0]!.n <= new StatementNames().cap);
});
