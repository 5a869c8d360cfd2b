#!/usr/bin/env -S node --import tsx
import path from 'node:path';
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { BUILT_IN_DURABLE_CONSUMERS } from './background.js';
import { seedDemoWorkspace } from './demo/seed.js';
import { listenPort, serverOptionsFromEnv } from './env-options.js';
import { backupSqlite } from './storage/backup.js';
import { isPostgresUrl, openStorage } from './storage/open.js';
import { durablePlaces, lastOutboxId, retireDurablePlace } from './storage/outbox.js';
import { findWorkspace, setAllowedOrigins } from './storage/workspaces.js';
import { LATEST_MIGRATION } from './storage/migrate.js';
import { startServer, VERSION, type RunningServer } from './server.js';

const USAGE = `usage: baton serve [--port P] [--host H] [--db FILE] [--demo]
       baton migrate [--db FILE]                 apply pending migrations, then exit
       baton backup OUT [--db FILE]              copy the database file, as of one instant,
                                                 into the new file OUT while nodes serve it
       baton consumers [--db FILE]               durable outbox consumers' places
       baton consumers retire NAME [--db FILE]   forget one no process runs any more
       baton origins WS_ID [ORIGIN… | *] [--db FILE]
                                                 the pages whose sockets a workspace admits;
                                                 with origins, replaces them (* alone: any page)

  --port   port to listen on (default: $PORT or 3000)
  --host   interface to bind (default: 127.0.0.1; 0.0.0.0 to expose)
  --db     libsql database file (default: baton.db; :memory: for a throwaway)
  --demo   seed the demo workspace (agents ana, ben, maria, tom) if it is not there

environment:
  DATABASE_URL        postgres://user:password@host:5432/db: keep the data in PostgreSQL
                      instead of --db FILE (one node per database)
  BATON_POSTGRES_TIMEOUT_MS
                      how long the node waits for PostgreSQL to answer a connect or its
                      heartbeat before it takes the server for unreachable (default 10000)
  BATON_POSTGRES_POOL_SIZE
                      pooled PostgreSQL connections, besides the serving lock's (default 10)
  BATON_ADMIN_TOKEN   enables POST /v1/workspaces for this bearer token
  BATON_SQLITE_SYNCHRONOUS
                      full (default): a --db file syncs each commit to disk; normal: only
                      at checkpoints (faster; a power cut may lose the last commits)
  BATON_METRICS_TOKEN enables GET /metrics (Prometheus text) for this bearer token
  BATON_ACCESS_LOG    1: one JSON line per request on stdout
  SMTP_URL            mail server for notification emails (smtp://user:pass@host:port)
  MAIL_FROM           From: of notification emails
  BATON_PUBLIC_URL    this server's URL as browsers see it (for links)
  BATON_PRIVATE_DESTINATIONS
                      non-public addresses webhooks and push may reach: comma-separated
                      CIDRs (127.0.0.0/8,::1/128) or *; by default only public addresses
  BATON_MAX_WEBHOOKS_PER_WORKSPACE        live webhook endpoints per workspace (default 20)
  BATON_MAX_PUSH_SUBSCRIPTIONS_PER_AGENT  push subscriptions per agent (default 10)
  BATON_MAX_REQUESTS_IN_FLIGHT_PER_WORKSPACE
                      a workspace's requests handled at once; more wait their turn (default 32)
  BATON_MAX_HANDSHAKES_PER_WORKSPACE
                      socket connects a workspace may make at once, all agents together
                      (default 2000; the same again every 40 s); more are told to retry later
`;

/** Shorter admin tokens get a warning at start (32 hex digits are 128 random bits). */
const MIN_ADMIN_TOKEN_LENGTH = 32;

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      demo: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !['serve', 'consumers', 'migrate', 'origins', 'backup'].includes(positionals[0] ?? '')) {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const dbFile = values.db === ':memory:' ? ':memory:' : fromWhereTyped(values.db ?? 'baton.db');
  const databaseUrl = process.env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) {
    if (!isPostgresUrl(databaseUrl)) throw new Error('DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/db)');
    if (values.db !== undefined) throw new Error('both --db and DATABASE_URL are set; use one');
  }
  const target = databaseUrl ?? dbFile;
  if (positionals[0] === 'consumers') return consumers(positionals.slice(1), target);
  if (positionals[0] === 'migrate') return migrateOnly(target);
  if (positionals[0] === 'backup') return backup(positionals.slice(1), target);
  if (positionals[0] === 'origins') return origins(positionals.slice(1), target);
  const port = listenPort(values.port);
  // Several nodes on PostgreSQL are not built yet (README). Refused rather than ignored: an operator
  // who set it expects nodes joined through Redis, and would get one that hears nobody.
  if (process.env.REDIS_URL) {
    throw new Error('REDIS_URL is not supported by this build yet: nodes sharing one --db FILE already hear each other through its outbox, and PostgreSQL serves one node; unset REDIS_URL');
  }
  // Stops the node once: on SIGINT or SIGTERM (0), or when another node took its PostgreSQL
  // database over while it was reconnecting (1: a supervisor that restarts it then gets the boot
  // refusal that names the reason). That can happen before `startServer` returns, with no server
  // to close yet.
  const node: { server?: RunningServer } = {};
  let stopping: Promise<void> | null = null;
  const stopFor = (code: number) => {
    if (stopping) return stopping;
    console.log('[baton] stopping: finishing the writes in flight');
    return (stopping = (node.server?.close() ?? Promise.resolve()).finally(() => {
      console.log('[baton] stopped');
      process.exit(code);
    }));
  };
  const fromEnv = serverOptionsFromEnv();
  // Guesses at it are not throttled (any route answers 401 or 403), so only its length keeps it safe.
  if (fromEnv.adminToken && fromEnv.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    console.warn(`[baton] BATON_ADMIN_TOKEN has ${fromEnv.adminToken.length} characters: anyone who guesses it can create workspaces. Use ${MIN_ADMIN_TOKEN_LENGTH} or more random ones (openssl rand -hex 32)`);
  }
  const server = (node.server = await startServer({
    ...fromEnv,
    onServingLost: () => void stopFor(1),
    port,
    host: values.host ?? '127.0.0.1',
    db: target,
  }));
  if (values.demo) {
    const demo = await seedDemoWorkspace(server.deps);
    console.log(`[baton] demo workspace ${demo.workspaceId} (${demo.created ? 'seeded' : 'already there'})`);
  }
  const { migrated } = server.deps.storage;
  console.log(`[baton] Baton ${VERSION}, database ${describeTarget(target)}, schema at migration ${LATEST_MIGRATION}${migrated.length ? ` (applied now: ${migrated.join(', ')})` : ''}`);
  console.log(`[baton] listening on ${server.url}`);
  process.once('SIGINT', () => void stopFor(0));
  process.once('SIGTERM', () => void stopFor(0));
}

/**
 * `baton migrate`: brings the database's schema up to this build and exits, for an operator who
 * migrates before starting the new version (serve also migrates at boot, so this is never required).
 * Beside a running node on PostgreSQL, which holds the serving lock; migrations take their own.
 */
async function migrateOnly(target: string): Promise<void> {
  if (target === ':memory:') throw new Error('migrate needs a database: --db FILE or DATABASE_URL');
  const storage = await openStorage(target, { serving: false });
  try {
    const { migrated } = storage;
    console.log(
      migrated.length
        ? `[baton] applied migration${migrated.length === 1 ? '' : 's'} ${migrated.join(', ')}; ${describeTarget(target)} is at migration ${LATEST_MIGRATION}`
        : `[baton] ${describeTarget(target)} was already at migration ${LATEST_MIGRATION}; nothing to apply`,
    );
  } finally {
    await storage.close();
  }
}

/**
 * `baton consumers`: every durable consumer's stored place, and how old the oldest change the outbox
 * keeps for it is (the housekeeping sweep warns about one no process runs that holds changes past
 * the retention). `baton consumers retire NAME` forgets one, so the sweep can delete what it held;
 * this build's own consumers are refused (retired, one would skip every change made until it next
 * starts).
 */
async function consumers(args: string[], target: string): Promise<void> {
  const [action, name, ...rest] = args;
  if ((action !== undefined && action !== 'retire') || (action === 'retire' && (name === undefined || rest.length > 0))) {
    process.stdout.write(USAGE);
    process.exit(2);
  }
  const onFile = !isPostgresUrl(target);
  requireDatabase(target);
  // Beside the node that serves the database (on PostgreSQL, it holds the serving lock).
  const storage = await openStorage(target, { serving: false });
  const where = onFile ? target : 'the database';
  try {
    if (action === 'retire') {
      if (BUILT_IN_DURABLE_CONSUMERS.includes(name!)) throw new Error(`"${name}" is one of this build's consumers; retired, it would skip every change made until it next starts`);
      if (!(await retireDurablePlace(storage.db, name!))) throw new Error(`no durable consumer "${name}" in ${where}`);
      console.log(`[baton] retired "${name}": the outbox no longer keeps changes for it`);
      return;
    }
    const newest = await lastOutboxId(storage.db);
    const now = Date.now();
    for (const place of await durablePlaces(storage.db)) {
      const behind = place.pendingSince === null ? 'up to date' : `${newest - place.position} changes behind, oldest ${Math.floor((now - place.pendingSince) / 3600_000)} h old`;
      const whose = BUILT_IN_DURABLE_CONSUMERS.includes(place.name) ? 'this build' : 'not this build';
      console.log(`${place.name}\tat ${place.position}\t${behind}\t(${whose})`);
    }
  } finally {
    await storage.close();
  }
}

/**
 * `baton origins WS_ID`: the page origins whose sockets the workspace admits; with origins after it,
 * replaces them (`*` alone admits any page). v1's REST sets the list only when a workspace is
 * created (docs/decisions.md, session 33): this is the operator's way to change it. Each socket's
 * next handshake reads the new list; REST never checks it.
 */
async function origins(args: string[], target: string): Promise<void> {
  const [workspaceId, ...given] = args;
  if (!workspaceId) {
    process.stdout.write(USAGE);
    process.exit(2);
  }
  const wanted = given.length === 1 && given[0] === '*' ? ['*'] : given.map(pageOrigin);
  requireDatabase(target);
  const storage = await openStorage(target, { serving: false });
  try {
    const workspace = await findWorkspace(storage.db, workspaceId);
    if (!workspace) throw new Error(`no workspace ${workspaceId}`);
    if (given.length > 0) await storage.write((trx) => setAllowedOrigins(trx, workspaceId, [...new Set(wanted)]));
    const now = given.length > 0 ? [...new Set(wanted)] : (JSON.parse(workspace.allowed_origins) as string[]);
    console.log(now.length ? now.join('\n') : `[baton] ${workspaceId} admits no page's sockets (server-side clients only)`);
  } finally {
    await storage.close();
  }
}

/** The commands that read an existing database stop on a file that is not there (rather than create one). */
/**
 * `baton backup OUT`: a consistent copy of the database file beside the nodes serving it
 * (storage/backup.ts). PostgreSQL has its own tools for that (`pg_dump`), which say more than a copy would.
 */
async function backup(args: string[], target: string): Promise<void> {
  if (args.length !== 1) {
    process.stdout.write(USAGE);
    process.exit(2);
  }
  if (isPostgresUrl(target)) throw new Error('backup copies a database file; for PostgreSQL use pg_dump (pg_dump -Fc "$DATABASE_URL" > baton.dump)');
  requireDatabase(target);
  const out = fromWhereTyped(args[0]!);
  const started = performance.now();
  backupSqlite(target, out);
  console.log(`[baton] backed up ${target} to ${out} in ${Math.round(performance.now() - started)} ms`);
}

/** `pnpm baton` runs in the server package's folder; a path on the command line is meant from where the user typed it. */
function fromWhereTyped(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/** The database for a log line: the file, or PostgreSQL's address and database without the password. */
function describeTarget(target: string): string {
  if (!isPostgresUrl(target)) return target;
  const url = new URL(target);
  return `postgres://${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}`;
}

function requireDatabase(target: string): void {
  if (!isPostgresUrl(target) && (target === ':memory:' || !existsSync(target))) throw new Error(`no database at ${target} (--db FILE)`);
}

/** An http(s) page's origin as browsers send it (`https://crm.example.com`); anything else stops the command. */
function pageOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`not an origin: ${text} (like https://crm.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`not an http(s) origin: ${text}`);
  return url.origin;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`[baton] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
