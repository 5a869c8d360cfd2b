import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { AnotherNodeServing, openPostgres } from '../src/storage/postgres.js';
import { HEARTBEAT_EVERY_MS } from '../src/storage/serving-lock.js';
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
  'DATABASE_URL serves from PostgreSQL, one node per database: a second node is refused by name, `baton consumers` reads beside the first, and BATON_POSTGRES_POOL_SIZE caps its connections',
  options,
  async (t) => {
    const { url: databaseUrl, drop } = await freshPostgresDatabase(admin!);
    const env = { DATABASE_URL: databaseUrl, BATON_POSTGRES_POOL_SIZE: '2' };
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

    // Twenty creates at once (each fanned out to the relay's consumers) queue for the node's two
    // pooled connections: besides them it holds only the serving lock's.
    const creates = await Promise.all(
      Array.from({ length: 20 }, (_, i) => node.api('/v1/conversations', apiKey, { contact: { name: `C${i}` }, channel: 'sms', message: { body: `at once ${i}` } })),
    );
    assert.equal(new Set(creates.map((c) => c.conversation.id)).size, 20);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      assert.ok(rows[0]!.n >= 2 && rows[0]!.n <= 3, `the node holds ${rows[0]!.n} connections`);
    } finally {
      await client.end();
    }
  },
);

/**
 * Ends the backend that holds a node's serving lock, as a server restart or a cut connection would.
 * With `andTakeIt`, this client then waits for that lock as another node would: it is in the
 * lock's queue before the node has even reconnected, so it gets the lock first.
 */
async function cutServingLock(url: string, andTakeIt = false): Promise<{ close(): Promise<void> }> {
  const other = new pg.Client({ connectionString: url });
  // The database is dropped with its connections when the test's server closes, which may come first.
  other.on('error', () => {});
  await other.connect();
  const ended = "select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = 'baton serving lock' and datname = current_database()";
  // One round trip for both, so the wait is queued at once.
  const results = (await other.query(andTakeIt ? `${ended}; select pg_advisory_lock(${SERVING_LOCK_KEY})` : ended)) as unknown as pg.QueryResult | pg.QueryResult[];
  const first = Array.isArray(results) ? results[0]! : results;
  assert.deepEqual(
    first.rows.map((r: { ended: boolean }) => r.ended),
    [true],
  );
  return { close: () => other.end() };
}
const SERVING_LOCK_KEY = 0x6261746f6e02n.toString();

/** Polls what the node says about itself until `check` holds (real I/O: the backend's end reaches the node as a socket event). */
async function until(check: () => Promise<boolean>) {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('not within 10 s');
}

/**
 * Runs `write` (a create) while another session of the database at `url` holds the conversations
 * table, and returns once its insert waits on that lock, inside its transaction. `release` lets
 * go. If the test fails before it does, the server ends the holding session after 30 s idle in its
 * transaction, so the test server's close (which waits for the insert) is not held forever.
 */
async function heldAtInsert<T>(url: string, write: () => Promise<T>): Promise<{ pending: Promise<T>; release(): Promise<void> }> {
  const holder = new pg.Client({ connectionString: url, idle_in_transaction_session_timeout: 30_000 });
  await holder.connect();
  holder.on('error', () => {});
  await holder.query('begin');
  await holder.query('lock table conversations in exclusive mode');
  const release = async () => {
    await holder.query('rollback');
    await holder.end();
  };
  const pending = write();
  // Watched from a session of its own: inside the holder's transaction, pg_stat_activity lists the
  // sessions its first read saw, so the create's connection, if the pool opened it later, never shows.
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  try {
    await until(async () => (await watcher.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows.length === 1);
  } catch (error) {
    await release().catch(() => {});
    throw error;
  } finally {
    await watcher.end();
  }
  return { pending, release };
}

async function healthUntil(server: TestServer, check: (status: number, body: any) => boolean) {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const res = await server.request('GET', '/healthz');
    if (check(res.status, res.body)) return res;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('the node did not say so within 10 s');
}

const conversations = async (server: TestServer) =>
  Number((await sql<{ n: number }>`select count(*) as n from conversations`.execute(server.server.deps.storage.db)).rows[0]!.n);

test('the serving lock lost with its connection: writes answer 503 and change nothing until it is taken back on the clock, then resume', options, async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const create = () => ws.api('POST', '/v1/conversations', { contact: { name: 'Ana' }, channel: 'sms', message: { body: 'hello' } });
  assert.equal((await create()).status, 201);

  const cut = await cutServingLock(server.databaseUrl!);
  t.after(() => cut.close());
  const down = await healthUntil(server, (status) => status === 503);
  assert.deepEqual(down.body, { ok: false, reason: 'this node lost its PostgreSQL connection and is reconnecting; try again in a moment' });
  const refused = await create();
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'unavailable');
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(await conversations(server), 1, 'the refused create wrote nothing');

  // Taken back at the retry's time on the node's clock, not before.
  server.clock!.advance(0);
  await healthUntil(server, (status) => status === 200);
  assert.equal((await create()).status, 201);
  assert.equal(await conversations(server), 2);
  // This database's (other tests' servers hold the same key on theirs, in the same cluster).
  const { rows } = await sql<{ n: number }>`select count(*) as n from pg_locks where locktype = 'advisory' and granted
    and database = (select oid from pg_database where datname = current_database())
    and (classid::bigint << 32 | objid::bigint) = ${SERVING_LOCK_KEY}::bigint`.execute(server.server.deps.storage.db);
  assert.equal(Number(rows[0]!.n), 1, 'held again, by one session');
});

test('a database that refuses connections for a while: requests answer 503 and the lock is tried again on the clock until it is back', options, async (t) => {
  const server = await TestServer.startFor(t);
  const ws = await server.createWorkspace('Acme');
  const ana = await ws.addAgent('ana');
  const database = new URL(server.databaseUrl!).pathname.slice(1);
  const admin = new pg.Client({ connectionString: process.env.BATON_TEST_POSTGRES });
  await admin.connect();
  t.after(() => admin.end());
  const allow = (yes: boolean) => admin.query(`alter database ${pg.escapeIdentifier(database)} allow_connections ${yes}`);
  // (A test that fails before allowing them again still drops the database: the drop needs no connection to it.)
  await allow(false);
  // Every connection of the node ends, the lock's and the pool's: any query now needs a new one.
  const { rows } = await admin.query<{ app: string }>('select application_name as app, pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [database]);
  assert.ok(rows.some((r) => r.app === 'baton serving lock'));
  await healthUntil(server, (status) => status === 503);
  for (const [method, path, body] of [
    ['GET', '/v1/agents', undefined],
    ['POST', '/v1/conversations', { contact: { name: 'Ana' }, channel: 'sms', message: { body: 'hello' } }],
  ] as const) {
    const res = await ws.api(method, path, body);
    assert.equal(res.status, 503, `${method} ${path}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'unavailable');
    assert.equal(res.headers.get('retry-after'), '1');
  }
  // A socket is told to come back, not that its token failed (a client with a fixed token gives up on that).
  const refused = await server.live(ana.token).then(
    () => assert.fail('the handshake was admitted'),
    (e: Error & { data?: unknown }) => e,
  );
  assert.deepEqual({ message: refused.message, data: refused.data }, { message: 'unavailable', data: { code: 'unavailable', retryAfterMs: 1000 } });
  // The first try fails to connect, and so do the ones after it, while the database refuses.
  for (let i = 0; i < 3; i++) server.clock!.advance(5_000);
  assert.equal((await server.request('GET', '/healthz')).status, 503);
  await allow(true);
  // Driven on the clock: each step lets the next try run (its connection is real I/O).
  const back = await healthUntil(server, (status) => {
    server.clock!.advance(5_000);
    return status === 200;
  });
  assert.deepEqual(back.body, { ok: true });
  // The pool opens new connections: the node serves again, and the refused create was never made.
  assert.equal((await ws.api('POST', '/v1/conversations', { contact: { name: 'Ana' }, channel: 'sms', message: { body: 'hello' } })).status, 201);
  assert.equal(await conversations(server), 1);
  await server.live(ana.token);
});

/**
 * A TCP proxy in front of the test's PostgreSQL, as a pooler or a load balancer would be:
 * - `cut()` drops every connection on the node's side only, and the server keeps its side open (it
 *   has not noticed, as in a partition);
 * - `reset()` drops every connection on both sides at once, as a failover or a restarted proxy does;
 * - `freeze()` stops carrying bytes, on the connections open and on new ones, without closing any
 *   (a partition: nobody hears a thing), and a side the node closes meanwhile leaves the server's
 *   open; `thaw()` carries them again.
 */
async function proxyFor(url: string): Promise<{ url: string; cut(): void; reset(): void; freeze(): void; thaw(): void; close(): Promise<void> }> {
  const target = new URL(url);
  const open: { node: Socket; server: Socket }[] = [];
  const parked: Socket[] = [];
  let frozen = false;
  const join = ({ node, server }: { node: Socket; server: Socket }) => {
    node.pipe(server);
    server.pipe(node);
  };
  const part = ({ node, server }: { node: Socket; server: Socket }) => {
    node.unpipe(server);
    server.unpipe(node);
  };
  const proxy = createServer((node) => {
    const pair = { node, server: connect(Number(target.port), target.hostname) };
    node.on('error', () => {});
    pair.server.on('error', () => {});
    node.on('close', () => {
      const at = open.indexOf(pair);
      if (at < 0) return;
      open.splice(at, 1);
      // While frozen the node's goodbye never reaches the server.
      if (frozen) parked.push(pair.server);
      else pair.server.destroy();
    });
    open.push(pair);
    if (!frozen) join(pair);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  proxied.port = String((proxy.address() as { port: number }).port);
  return {
    url: proxied.toString(),
    cut() {
      for (const pair of open.splice(0)) {
        part(pair);
        pair.node.destroy();
        // The server's side stays open: its backend, and the lock it holds, live on.
        parked.push(pair.server);
      }
    },
    reset() {
      for (const { node, server } of open.splice(0)) {
        node.resetAndDestroy();
        server.resetAndDestroy();
      }
    },
    freeze() {
      frozen = true;
      open.forEach(part);
    },
    thaw() {
      frozen = false;
      open.forEach(join);
    },
    async close() {
      for (const socket of [...open.splice(0).flatMap((p) => [p.node, p.server]), ...parked.splice(0)]) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

test("a connection cut on the node's side only: the lock, still held by its old session, is taken back by ending that session", options, async (t) => {
  const { url, drop } = await freshPostgresDatabase(admin!);
  const proxy = await proxyFor(url);
  const lost: Error[] = [];
  const server = await TestServer.startFor(t, { db: proxy.url, onServingLost: (error) => lost.push(error) });
  // After the server's close, registered before them.
  t.after(() => proxy.close());
  t.after(drop);
  const ws = await server.createWorkspace('Acme');
  const { rows: before } = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = 'baton serving lock' and datname = current_database()`.execute(server.server.deps.storage.db);
  assert.equal(before.length, 1);

  proxy.cut();
  await healthUntil(server, (status) => status === 503);
  // Each step of the clock lets one try run: the first finds the old session holding the lock and ends it, a later one takes it.
  await healthUntil(server, (status) => {
    server.clock!.advance(5_000);
    return status === 200;
  });
  assert.deepEqual(lost, [], 'not taken for another node');
  const { rows: after } = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = 'baton serving lock' and datname = current_database()`.execute(server.server.deps.storage.db);
  assert.equal(after.length, 1);
  assert.notEqual(after[0]!.pid, before[0]!.pid, 'a new session holds it, and the old one is gone');
  assert.equal((await ws.api('POST', '/v1/conversations', { contact: { name: 'Ana' }, channel: 'sms', message: { body: 'hello' } })).status, 201);
});

test('connections reset while a query runs (a failover): the write answers 503, the node lives on and takes the lock back', options, async (t) => {
  const { url, drop } = await freshPostgresDatabase(admin!);
  const proxy = await proxyFor(url);
  const server = await TestServer.startFor(t, { db: proxy.url });
  t.after(() => proxy.close());
  t.after(drop);
  const ws = await server.createWorkspace('Acme');
  const create = () => ws.api('POST', '/v1/conversations', { contact: { name: 'Ana' }, channel: 'sms', message: { body: 'hello' } });
  assert.equal((await create()).status, 201);

  // The node's insert is running, waiting on another session's lock, when the reset comes.
  const held = await heldAtInsert(url, create);
  proxy.reset();
  // Before the fix the client's 'error' event had no listener and ended this process.
  const refused = await held.pending;
  assert.equal(refused.status, 503, JSON.stringify(refused.body));
  assert.equal(refused.body.error.code, 'unavailable');
  await held.release();

  await healthUntil(server, (status) => {
    server.clock!.advance(5_000);
    return status === 200;
  });
  assert.equal((await create()).status, 201);
  assert.equal(await conversations(server), 2, 'the refused create wrote nothing');
});

test('a silent partition mid-transaction: the heartbeat notices it, the write caught in it answers 503, and once it heals the node serves, its old transaction ended', options, async (t) => {
  const { url, drop } = await freshPostgresDatabase(admin!);
  const proxy = await proxyFor(url);
  // First of the hooks: a test failing while the proxy is frozen must not leave the server's close waiting on it.
  t.after(() => proxy.thaw());
  const lost: Error[] = [];
  // The heartbeat's and the pool's connects' wait, in real time: short, but not so short that a busy
  // machine's slow connect or `select 1` is taken for the partition.
  const server = await TestServer.startFor(t, { db: proxy.url, postgresTimeoutMs: 1_000, onServingLost: (error) => lost.push(error) });
  t.after(() => proxy.close());
  t.after(drop);
  const ws = await server.createWorkspace('Acme');
  const create = () => ws.api('POST', '/v1/conversations', { contact: { name: 'Ana' }, channel: 'sms', message: { body: 'hello' } });
  assert.equal((await create()).status, 201);
  // A heartbeat answered in time changes nothing.
  server.clock!.advance(HEARTBEAT_EVERY_MS);
  assert.equal((await server.request('GET', '/healthz')).status, 200);

  // A create inside its transaction (the workspace's row already locked) when the network goes quiet:
  // held at its insert by another session's table lock, which is let go once nothing gets through.
  const { pending: stuck, release } = await heldAtInsert(url, create);
  proxy.freeze();
  await release();

  // Until the heartbeat runs, nothing tells the node: TCP would take minutes.
  assert.equal((await server.request('GET', '/healthz')).status, 200);
  server.clock!.advance(HEARTBEAT_EVERY_MS);
  const down = await healthUntil(server, (status) => status === 503);
  assert.deepEqual(down.body, { ok: false, reason: 'this node lost its PostgreSQL connection and is reconnecting; try again in a moment' });
  // The create held on a connection nobody answers is failed, not left to wait for TCP.
  const refused = await stuck;
  assert.equal(refused.status, 503, JSON.stringify(refused.body));
  // A new one is refused at once, not queued behind the partition.
  assert.equal((await create()).status, 503);

  proxy.thaw();
  // The server never heard the old sessions go: the lock's is ended by pid, then the lock taken.
  await healthUntil(server, (status) => {
    server.clock!.advance(5_000);
    return status === 200;
  });
  assert.deepEqual(lost, []);
  // The caught create's session still holds the workspace's row, idle in its transaction, until the
  // server ends it (idle_in_transaction_session_timeout); without that, for as long as TCP takes.
  const after = await Promise.race([create(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000).unref())]);
  if (!after) {
    // Ended here, or the server's close would wait on them too.
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(
      server.server.deps.storage.db,
    );
    assert.fail('the next create still waited on the old transaction after 20 s');
  }
  assert.equal(after.status, 201);
  assert.equal(await conversations(server), 2, 'only the creates answered 201: the caught one was rolled back');
});

test('another node took the lock while this one reconnected: it is told, and its writes stay refused', options, async (t) => {
  const lost: Error[] = [];
  const server = await TestServer.startFor(t, { onServingLost: (error) => lost.push(error) });
  const ws = await server.createWorkspace('Acme');
  const cut = await cutServingLock(server.databaseUrl!, true);
  t.after(() => cut.close());
  await healthUntil(server, (status) => status === 503);
  server.clock!.advance(0);
  const gone = await healthUntil(server, (_status, body) => body.reason !== 'this node lost its PostgreSQL connection and is reconnecting; try again in a moment');
  assert.equal(gone.status, 503);
  assert.deepEqual(gone.body, { ok: false, reason: 'another Baton node now serves this database; this node is stopping' });
  assert.equal(lost.length, 1);
  assert.match(lost[0]!.message, /another Baton node took the serving lock/);
  // No more tries: the other node has it.
  server.clock!.advance(60_000);
  const refused = await ws.api('POST', '/v1/conversations', { contact: { name: 'Ana' }, channel: 'sms', message: { body: 'hello' } });
  assert.equal(refused.status, 503);
});

test('`baton serve` whose database another node took over stops with code 1 and says why', options, async (t) => {
  const { url: databaseUrl, drop } = await freshPostgresDatabase(admin!);
  const node = await running(t, { DATABASE_URL: databaseUrl }, null);
  t.after(drop);
  const cut = await cutServingLock(databaseUrl, true);
  t.after(() => cut.close());
  assert.equal(await node.exited, 1);
  assert.match(node.stderr(), /another Baton node took the serving lock while this node was reconnecting/);
});
