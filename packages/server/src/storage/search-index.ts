import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Keeps the full-text indexes (`timeline_fts`; `conversation_subject_fts` for subjects, 0056) up
 * with the timeline, after commit and in batches (migration 0008 says why not inside each
 * command). The timeline is append-only and SQLite hands out its rowids in commit order, so
 * "indexed up to rowid N" is the whole state.
 */

/** Timeline rows indexed per statement: one FTS5 segment write for the lot. */
export const INDEX_BATCH = 2_000;

/** True when committed messages, notes or subjects (their `created`/`subject_changed` events) may be missing from the index. */
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
  const progress = await trx.executeQuery<{ indexed_rowid: number }>(CompiledQuery.raw(PROGRESS, []));
  const from = Number(progress.rows[0]!.indexed_rowid);
  const range = await trx.executeQuery<{ upto: number | null; n: number }>(CompiledQuery.raw(RANGE, [from, batch]));
  const { upto, n } = range.rows[0] ?? { upto: null, n: 0 };
  if (upto === null || !n) return 0;
  await trx.executeQuery(CompiledQuery.raw(INDEX_RANGE, [from, upto]));
  // Subjects (migration 0056) are re-read whole for conversations created or renamed in the range:
  // the row holds the current subject, so indexing it again later in another batch is harmless.
  await trx.executeQuery(CompiledQuery.raw(UNINDEX_SUBJECTS, [from, upto]));
  await trx.executeQuery(CompiledQuery.raw(INDEX_SUBJECTS, [from, upto]));
  await trx.executeQuery(CompiledQuery.raw(MOVE_PROGRESS, [upto]));
  return Number(n);
}

// Fixed SQL (this index is SQLite's FTS5, so one dialect): a pass runs after every group of writes,
// and building these queries anew each time was ~2% of a create's CPU (docs/benchmarks.md).
const PROGRESS = 'SELECT indexed_rowid FROM search_progress WHERE id = 1';
const RANGE = 'SELECT max(rowid) AS upto, count(*) AS n FROM (SELECT rowid FROM timeline WHERE rowid > ? ORDER BY rowid LIMIT ?)';
const INDEX_RANGE = `INSERT INTO timeline_fts (rowid, ws, body)
    SELECT rowid, hex(workspace_id), body FROM timeline
    WHERE rowid > ? AND rowid <= ? AND kind IN ('message', 'note')`;
const SUBJECT_EVENTS = `SELECT conversation_id FROM timeline
    WHERE rowid > ? AND rowid <= ? AND kind = 'event' AND event_type IN ('created', 'subject_changed')`;
const UNINDEX_SUBJECTS = `DELETE FROM conversation_subject_fts
    WHERE rowid IN (SELECT rowid FROM conversations WHERE id IN (${SUBJECT_EVENTS}))`;
const INDEX_SUBJECTS = `INSERT INTO conversation_subject_fts (rowid, ws, subject)
    SELECT rowid, hex(workspace_id), subject FROM conversations WHERE subject IS NOT NULL AND id IN (${SUBJECT_EVENTS})`;
const MOVE_PROGRESS = 'UPDATE search_progress SET indexed_rowid = ? WHERE id = 1';
