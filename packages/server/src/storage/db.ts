import Sqlite from 'libsql';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import type { Clock } from '../clock.js';
import type { Engine } from './engine.js';
import type { StatementSource } from './direct.js';
import { GroupCommitter, type Lane, type Work } from './group-commit.js';
import { WalCheckpointer, WRITER_CHECKPOINT_PAGES } from './wal-checkpointer.js';
import { migrate } from './migrate.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface Storage {
  db: Db;
  engine: Engine;
  /**
   * Runs a unit of work in a transaction that may be shared with other units (group commit,
   * storage/group-commit.ts); it settles after that transaction commits. `lane: 'background'` for
   * work no request waits on, which yields to requests' units.
   */
  write<T>(work: Work<T>, lane?: Lane): Promise<T>;
  /**
   * Why this node may not write now, or null (always null on SQLite). On PostgreSQL: it is taking
   * its serving lock back after losing the connection, or another node took it (serving-lock.ts).
   */
  unavailable?(): string | null;
  /** The migrations this open applied, by version (none when the database was up to date). */
  migrated: readonly number[];
  close(): Promise<void>;
}

type SqliteHandle = InstanceType<typeof Sqlite>;
type Statement = ReturnType<SqliteHandle['prepare']>;

/**
 * Kysely's SQLite driver prepares every query anew; compiling SQL was 12–14% of a request's CPU
 * (docs/benchmarks.md). Queries are built from a fixed set of shapes, so the prepared statements
 * are kept by SQL text. The driver runs one query at a time to completion, so sharing is safe.
 */
function withStatementCache(database: SqliteHandle, max = 512): StatementSource & { close(): void } {
  const cache = new Map<string, CachedStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): CachedStatement {
      let statement = cache.get(sql);
      if (!statement) {
        statement = new CachedStatement(database.prepare(sql));
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * What Kysely's driver uses of a statement. `reader` is asked on every execution, and on libsql it
 * is a native call each time (1.7% of a create's CPU); whether a statement returns rows never
 * changes, so it is read once.
 */
class CachedStatement {
  readonly reader: boolean;
  constructor(private readonly statement: Statement) {
    this.reader = statement.reader;
  }
  all(parameters: unknown[]) {
    return this.statement.all(parameters);
  }
  run(parameters: unknown[]): { changes: number; lastInsertRowid: number | bigint } {
    return this.statement.run(parameters) as { changes: number; lastInsertRowid: number | bigint };
  }
  iterate(parameters: unknown[]) {
    return this.statement.iterate(parameters);
  }
}

/**
 * Every transaction here writes (storage.write, migrations), so it takes the write lock when it
 * begins (`begin immediate`) instead of at its first write (Kysely's `begin`). With several
 * processes on one file, a deferred transaction that read first and then found another process
 * had committed meanwhile failed at its first write with SQLITE_BUSY, which no busy timeout waits
 * out: half the creates sent to two nodes at once answered 500 (docs/decisions.md, session 15).
 * An immediate one waits for the lock (the busy timeout) and then reads the latest data.
 */
class WriterSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class WriterSqliteDialect extends SqliteDialect {
  constructor(private readonly writerConfig: SqliteDialectConfig) {
    super(writerConfig);
  }
  override createDriver(): Driver {
    return new WriterSqliteDriver(this.writerConfig);
  }
}

/** How a database file syncs at commit (`openSqlite`): `full` (the default) or `normal`. */
export type SqliteSynchronous = 'full' | 'normal';

/**
 * Opens the embedded libsql database (`:memory:` for tests) and applies pending migrations.
 * WAL lets readers run beside the writer; the busy timeout matters because libsql's default is
 * 0, which turns any lock wait into an immediate SQLITE_BUSY.
 */
export async function openSqlite(file: string, options: { clock?: Clock; synchronous?: SqliteSynchronous } = {}): Promise<Storage> {
  const database = new Sqlite(file, { timeout: 5000 });
  let checkpointer: WalCheckpointer | null = null;
  if (file !== ':memory:') {
    database.pragma('journal_mode = WAL');
    // FULL syncs the WAL at each commit, so an acknowledged write survives a power cut or an OS
    // crash, as on PostgreSQL; group commit (group-commit.ts) spreads the sync over concurrent
    // units. NORMAL syncs only at checkpoints: still safe against the process crashing, but a power
    // cut can lose the last commits (BATON_SQLITE_SYNCHRONOUS=normal, an operator's choice).
    database.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // A server (which has a clock) checkpoints on a worker thread; the writer's own checkpoint stays as a backstop.
    if (options.clock) {
      database.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
      checkpointer = new WalCheckpointer(file, options.clock);
    }
  }
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): view pages and counts walk large indexes.
  database.pragma('cache_size = -65536');
  const statements = withStatementCache(database);
  const db = new Kysely<Database>({ dialect: new WriterSqliteDialect({ database: statements as never }) });
  const migrated = await migrate(db, 'sqlite');
  const writes = new GroupCommitter(db, statements);
  checkpointer?.start();
  return {
    db,
    engine: 'sqlite',
    migrated,
    write: (work, lane) => writes.run(work, lane),
    close: async () => {
      await writes.idle();
      await checkpointer?.close();
      await db.destroy();
    },
  };
}
