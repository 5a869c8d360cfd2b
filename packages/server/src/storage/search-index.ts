import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Keeps the full-text index (`timeline_fts`) up with the timeline, after commit and in batches
 * (migration 0008 says why not inside each command). The timeline is append-only and SQLite hands
 * out its rowids in commit order, so "indexed up to rowid N" is the whole state.
 */

/** Timeline rows indexed per statement: one FTS5 segment write for the lot. */
export const INDEX_BATCH = 2_000;

/** True when committed messages or notes may be missing from the index. */
export async function searchIndexBehind(db: Kysely<Database>): Promise<boolean> {
  const row = await sql<{ behind: number }>`SELECT (SELECT max(rowid) FROM timeline) > indexed_rowid AS behind
    FROM search_progress WHERE id = 1`.execute(db);
  return Boolean(row.rows[0]?.behind);
}

/**
 * Indexes the next batch of timeline rows past the progress mark and moves the mark, inside the
 * caller's transaction (so two indexers can never add a row twice). Returns how many timeline rows
 * it went past: fewer than `batch` means it reached the end.
 */
export async function indexNextBatch(trx: Kysely<Database>, batch = INDEX_BATCH): Promise<number> {
  const progress = await trx.selectFrom('search_progress').select('indexed_rowid').where('id', '=', 1).executeTakeFirstOrThrow();
  const from = Number(progress.indexed_rowid);
  const range = await sql<{ upto: number | null; n: number }>`SELECT max(rowid) AS upto, count(*) AS n
    FROM (SELECT rowid FROM timeline WHERE rowid > ${from} ORDER BY rowid LIMIT ${batch})`.execute(trx);
  const { upto, n } = range.rows[0] ?? { upto: null, n: 0 };
  if (upto === null || !n) return 0;
  await sql`INSERT INTO timeline_fts (rowid, ws, body)
    SELECT rowid, hex(workspace_id), body FROM timeline
    WHERE rowid > ${from} AND rowid <= ${upto} AND kind IN ('message', 'note')`.execute(trx);
  await trx.updateTable('search_progress').set({ indexed_rowid: upto }).where('id', '=', 1).execute();
  return Number(n);
}
