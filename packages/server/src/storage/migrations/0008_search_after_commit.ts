import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Full-text indexing moves out of the writing transaction (storage/search-index.ts): 0006's trigger
 * indexed each message inside the command that wrote it, and FTS5 writes its pending terms out as
 * a new segment at every statement boundary that follows, so each message cost a segment write
 * and later merges on the request path (docs/benchmarks.md). Now the timeline rows past
 * `search_progress.indexed_rowid` are indexed in batches right after commit, and a search first
 * indexes whatever is still pending, so it never misses a committed message.
 *
 * Everything the trigger indexed before this migration is already in the index: progress starts
 * at the timeline's highest rowid.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'sqlite') return;
  await sql`DROP TRIGGER IF EXISTS timeline_fts_insert`.execute(db);
  await sql`CREATE TABLE search_progress (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_rowid INTEGER NOT NULL
  )`.execute(db);
  await sql`INSERT INTO search_progress (id, indexed_rowid) SELECT 1, coalesce(max(rowid), 0) FROM timeline`.execute(db);
}
