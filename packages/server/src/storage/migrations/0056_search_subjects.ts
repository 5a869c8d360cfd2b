import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';
import { searchVector } from './0054_search_postgres.js';

/**
 * Search reaches conversations' subjects ("Billing question 7" is what the header shows, and what
 * people type), with the same word semantics as messages (0006, 0054).
 *
 * SQLite: `conversation_subject_fts(ws, subject)`, keyed by the conversation's implicit rowid (its
 * id is text; `conversations` has indexes, so VACUUM keeps its rowids, as 0006 says of the
 * timeline's). It holds its own copy of each subject: subjects change in place (PATCH), so an
 * external-content table would hand FTS5 the new text when deleting the old tokens. No trigger:
 * the after-commit indexer (storage/search-index.ts) re-indexes a conversation's subject when its
 * timeline gets a `created` or `subject_changed` event, so a create pays nothing for it. Existing
 * subjects are indexed here; the indexer's progress mark already covers their events.
 *
 * PostgreSQL: a GIN index of `(workspace_id, searchVector(subject))`, the very expression message
 * search uses, kept by each write as 0054's is.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'postgres') {
    await sql`create index conversations_subject_search on conversations using gin (workspace_id, ${searchVector(sql.ref('subject'))})
      where subject is not null`.execute(db);
    return;
  }
  await sql`CREATE VIRTUAL TABLE conversation_subject_fts USING fts5(
    ws, subject,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
  )`.execute(db);
  await sql`INSERT INTO conversation_subject_fts (rowid, ws, subject)
    SELECT rowid, hex(workspace_id), subject FROM conversations WHERE subject IS NOT NULL`.execute(db);
}
