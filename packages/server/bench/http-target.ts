/**
 * The server side of the HTTP benchmark, run as a child process (`node --import tsx`) so the load
 * generator does not share an event loop with the server it measures.
 *
 *   baton         the real server (`startServer`) on a WAL file database in a temp dir, or with
 *                 BENCH_POSTGRES on a new database of that PostgreSQL server
 *   baseline      a bare Hono app whose one handler does one libsql insert on a WAL file database,
 *                 served by the same @hono/node-server and hono packages as Baton (the versions
 *                 each side resolved are printed beside the results)
 *   baseline-txn  the same bare Hono app writing what Baton writes for this request, as the same 11
 *                 statements (key lookup, BEGIN, seq lock, contact, conversation, two timeline items,
 *                 conversation update, outbox row, seq, COMMIT) prepared once, on Baton's own schema
 *                 and triggers: what the data model costs without the code around it
 *
 * Usage (from http.ts): fork('http-target.ts', [kind, secret, whatIfs]). Talks to the parent over
 * IPC: sends `{ type: 'ready', url, stack }` (the HTTP packages it runs on), answers `rows` (rows the load created), `unrouted`
 * (conversations the rules have not placed yet), `placement` (how long
 * conversations created since a time waited for the rules' assignment) and `cpu` (CPU time used so far), runs V8's CPU profiler (the one behind --cpu-prof) between `profile-start` and
 * `profile-stop` so startup and module loading stay out of it, and on `stop` closes, deletes its
 * files and exits.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import Sqlite from 'libsql';
import { newId } from '../src/ids.js';
import { startServer } from '../src/server.js';
import { freshPostgresDatabase } from '../src/testing.js';
import { openSqlite } from '../src/storage/db.js';
import { openPostgres } from '../src/storage/postgres.js';
import { hashApiKey } from '../src/storage/workspaces.js';
import { placementWaits } from './placement-waits.js';
import { profiler } from './profile.js';

export type TargetKind = 'baton' | 'baseline' | 'baseline-txn';
export type ToTarget = { type: 'rows' } | { type: 'unrouted' } | { type: 'placement'; since: number } | { type: 'cpu' } | { type: 'stop' } | { type: 'profile-start' } | { type: 'profile-stop'; file: string };
export type FromTarget =
  | { type: 'ready'; url: string; stack: string }
  | { type: 'cpu'; micros: number }
  | { type: 'rows'; count: number }
  | { type: 'unrouted'; count: number }
  | { type: 'placement'; waits: number[]; unplaced: number }
  | { type: 'stopped' }
  | { type: 'profile-started' }
  | { type: 'profile-written' };

interface Target {
  url: string;
  rows(): Promise<number>;
  /** Conversations the rules have not placed yet: no assignee and not waiting in a queue (Baton only; 0 elsewhere). */
  unrouted?(): Promise<number>;
  /**
   * For the conversations created since `since` (ms, this machine's clock): how long each waited
   * from its creation to the rules' assignment (the `assigned` event's time), in ms, and how many
   * have none yet (Baton only).
   */
  placement?(since: number): Promise<{ waits: number[]; unplaced: number }>;
  close(): Promise<void>;
}

/**
 * What-if variants of the real server, to put a number on a suggested change without making it:
 *   no-group-commit  every command in a transaction of its own (storage/group-commit.ts off)
 *   no-index         full-text indexing after commit switched off (searches would index on demand)
 *   no-relay         the outbox relay is not kicked after each commit (its 1 s poll still drains, in batches)
 *   unnamed          with BENCH_POSTGRES: no named prepared statements (storage/pg-statements.ts)
 */
export const WHAT_IFS = ['no-group-commit', 'no-index', 'no-relay', 'unnamed'] as const;
export type WhatIf = (typeof WHAT_IFS)[number];

/**
 * How every server here syncs a database file at commit: `full` (Baton's default) or `normal`
 * (BENCH_SQLITE_SYNCHRONOUS). The baselines follow the same setting, so a ratio compares servers
 * that promise the same durability.
 */
const SYNCHRONOUS: 'FULL' | 'NORMAL' = (() => {
  const raw = (process.env.BENCH_SQLITE_SYNCHRONOUS ?? 'full').toLowerCase();
  if (raw !== 'full' && raw !== 'normal') throw new Error(`BENCH_SQLITE_SYNCHRONOUS must be full or normal, got ${raw}`);
  return raw === 'full' ? 'FULL' : 'NORMAL';
})();

async function startBaton(file: string, adminToken: string, whatIfs: WhatIf[]): Promise<Target> {
  // BENCH_POSTGRES (a server's URL whose user may create databases): Baton on a database of its own there.
  const postgres = process.env.BENCH_POSTGRES ? await freshPostgresDatabase(process.env.BENCH_POSTGRES) : null;
  // unnamed: on PostgreSQL, every query as a fresh unnamed statement, as before session 19.
  if (whatIfs.includes('unnamed') && !postgres) throw new Error('the unnamed what-if needs BENCH_POSTGRES: SQLite has no named statements');
  const storage = postgres && whatIfs.includes('unnamed') ? await openPostgres(postgres.url, { statementNames: null }) : undefined;
  const server = await startServer({ db: postgres?.url ?? file, storage, adminToken, host: '127.0.0.1', port: 0, sqliteSynchronous: SYNCHRONOUS === 'FULL' ? 'full' : 'normal' });
  if (whatIfs.includes('no-group-commit')) {
    const { db } = server.deps.storage;
    server.deps.storage.write = (work) => db.transaction().execute(work);
  }
  if (whatIfs.includes('no-index')) server.deps.search.catchUp = async () => {};
  if (whatIfs.includes('no-relay')) server.deps.relay.kick = () => {};
  return {
    url: server.url,
    rows: async () => {
      const row = await server.deps.storage.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    // From the workspace counters and the queue, not a scan of the conversations: it is polled while
    // the runner catches up, and must not slow what it measures.
    unrouted: async () => {
      const { db } = server.deps.storage;
      const open = await db.selectFrom('workspaces').select((eb) => eb.fn.sum<number>('open_unassigned_count').as('n')).executeTakeFirst();
      const waiting = await db.selectFrom('routing_waits').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      return Number(open?.n ?? 0) - Number(waiting?.n ?? 0);
    },
    placement: async (since) => {
      const all = await placementWaits(server.deps.storage.db, { since });
      const waits = all.filter((w): w is number => w !== null);
      return { waits, unplaced: all.length - waits.length };
    },
    close: async () => {
      await server.close();
      await postgres?.drop();
    },
  };
}

/** The floor: HTTP + JSON + one insert through the same driver with the same pragmas as openSqlite. */
async function startBaseline(file: string): Promise<Target> {
  const db = new Sqlite(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${SYNCHRONOUS}`); // as Baton's (BENCH_SQLITE_SYNCHRONOUS)
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, channel TEXT NOT NULL, body TEXT, created_at INTEGER NOT NULL
  )`);
  const insert = db.prepare('INSERT INTO items (id, name, phone, channel, body, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const count = db.prepare('SELECT count(*) AS n FROM items');

  const app = new Hono();
  app.post('/v1/conversations', async (c) => {
    const body = (await c.req.json()) as { contact: { name: string; phone?: string }; channel: string; message?: { body: string } };
    const item = {
      id: randomUUID(),
      name: body.contact.name,
      phone: body.contact.phone ?? null,
      channel: body.channel,
      body: body.message?.body ?? null,
      createdAt: Date.now(),
    };
    insert.run(item.id, item.name, item.phone, item.channel, item.body, item.createdAt);
    return c.json({ item }, 201);
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rows: async () => Number((count.get() as { n: number }).n),
    close: async () => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

/** The version of `name` that the module at `from` imports (found from where it resolves, not from package.json ranges). */
function resolvedVersion(name: string, from: URL): string {
  let dir = dirname(createRequire(from).resolve(name));
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === name) return `${name} ${pkg.version}`;
  }
  throw new Error(`no package.json for ${name} above ${from}`);
}

/**
 * The HTTP adapter and framework each server runs on: Baton's as `src/server.ts` and `src/http/app.ts`
 * import them, the baselines' as this file does. Both sides must be the same for the ratio to mean anything.
 */
function httpStack(kind: TargetKind): string {
  const [adapterFrom, honoFrom] =
    kind === 'baton' ? [new URL('../src/server.ts', import.meta.url), new URL('../src/http/app.ts', import.meta.url)] : [new URL(import.meta.url), new URL(import.meta.url)];
  return `${resolvedVersion('@hono/node-server', adapterFrom)}, ${resolvedVersion('hono', honoFrom)}`;
}

/** Baton's write set for "create a conversation with a first message", as raw SQL on Baton's schema. */
async function startBaselineTxn(file: string, token: string): Promise<Target> {
  await (await openSqlite(file)).close(); // the real schema, migrations and triggers included
  const db = new Sqlite(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${SYNCHRONOUS}`); // as Baton's (BENCH_SQLITE_SYNCHRONOUS)
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const workspaceId = newId('ws');
  const now0 = Date.now();
  db.prepare(`INSERT INTO workspaces (id, name, time_zone, allowed_origins, seq, created_at) VALUES (?, 'Bench', 'UTC', '[]', 0, ?)`).run(workspaceId, now0);
  db.prepare(`INSERT INTO api_keys (id, workspace_id, key_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)`).run(newId('key'), workspaceId, hashApiKey(token), now0);

  const st = {
    auth: db.prepare('SELECT workspace_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL'),
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    lock: db.prepare('UPDATE workspaces SET seq = seq WHERE id = ? RETURNING seq'),
    contact: db.prepare(`INSERT INTO contacts (id, workspace_id, name, phone, email, language, tags, external_id, created_at) VALUES (?, ?, ?, ?, NULL, NULL, '[]', NULL, ?)`),
    conversation: db.prepare(
      `INSERT INTO conversations (id, workspace_id, contact_id, channel, source, subject, status, assignee_id, team_id, tags, priority, version,
         created_at, last_message_at, last_inbound_at, last_inbound_seq, resolved_at, waiting_since, preview)
       VALUES (?, ?, ?, ?, NULL, NULL, 'open', NULL, NULL, '[]', 'normal', 1, ?, ?, NULL, NULL, NULL, NULL, NULL)`,
    ),
    timeline: db.prepare(
      `INSERT INTO timeline (id, workspace_id, conversation_id, seq, kind, direction, channel, body, mentions, event_type, actor_type, actor_id, data, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'api', NULL, ?, ?)`,
    ),
    update: db.prepare(
      `UPDATE conversations SET preview = ?, last_inbound_at = ?, last_inbound_seq = ?, version = 2 WHERE workspace_id = ? AND id = ? AND version = 1 RETURNING *`,
    ),
    outbox: db.prepare(`INSERT INTO outbox (workspace_id, seq, type, conversation_id, payload, created_at) VALUES (?, ?, 'conversation.created', ?, ?, ?)`),
    seq: db.prepare('UPDATE workspaces SET seq = ? WHERE id = ?'),
  };
  const count = db.prepare('SELECT count(*) AS n FROM conversations');

  const app = new Hono();
  app.post('/v1/conversations', async (c) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    const key = st.auth.get(hashApiKey(token)) as { workspace_id: string } | undefined;
    if (!key) return c.json({ error: { code: 'unauthorized', message: 'unknown key' } }, 401);
    const body = (await c.req.json()) as { contact: { name: string; phone?: string }; channel: string; message: { body: string } };
    const ws = key.workspace_id;
    const now = Date.now();
    st.begin.run();
    try {
      let seq = Number((st.lock.get(ws) as { seq: number }).seq);
      const contactId = newId('ctc', now);
      st.contact.run(contactId, ws, body.contact.name, body.contact.phone ?? null, now);
      const id = newId('conv', now);
      st.conversation.run(id, ws, contactId, body.channel, now, now);
      const created = { id: newId('evt', now), seq: ++seq };
      st.timeline.run(created.id, ws, id, created.seq, 'event', null, null, null, 'created', JSON.stringify({ channel: body.channel, source: null }), now);
      const message = { id: newId('msg', now), seq: ++seq };
      st.timeline.run(message.id, ws, id, message.seq, 'message', 'inbound', body.channel, body.message.body, null, null, now);
      const row = st.update.get(body.message.body.slice(0, 140), now, message.seq, ws, id) as Record<string, unknown>;
      const conversation = { ...row, createdAt: new Date(now).toISOString() };
      const items = [created, message].map((item) => ({ ...item, conversationId: id, createdAt: new Date(now).toISOString() }));
      st.outbox.run(ws, ++seq, id, JSON.stringify({ conversation, items, notifications: [], agentIds: [] }), now);
      st.seq.run(seq, ws);
      st.commit.run();
      return c.json({ conversation }, 201);
    } catch (error) {
      st.rollback.run();
      throw error;
    }
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rows: async () => Number((count.get() as { n: number }).n),
    close: async () => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

const send = (message: FromTarget) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

async function main() {
  // `secret` is Baton's admin token, or the API key baseline-txn accepts (it checks one, as Baton does).
  const [kind, secret = '', whatIfList = ''] = process.argv.slice(2) as [TargetKind, string?, string?];
  const whatIfs = whatIfList.split(',').filter(Boolean) as WhatIf[];
  for (const w of whatIfs) if (!WHAT_IFS.includes(w)) throw new Error(`unknown what-if ${w} (known: ${WHAT_IFS.join(', ')})`);
  if (kind !== 'baton' && kind !== 'baseline' && kind !== 'baseline-txn') throw new Error(`unknown target ${process.argv[2]}`);
  if (!process.send) throw new Error('run me with child_process.fork (I talk over IPC)');
  const dir = mkdtempSync(join(tmpdir(), `baton-bench-${kind}-`));
  const file = join(dir, `${kind}.db`);
  const target =
    kind === 'baton' ? await startBaton(file, secret, whatIfs) : kind === 'baseline-txn' ? await startBaselineTxn(file, secret) : await startBaseline(file);
  // Whatever happens to the parent, do not outlive it.
  process.on('disconnect', () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  });
  let profiling: ReturnType<typeof profiler> | null = null;
  process.on('message', async (message: ToTarget) => {
    if (message.type === 'profile-start') {
      profiling = profiler();
      await profiling.start();
      await send({ type: 'profile-started' });
    }
    if (message.type === 'profile-stop') {
      await profiling?.stop(message.file);
      await send({ type: 'profile-written' });
    }
    // CPU this process has used so far (all threads): per request, it tells cost from waiting on a busy machine.
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      await send({ type: 'cpu', micros: user + system });
    }
    if (message.type === 'rows') await send({ type: 'rows', count: await target.rows() });
    if (message.type === 'unrouted') await send({ type: 'unrouted', count: (await target.unrouted?.()) ?? 0 });
    if (message.type === 'placement') await send({ type: 'placement', ...((await target.placement?.(message.since)) ?? { waits: [], unplaced: 0 }) });
    if (message.type === 'stop') {
      await target.close();
      rmSync(dir, { recursive: true, force: true });
      await send({ type: 'stopped' });
      process.exit(0);
    }
  });
  await send({ type: 'ready', url: target.url, stack: httpStack(kind) });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
