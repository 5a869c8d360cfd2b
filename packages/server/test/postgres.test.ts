import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { sql } from 'kysely';
import { AnotherNodeServing, openPostgres } from '../src/storage/postgres.js';
import { freshPostgresDatabase, TestServer } from '../src/testing.js';
import { running, serve } from './support/cli.js';

// What only PostgreSQL has to get right. The rest of the server's suite runs on it too
// (scripts/with-postgres.mjs); outside that harness these are skipped.
const admin = process.env.BATON_TEST_POSTGRES;
const options = { skip: admin ? false : 'needs PostgreSQL: runs under scripts/with-postgres.mjs (pnpm test)' };

/** A new, empty (unmigrated) database whose default collation is linguistic (ICU English), as most servers' are. */
async function linguisticDatabase(t: { after(fn: () => unknown): void }): Promise<string> {
  const { url, drop } = await freshPostgresDatabase(admin!, "template template0 locale_provider icu icu_locale 'en' locale 'C.UTF-8'");
  // Dropped after every other hook of the test (the servers' closes), as `tempDbFile` removes its file.
  t.after(() => t.after(drop));
  return url;
}

test('on a database with a linguistic collation, every text column compares bytewise, so pages and lists order as on SQLite', options, async (t) => {
  const url = await linguisticDatabase(t);
  const storage = await openPostgres(url);
  t.after(() => storage.close());
  const { rows: notC } = await sql<{ table_name: string; column_name: string }>`select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and data_type = 'text' and collation_name is distinct from 'C'`.execute(storage.db);
  assert.deepEqual(notC, []);
  // The database itself still orders linguistically: the pinning is what makes the difference.
  const { rows } = await sql<{ v: string }>`select v from (values ('a'), ('B'), ('_')) as x(v) order by v`.execute(storage.db);
  assert.deepEqual(
    rows.map((r) => r.v),
    ['_', 'a', 'B'],
  );
  await storage.close();

  const server = await TestServer.startFor(t, { db: url });
  const ws = await server.createWorkspace('Acme');
  for (const username of ['bob', 'zed', 'ann']) await ws.addAgent(username, { name: username === 'zed' ? 'Zed' : username === 'ann' ? '_ann' : 'bob' });
  const agents = (await ws.api('GET', '/v1/agents')).body.items.map((a: { name: string }) => a.name);
  assert.deepEqual(agents, ['Zed', '_ann', 'bob'], 'ORDER BY name is bytewise, as SQLite BINARY');
});

test('one node serves a database: a second is refused by name until the first closes; tools open beside it', options, async (t) => {
  const { url, drop } = await freshPostgresDatabase(admin!);
  t.after(drop);
  const first = await openPostgres(url);
  await assert.rejects(openPostgres(url), AnotherNodeServing);
  const tool = await openPostgres(url, { serving: false });
  await tool.close();
  await first.close();
  const next = await openPostgres(url);
  await next.close();
});

test('nodes and tools opening a new database at once apply each migration once', options, async (t) => {
  const url = await linguisticDatabase(t); // empty, unlike the harness's migrated copies
  const opened = await Promise.all([openPostgres(url), openPostgres(url, { serving: false }), openPostgres(url, { serving: false })]);
  for (const storage of opened) await storage.close();
  const check = await openPostgres(url, { serving: false });
  t.after(() => check.close());
  const { rows } = await sql<{ n: number; distinct: number }>`select count(*) as n, count(distinct version) as distinct from baton_migrations`.execute(check.db);
  assert.ok(rows[0]!.n > 30);
  assert.equal(rows[0]!.n, rows[0]!.distinct);
});

test(
  'DATABASE_URL serves from PostgreSQL, one node per database: a second node is refused by name, and `baton consumers` reads beside the first',
  options,
  async (t) => {
    const { url: databaseUrl, drop } = await freshPostgresDatabase(admin!);
    const env = { DATABASE_URL: databaseUrl };
    const node = await running(t, env, null);
    t.after(drop); // after the node's kill, registered before it
    const { apiKey } = await node.api('/v1/workspaces', 'cli-admin', { name: 'Acme' });
    const { conversation } = await node.api('/v1/conversations', apiKey, { contact: { name: 'Ana' }, channel: 'sms', message: { body: 'hello from PostgreSQL' } });

    const second = await serve(env, null);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /another Baton node is serving this PostgreSQL database/);

    const places = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'consumers'], { env: { ...process.env, ...env }, timeout: 30_000 }, (_error, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    assert.equal(places.code, 0, places.stderr);
    assert.match(places.stdout, /\t\(this build\)$/m);

    // The node still answers after both, with the data in PostgreSQL.
    const read = await fetch(`${node.url}/v1/conversations/${conversation.id}/timeline`, { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(read.status, 200);
    assert.deepEqual(
      ((await read.json()) as { items: { body?: string }[] }).items.map((i) => i.body).filter(Boolean),
      ['hello from PostgreSQL'],
    );
  },
);
