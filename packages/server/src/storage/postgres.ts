import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { systemClock, type Clock } from '../clock.js';
import { GroupCommitter } from './group-commit.js';
import { migrate } from './migrate.js';
import type { Storage } from './db.js';
import type { Database } from './schema.js';
import { connectionOptions, dropConnection, POSTGRES_TIMEOUT_MS } from './pg-connections.js';
import { namingPool, StatementNames } from './pg-statements.js';
import { ServingLock } from './serving-lock.js';
import { StorageUnavailable } from './unavailable.js';

export { AnotherNodeServing } from './serving-lock.js';

/**
 * The migrations' advisory lock key, in the server's own key space (serving-lock.ts has the other):
 * `pg_advisory_lock(bigint)` is shared by every client of the database, so it is a fixed,
 * arbitrary number nothing else is expected to use.
 */
const MIGRATION_LOCK = 0x6261746f6e01n; // "baton" 01

/**
 * Every bigint column here holds epoch milliseconds, a seq, a count or an outbox id, all far below
 * 2^53; `pg` returns int8 as a string by default (so it cannot lose digits), which the storage
 * layer would otherwise have to wrap in `Number()` at every read. Per pool, not `pg.types`
 * globally, so a host application's own `pg` clients keep their parsing.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Gives every text column of the schema the "C" collation (bytewise, as SQLite compares), after
 * the migrations: the ones to come included, so none has to remember it. At every boot, not only
 * after a migration ran: it is one catalog query, and a boot that stopped between a migration's
 * commit and this one still gets its columns pinned at the next.
 *
 * Why: keyset pages compare ids and sort keys in SQL (`(last_message_at, id) < (…)`) and the same
 * keys again in JavaScript, which compares UTF-16 code units; lists sort names with ORDER BY. A
 * database created with a linguistic default (`en_US.UTF-8`, an ICU locale: what most servers and
 * managed services create) orders `B` after `a` and ignores `_` at first, so a page would end
 * where the next one does not begin. Pinning the columns makes the order the engine's, not the
 * database's. For UTF-8 text bytewise order is code point order, which agrees with UTF-16 order
 * for everything outside the astral planes; ids and keys are ASCII.
 */
async function compareTextBytewise(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and data_type = 'text' and collation_name is distinct from 'C'
    order by table_name, ordinal_position`.execute(db);
  if (rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const { table_name, column_name } of rows) {
      await sql`alter table ${sql.table(table_name)} alter column ${sql.ref(column_name)} type text collate "C"`.execute(trx);
    }
  });
}

/**
 * How long the server lets one of this node's sessions sit idle inside a transaction before it ends
 * the session, rolling the transaction back. A unit of work waits on nothing but the database and
 * its own CPU between two statements, so a transaction that long without a statement is one whose
 * node is gone or cut off. The server may not have noticed: across a partition its side of the
 * connection looks alive until TCP keepalive gives up (two hours with a server's usual settings),
 * and every write of that workspace would queue behind the row locks the transaction holds. Three
 * times the wait for an answer (`timeoutMs`), and never under 5 s, so a busy event loop is not
 * taken for a lost node.
 */
function abandonedTransactionAfter(timeoutMs: number): number {
  return Math.max(3 * timeoutMs, 5_000);
}

/**
 * Opens a PostgreSQL database (`postgres://…`) and applies pending migrations, for one server node.
 *
 * One node only, enforced: the outbox's readers assume ids are handed out in commit order, which
 * holds when one process commits one group at a time (its group committer, as on SQLite), and not
 * across processes that allocate from the same sequence (docs/postgres-audit.md C3). The node holds
 * a session advisory lock for its lifetime (serving-lock.ts); a second node on the same database
 * fails at boot instead of losing deliveries. If the lock's connection drops, writes are refused
 * (503) until it is taken back; if another node took it meanwhile, `onServingLost` is told and
 * writes stay refused. Migrations run under their own advisory lock, so a node starting beside a
 * `baton consumers` command never runs one twice.
 */
export async function openPostgres(
  url: string,
  options: {
    poolSize?: number;
    serving?: boolean;
    clock?: Clock;
    onServingLost?: (error: Error) => void;
    timeoutMs?: number;
    /** Which texts run as named statements (pg-statements.ts); null runs every query unnamed (the benchmark's what-if). */
    statementNames?: StatementNames | null;
  } = {},
): Promise<Storage> {
  const timeoutMs = options.timeoutMs ?? POSTGRES_TIMEOUT_MS;
  const pool = new pg.Pool({
    ...connectionOptions(url, timeoutMs),
    max: options.poolSize ?? 10,
    types,
    idle_in_transaction_session_timeout: abandonedTransactionAfter(timeoutMs),
  });
  // An idle client's error (the server restarted, a network blip) is reported on the pool; without a
  // listener Node would end the process. The next query gets a fresh client.
  pool.on('error', (error) => console.error('[baton] idle PostgreSQL connection failed; it will be replaced', error));
  const clients = new Set<pg.Client>();
  pool.on('connect', (client) => {
    clients.add(client);
    // A connection that drops while its client is checked out (a reset, a failover) is reported to
    // the running query, which fails the unit of work, and also as an 'error' on the client, which
    // pg-pool listens to only while the client is idle. Nobody listening would end the process.
    client.on('error', () => {});
  });
  pool.on('remove', (client) => clients.delete(client));
  let lock: ServingLock | null = null;
  try {
    if (options.serving !== false) {
      lock = await ServingLock.take(url, {
        clock: options.clock ?? systemClock,
        onLost: options.onServingLost ?? (() => {}),
        timeoutMs,
        // The server does not answer: queries waiting on the pool's connections fail now (503)
        // instead of when TCP gives up, and the pool connects anew for the next ones.
        onUnreachable: () => clients.forEach(dropConnection),
      });
    }
    // Repeated queries run as named prepared statements (pg-statements.ts). Safe behind what Baton
    // already needs: session-level connections (a transaction-mode pooler would not keep the serving
    // lock's session either).
    const names = options.statementNames === undefined ? new StatementNames() : options.statementNames;
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: names ? namingPool(pool, names) : pool }) });
    const migrated = await db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK.toString()}::bigint)`.execute(connection);
      try {
        const applied = await migrate(connection, 'postgres');
        await compareTextBytewise(connection);
        return applied;
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK.toString()}::bigint)`.execute(connection);
      }
    });
    const writes = new GroupCommitter(db);
    let closed: Promise<void> | null = null;
    const serving = lock;
    return {
      db,
      engine: 'postgres',
      migrated,
      write: serving
        ? (work, lane) => {
            // Refused at once while the lock is not held, rather than queued behind a group that
            // waits on a connection which may not answer.
            const why = serving.why();
            if (why) return Promise.reject(new StorageUnavailable(why));
            return writes.run((trx) => {
              // Checked again as each unit runs, inside its transaction: without the lock, another
              // node may be committing too (serving-lock.ts).
              serving.assertHeld();
              return work(trx);
            }, lane);
          }
        : (work, lane) => writes.run(work, lane),
      unavailable: () => serving?.why() ?? null,
      close: () =>
        (closed ??= (async () => {
          await writes.idle();
          await lock?.release();
          await db.destroy();
          // The pool has let go of its connections, but their sockets close a moment later; an
          // error on one meanwhile (its database dropped) concerns nobody.
          pool.removeAllListeners('error').on('error', () => {});
        })()),
    };
  } catch (error) {
    await lock?.release();
    await pool.end();
    throw error;
  }
}
