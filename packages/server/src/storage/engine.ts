import { SqliteAdapter, type Kysely } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

/**
 * Whether `db` (a database or one of its transactions) runs on SQLite: where a query takes a
 * different form per engine, from the dialect it will be compiled for (so `prepared` shapes
 * compile the right one for each).
 */
export const onSqlite = (db: Kysely<any>): boolean => db.getExecutor().adapter instanceof SqliteAdapter;
