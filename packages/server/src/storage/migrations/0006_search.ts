import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Search: replaces 0003's full-text table with one built for `storage/search.ts`.
 *
 * - External content: the index reads bodies back from `timeline` (through a view) for snippets
 *   instead of keeping its own copy of every body, which about halves what search costs on disk.
 *   The timeline is append-only, so the only trigger needed is the insert one.
 * - `ws` holds `hex(workspace_id)`: one token per workspace whatever the id looks like (0003
 *   indexed the raw `ws_…` id, which unicode61 splits into the token `ws`, present in every row,
 *   plus the rest). A search is one MATCH on "this workspace's token AND the words".
 * - Prefix indexes for 2- and 3-character prefixes, so search-as-you-type on short input reads
 *   one doclist lazily instead of merging every word that starts with it.
 * - `detail=full` (the default) stays: snippets and multi-token phrases need positions.
 *
 * The key is the timeline's implicit rowid (its id is text and its seq is per workspace, so
 * neither can be FTS5's integer key). VACUUM renumbers rowids only of tables without any index;
 * timeline has three, so the index keeps pointing at the right rows.
 *
 * PostgreSQL gets no virtual table: its search will be a `tsvector` column (or expression) over
 * `body` with a GIN index on `(workspace_id, tsvector)` (btree_gin), queried with
 * `to_tsquery('simple', unaccent(...))` and `:*` prefixes, `ts_rank_cd` and `ts_headline`.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'sqlite') return;
  await sql`DROP TRIGGER IF EXISTS timeline_fts_insert`.execute(db);
  await sql`DROP TABLE IF EXISTS timeline_fts`.execute(db);
  await sql`CREATE VIEW timeline_fts_source AS
    SELECT rowid AS rid, hex(workspace_id) AS ws, body FROM timeline WHERE kind IN ('message', 'note')`.execute(db);
  await sql`CREATE VIRTUAL TABLE timeline_fts USING fts5(
    ws, body,
    content = 'timeline_fts_source', content_rowid = 'rid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
  )`.execute(db);
  await sql`CREATE TRIGGER timeline_fts_insert AFTER INSERT ON timeline WHEN new.kind IN ('message', 'note') BEGIN
    INSERT INTO timeline_fts (rowid, ws, body) VALUES (new.rowid, hex(new.workspace_id), new.body);
  END`.execute(db);
  // Indexes every message and note already in the timeline, read through the view.
  await sql`INSERT INTO timeline_fts (timeline_fts) VALUES ('rebuild')`.execute(db);
}
