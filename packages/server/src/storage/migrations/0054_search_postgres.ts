import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Full-text search on PostgreSQL: what FTS5 (0006) is on SQLite, built from what PostgreSQL ships.
 *
 * - `baton_search`, a text search configuration: the `simple` parser and dictionary (no stemming and
 *   no stop words, as FTS5's unicode61 has none; an inbox holds many languages), with `unaccent`
 *   in front for words, so "Maria" finds "María" as `remove_diacritics` does.
 * - A GIN index of `(workspace_id, searchVector(body))` over messages and notes:
 *   a search reads only its workspace's entries (btree_gin puts the text key beside the tsvector),
 *   and it is kept in the writing transaction, so a search never waits for an indexer.
 *
 * An expression, not a stored column: `timeline`'s rows stay as they are (`select *` unchanged),
 * and the vector is computed again only for the rows a search returns.
 *
 * `unaccent` and `btree_gin` are contrib extensions marked trusted: the database's owner may create
 * them (PostgreSQL 13 and later). Managed services ship both.
 */
/**
 * The indexed form of a body. ASCII punctuation becomes a space first: PostgreSQL's parser keeps
 * "XJ-2291" as a word and a negative number, "ana@x.com" as one email and "v1.2" as a version,
 * where unicode61 (SQLite) and the query's words (storage/search.ts `searchTerms`) split them, so
 * "xj 2291" or "ana" would find nothing. `collate "C"` makes `[:punct:]` mean ASCII punctuation
 * whatever the database's locale; the parser already treats other punctuation as a separator.
 * storage/search.ts queries this very expression, so the index serves it.
 */
export const searchVector = (body: RawBuilder<unknown> | ReturnType<typeof sql.ref>) =>
  sql`to_tsvector('baton_search', regexp_replace(${body} collate "C", '[[:punct:]]+', ' ', 'g'))`;

export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`create extension if not exists btree_gin`.execute(db);
  await sql`create text search configuration baton_search (copy = simple)`.execute(db);
  await sql`alter text search configuration baton_search
    alter mapping for asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
    with unaccent, simple`.execute(db);
  await sql`create index timeline_search on timeline using gin (workspace_id, ${searchVector(sql.ref('body'))})
    where kind in ('message', 'note')`.execute(db);
}
