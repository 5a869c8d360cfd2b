import type { CompiledQuery, QueryResult, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * The prepared queries of a unit of work on the embedded database, run straight on the connection
 * the unit's transaction holds instead of through Kysely's executor.
 *
 * Why: a create runs seven statements, and each went through Kysely's connection provider, query
 * executor and driver, a chain of promises per statement for a call that is synchronous underneath
 * (libsql). That was a visible share of a create's CPU next to the statements themselves
 * (docs/benchmarks.md, session 5). The result is what Kysely's SQLite driver builds from the same
 * statement (`rows` for a reader; affected rows and insert id otherwise), on the same statement
 * cache (storage/db.ts), so callers cannot tell the difference.
 *
 * Only transactions the group committer opened are registered, and only while they run: the
 * connection is theirs then (Kysely's single SQLite connection is locked for the transaction), and a
 * statement run straight on it is inside that transaction. Reads outside a unit keep going through
 * Kysely, which waits for the connection, so they never see a transaction's uncommitted writes.
 */

export interface DirectStatement {
  readonly reader: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
}

export interface StatementSource {
  prepare(sql: string): DirectStatement;
}

const owned = new WeakMap<Transaction<Database>, StatementSource>();

/** Runs `fn` with `trx` registered as holding `source`'s connection (the group committer's transactions). */
export async function withOwnedConnection<T>(trx: Transaction<Database>, source: StatementSource, fn: () => Promise<T>): Promise<T> {
  owned.set(trx, source);
  try {
    return await fn();
  } finally {
    owned.delete(trx);
  }
}

/** The query's result when `db` is a registered transaction, run on its connection; otherwise null. */
export function runDirect<R>(db: object, query: CompiledQuery<R>): QueryResult<R> | null {
  const source = owned.get(db as Transaction<Database>);
  if (!source) return null;
  const statement = source.prepare(query.sql);
  if (statement.reader) return { rows: statement.all(query.parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(query.parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}
