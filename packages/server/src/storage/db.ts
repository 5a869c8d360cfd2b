import Sqlite from 'libsql';
import { Kysely, SqliteDialect } from 'kysely';
import type { Engine } from './engine.js';
import { migrate } from './migrate.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface Storage {
  db: Db;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * Opens the embedded libsql database (`:memory:` for tests) and applies pending migrations.
 * WAL lets readers run beside the writer; the busy timeout matters because libsql's default is
 * 0, which turns any lock wait into an immediate SQLITE_BUSY.
 */
export async function openSqlite(file: string): Promise<Storage> {
  const database = new Sqlite(file, { timeout: 5000 });
  if (file !== ':memory:') {
    database.pragma('journal_mode = WAL');
    // WAL + NORMAL is durable against process crashes; only an OS crash can lose the last commits.
    database.pragma('synchronous = NORMAL');
  }
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: database as never }) });
  await migrate(db, 'sqlite');
  return { db, engine: 'sqlite', close: () => db.destroy() };
}
