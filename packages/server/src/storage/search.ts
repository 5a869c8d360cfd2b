import { sql, type Kysely } from 'kysely';
import { onSqlite } from './engine.js';
import { searchVector } from './migrations/0054_search_postgres.js';
import { snippetOf } from './search-snippet.js';
import type { ConversationRow, Database, TimelineRow } from './schema.js';

/**
 * Full-text search over messages and notes, on SQLite FTS5 (`timeline_fts`, migration 0006) or
 * PostgreSQL's text search (migration 0054, `searchTimelinePostgres`), and over subjects
 * (`searchSubjects`, migration 0056). All of the engine-specific SQL lives here.
 *
 * User input never reaches FTS5 as syntax: it is cut into words, each word is quoted (so `OR`,
 * `NEAR`, `*`, `^`, `:` and parentheses are only text), prefix-matched and ANDed. Newest-first
 * searches pin the expression to the caller's workspace through the indexed `ws` column; every
 * search also joins `timeline` on the workspace (see `searchTimeline` for why relevance relies
 * on that alone).
 */

/** Most words a query may have; the rest of a long paste is ignored. */
export const MAX_TERMS = 16;
/** Words of the snippet around the best match (FTS5 allows up to 64). */
const SNIPPET_TOKENS = 20;
const ELLIPSIS = '…';
/** Private-use characters around each match in `snippet()`, turned into offsets afterwards. */
const OPEN = '\uE000';
const CLOSE = '\uE001';
/** How `order=relevance` ranks: bm25 over the body only (the workspace token matches every row alike). */
const RANK = 'bm25(0.0, 1.0)';

/** unicode61's token characters: letters, numbers, private use, plus combining marks (folded away by remove_diacritics). */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const HAS_BASE = /[\p{L}\p{N}\p{Co}]/u;

/**
 * The words of a query, as the index will see them: split on everything unicode61 treats as a
 * separator (which drops quotes, operators' punctuation and parentheses), lowercased, without
 * duplicates. Empty when nothing searchable is left, e.g. for `"*()^`.
 */
export function searchTerms(input: string): string[] {
  const seen = new Set<string>();
  for (const word of input.normalize('NFC').match(WORD) ?? []) {
    if (!HAS_BASE.test(word)) continue; // only combining marks: nothing for the index to match
    seen.add(word.toLowerCase());
    if (seen.size === MAX_TERMS) break;
  }
  return [...seen];
}

/** Hex of the UTF-8 id: a single unicode61 token whatever characters the id has (matches SQL `hex()`). */
const workspaceToken = (workspaceId: string) => Buffer.from(workspaceId, 'utf8').toString('hex');

/**
 * The FTS5 MATCH expression for `terms`, in one workspace (or, with `null`, in all of them: the
 * caller must then filter by workspace itself). Every term is a quoted string (quotes
 * doubled, although `searchTerms` never yields one), so FTS5 reads it as text; if its tokenizer
 * still splits a term (it should not), the term becomes a phrase, which also matches. Terms of
 * two or more characters are prefixes (`refun` finds "refund"); a single character is matched as
 * a whole word, since every word starting with it would be most of the index.
 */
export function matchExpression(workspaceId: string | null, terms: readonly string[], column: 'body' | 'subject' = 'body'): string {
  if (terms.length === 0) throw new Error('matchExpression needs at least one term');
  const words = terms.map((t) => {
    const spellings = sharpSSpellings(t).map((w) => `"${w.replaceAll('"', '""')}"${[...w].length >= 2 ? '*' : ''}`);
    return spellings.length === 1 ? spellings[0] : `(${spellings.join(' OR ')})`;
  });
  const body = `${column} : (${words.join(' AND ')})`;
  return workspaceId === null ? body : `ws : "${workspaceToken(workspaceId)}" AND ${body}`;
}

/**
 * A word and its other German spelling: "grosse" and "große", "strasse" and "straße". unicode61
 * folds accents but keeps ß, where PostgreSQL's `unaccent` (0054) writes it "ss" on both sides; so
 * on SQLite a word with either is looked for both ways, and "Größe" is found by "grosse" as on
 * PostgreSQL.
 */
function sharpSSpellings(term: string): string[] {
  if (!term.includes('ss') && !term.includes('ß')) return [term];
  return [...new Set([term, term.replaceAll('ß', 'ss'), term.replaceAll('ss', 'ß')])];
}

/** Where a page ends: newest-first pages continue below an FTS rowid (rowid order is seq order within a workspace), ranked pages at an offset. */
export type SearchPosition = { order: 'newest'; rowid: number } | { order: 'relevance'; offset: number };

export function encodeSearchCursor(position: SearchPosition): string {
  const value = position.order === 'newest' ? ['n', position.rowid] : ['r', position.offset];
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Null for anything that is not a cursor this module made. */
export function decodeSearchCursor(cursor: string): SearchPosition | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 2 || !Number.isSafeInteger(value[1]) || (value[1] as number) < 0) return null;
    if (value[0] === 'n') return { order: 'newest', rowid: value[1] as number };
    if (value[0] === 'r') return { order: 'relevance', offset: value[1] as number };
    return null;
  } catch {
    return null;
  }
}

export interface SearchParams {
  workspaceId: string;
  /** From `searchTerms`; at least one. */
  terms: readonly string[];
  order: 'newest' | 'relevance';
  kind?: 'message' | 'note';
  conversationId?: string;
  limit: number;
  after: SearchPosition | null;
}

export interface SearchHitRow {
  row: TimelineRow;
  /** Plain text: the best fragment of the body, `…` where it was cut. */
  snippet: string;
  /** `[start, end)` of every matched word in `snippet`, in UTF-16 code units. */
  highlights: [number, number][];
}

export interface SearchResult {
  hits: SearchHitRow[];
  next: SearchPosition | null;
}

type RawHit = TimelineRow & { hit_rowid: number; hit_snippet: string | null };

/**
 * One page of matches in the workspace, always checked against `timeline.workspace_id` by the
 * join, so a stale index could at worst miss rows, never show another tenant's.
 *
 * Newest first matches "workspace token AND words" and reads the index in rowid order, stopping
 * after the page: its cost follows the page, not the number of matches.
 *
 * Relevance has to rank every match. bm25 computes an IDF for every phrase of the expression by
 * reading its whole doclist, and the workspace token's doclist is the whole workspace (tens of
 * ms per query for a 400,000-item workspace in bench/search.ts), so ranked searches match the words alone and
 * leave the workspace to the join: they then rank other tenants' matches too, which costs about
 * what bm25 already spends reading the words' doclists. FTS5 sorts rowid + score only; snippets
 * are made for the returned rows alone.
 */
export async function searchTimeline(db: Kysely<Database>, params: SearchParams): Promise<SearchResult> {
  if (!onSqlite(db)) return searchTimelinePostgres(db, params);
  const match = matchExpression(params.order === 'newest' ? params.workspaceId : null, params.terms);
  const filters = sql.join(
    [
      sql`timeline_fts MATCH ${match}`,
      sql`t.workspace_id = ${params.workspaceId}`,
      ...(params.kind ? [sql`t.kind = ${params.kind}`] : []),
      ...(params.conversationId ? [sql`t.conversation_id = ${params.conversationId}`] : []),
    ],
    sql` AND `,
  );
  const columns = sql`t.*, f.rowid AS hit_rowid, snippet(timeline_fts, 1, ${OPEN}, ${CLOSE}, ${ELLIPSIS}, ${sql.lit(SNIPPET_TOKENS)}) AS hit_snippet`;
  const fetch = params.limit + 1;

  let page: { rows: RawHit[]; next: SearchPosition | null };
  if (params.order === 'newest') {
    const below = params.after?.order === 'newest' ? sql` AND f.rowid < ${params.after.rowid}` : sql``;
    const raw = await sql<RawHit>`SELECT ${columns} FROM timeline_fts AS f JOIN timeline AS t ON t.rowid = f.rowid
        WHERE ${filters}${below} ORDER BY f.rowid DESC LIMIT ${fetch}`.execute(db);
    page = cutPage(raw.rows, params.limit, (last) => ({ order: 'newest', rowid: Number(last.hit_rowid) }));
  } else {
    const offset = params.after?.order === 'relevance' ? params.after.offset : 0;
    // `ORDER BY rank` alone lets FTS5 do the sorting (ties: lower rowid first); any other ORDER BY
    // would make SQLite sort whole result rows, snippets included, for every match.
    const raw = await sql<RawHit>`SELECT ${columns} FROM timeline_fts AS f JOIN timeline AS t ON t.rowid = f.rowid
        WHERE ${filters} AND f.rank MATCH ${sql.lit(RANK)} ORDER BY f.rank LIMIT ${fetch} OFFSET ${offset}`.execute(db);
    page = cutPage(raw.rows, params.limit, () => ({ order: 'relevance', offset: offset + params.limit }));
  }

  const hits: SearchHitRow[] = [];
  for (const { hit_rowid, hit_snippet, ...row } of page.rows) {
    const body = row.body ?? '';
    let marked = hit_snippet ?? '';
    let open = OPEN;
    let close = CLOSE;
    if (body.includes(OPEN) || body.includes(CLOSE)) {
      // The text itself holds our markers: redo this one row with markers it does not contain.
      const markers = unusedPrivateUse(body);
      if (markers) {
        [open, close] = markers;
        marked = await rowSnippet(db, match, Number(hit_rowid), open, close);
      } else {
        hits.push({ row, snippet: body.slice(0, 200), highlights: [] });
        continue;
      }
    }
    hits.push({ row, ...splitSnippet(marked, open, close) });
  }
  return { hits, next: page.next };
}

/**
 * `searchTimeline` on PostgreSQL (migration 0054): the words as one `tsquery` of prefixes, matched
 * against the workspace's entries of the `timeline_search` index; newest first by the timeline's
 * seq (a newest cursor's `rowid` is then a seq), relevance by `ts_rank_cd`. Each word is a quoted
 * lexeme, so nothing in it is tsquery syntax; the configuration folds case and accents as the
 * index did. Snippets are made in code (storage/search-snippet.ts says why).
 */
async function searchTimelinePostgres(db: Kysely<Database>, params: SearchParams): Promise<SearchResult> {
  const query = postgresQuery(params.terms);
  const vector = searchVector(sql.ref('t.body'));
  const filters = sql.join(
    [
      sql`t.workspace_id = ${params.workspaceId}`,
      sql`t.kind in ('message', 'note')`,
      sql`${vector} @@ ${query}`,
      ...(params.kind ? [sql`t.kind = ${params.kind}`] : []),
      ...(params.conversationId ? [sql`t.conversation_id = ${params.conversationId}`] : []),
    ],
    sql` and `,
  );
  const fetch = params.limit + 1;
  let page: { rows: TimelineRow[]; next: SearchPosition | null };
  if (params.order === 'newest') {
    const below = params.after?.order === 'newest' ? sql` and t.seq < ${params.after.rowid}` : sql``;
    const raw = await sql<TimelineRow>`select t.* from timeline as t where ${filters}${below} order by t.seq desc limit ${fetch}`.execute(db);
    page = cutPage(raw.rows, params.limit, (last) => ({ order: 'newest', rowid: Number(last.seq) }));
  } else {
    const offset = params.after?.order === 'relevance' ? params.after.offset : 0;
    const raw = await sql<TimelineRow>`select t.* from timeline as t where ${filters}
        order by ts_rank_cd(${vector}, ${query}) desc, t.seq desc limit ${fetch} offset ${offset}`.execute(db);
    page = cutPage(raw.rows, params.limit, () => ({ order: 'relevance', offset: offset + params.limit }));
  }
  return { hits: page.rows.map((row) => ({ row, ...snippetOf(row.body ?? '', params.terms, SNIPPET_TOKENS) })), next: page.next };
}

/** The words as one `tsquery` of prefixes (a single character is a whole word), each a quoted lexeme, so nothing in it is syntax. */
function postgresQuery(terms: readonly string[]) {
  const words = terms.map((t) => `'${t.replaceAll('\\', '\\\\').replaceAll("'", "''")}'${[...t].length >= 2 ? ':*' : ''}`).join(' & ');
  return sql`to_tsquery('baton_search', ${words})`;
}

/** At most `limit` of the `limit + 1` rows fetched, and where the next page starts when the extra one came back. */
function cutPage<R>(rows: R[], limit: number, nextAfter: (last: R) => SearchPosition): { rows: R[]; next: SearchPosition | null } {
  if (rows.length <= limit) return { rows, next: null };
  const page = rows.slice(0, limit);
  return { rows: page, next: nextAfter(page[page.length - 1]!) };
}

async function rowSnippet(db: Kysely<Database>, match: string, rowid: number, open: string, close: string): Promise<string> {
  const result = await sql<{ s: string | null }>`SELECT snippet(timeline_fts, 1, ${open}, ${close}, ${ELLIPSIS}, ${sql.lit(SNIPPET_TOKENS)}) AS s
    FROM timeline_fts WHERE timeline_fts MATCH ${match} AND rowid = ${rowid}`.execute(db);
  return result.rows[0]?.s ?? '';
}

/** Two private-use characters (BMP, one UTF-16 unit each) that `text` does not contain, or null. */
function unusedPrivateUse(text: string): [string, string] | null {
  const found: string[] = [];
  for (let code = 0xe002; code <= 0xf8ff && found.length < 2; code++) {
    const ch = String.fromCharCode(code);
    if (!text.includes(ch)) found.push(ch);
  }
  return found.length === 2 ? [found[0]!, found[1]!] : null;
}

/** Removes the markers and returns where they were, as `[start, end)` offsets into what is left. */
export function splitSnippet(marked: string, open: string, close: string): { snippet: string; highlights: [number, number][] } {
  const parts: string[] = [];
  const highlights: [number, number][] = [];
  let length = 0;
  let start = -1;
  let from = 0;
  for (let i = 0; i < marked.length; i++) {
    const ch = marked[i];
    if (ch !== open && ch !== close) continue;
    parts.push(marked.slice(from, i));
    length += i - from;
    from = i + 1;
    if (ch === open) start = length;
    else if (start >= 0) {
      if (length > start) highlights.push([start, length]);
      start = -1;
    }
  }
  parts.push(marked.slice(from));
  return { snippet: parts.join(''), highlights };
}

// ── Contacts and the conversations of hits ─────────────────────────────────────────────────────

/** Folds case and accents, as the message index does (unicode61 remove_diacritics). */
export const foldText = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
/**
 * Letters that have accented forms in names (María, Çelik, Muñoz): a one-character wildcard in the
 * LIKE pattern, since neither engine folds accents in plain SQL; the exact, folded check follows in
 * code. SQLite's `_` matches one character, not one byte.
 */
const ACCENTABLE = /[aeiouncyszg]/g;
/** Rows the LIKE prefilter may hand to the folded check, at most. */
const CONTACT_CANDIDATES = 200;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * How well a contact's name answers the words, best first: the whole name, the name's start, each
 * word at the start of one of the name's words, anywhere else (email or phone included). Searching
 * "Invoice Customer 3" must put that contact before "Invoice Customer 13": Enter opens the first.
 */
function nameRank(name: string, folded: readonly string[]): number {
  const words = foldText(name).split(/\s+/).filter(Boolean);
  const whole = folded.join(' ');
  if (words.join(' ') === whole) return 0;
  if (words.join(' ').startsWith(whole)) return 1;
  if (folded.every((t) => words.some((w) => w.startsWith(t)))) return 2;
  return 3;
}

const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * Contacts of the workspace whose name, email or phone contain every term (case and accents
 * folded), or whose phone's digits contain `digits`; the best matches of the name first (`nameRank`),
 * then by name, numbers in it in numeric order. No index reaches a substring, so this
 * reads the workspace's contacts through the LIKE filter: fine for the tens of thousands of
 * contacts an inbox holds, and bounded in what it returns (docs/decisions.md, "Search").
 */
export async function searchContacts(db: Kysely<Database>, workspaceId: string, terms: readonly string[], digits: string | null, limit: number) {
  const folded = terms.map(foldText);
  const phoneDigits = sql`replace(replace(replace(replace(replace(coalesce(phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')`;
  const matchTerms = sql.join(
    folded.map((t) => {
      const pattern = `%${likeEscape(t).replace(ACCENTABLE, '_')}%`;
      return sql`(lower(name) LIKE ${pattern} ESCAPE '\\' OR lower(coalesce(email, '')) LIKE ${pattern} ESCAPE '\\' OR coalesce(phone, '') LIKE ${pattern} ESCAPE '\\')`;
    }),
    sql` AND `,
  );
  const where = digits ? sql<boolean>`(${matchTerms} OR ${phoneDigits} LIKE ${`%${digits}%`})` : sql<boolean>`${matchTerms}`;
  const rows = await db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where(where)
    // A name that is exactly the words is among the candidates however many others match.
    .orderBy(sql`lower(name) = ${folded.join(' ')}`, 'desc')
    .orderBy('name')
    .orderBy('id')
    .limit(CONTACT_CANDIDATES)
    .execute();
  return rows
    .filter((c) => {
      if (digits && (c.phone ?? '').replace(/\D/g, '').includes(digits)) return true;
      const text = foldText(`${c.name} ${c.email ?? ''} ${c.phone ?? ''}`);
      return folded.every((t) => text.includes(t));
    })
    .map((c) => ({ c, rank: nameRank(c.name, folded) }))
    .sort((a, b) => a.rank - b.rank || byName.compare(a.c.name, b.c.name) || (a.c.id < b.c.id ? -1 : 1))
    .slice(0, limit)
    .map(({ c }) => c);
}

/** A contact's latest conversations (the `(contact_id, last_message_at)` index). */
export const latestConversationsOf = (db: Kysely<Database>, workspaceId: string, contactId: string, limit: number) =>
  db
    .selectFrom('conversations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .orderBy('last_message_at', 'desc')
    .limit(limit)
    .execute();

/** The conversations (with their contact's name) that search hits belong to, by id. */
export const conversationsWithContacts = (db: Kysely<Database>, workspaceId: string, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('conversations as c')
        .innerJoin('contacts as ct', 'ct.id', 'c.contact_id')
        .selectAll('c')
        .select('ct.name as contact_name')
        .where('c.workspace_id', '=', workspaceId)
        .where('c.id', 'in', ids)
        .execute();

export type ConversationWithContact = ConversationRow & { contact_name: string };

/**
 * Conversations of the workspace whose subject matches every term, as messages do (prefixes, case
 * and accents folded), latest activity first, with their contact's name. SQLite reads the subject
 * index (migration 0056), which the after-commit indexer keeps, so callers catch it up first as
 * for messages; PostgreSQL the `conversations_subject_search` expression index. The match is pinned
 * to the workspace (its token, or `workspace_id` in the GIN key) and checked again by the join.
 * Every match is sorted, since index order is creation order, not activity: one pass over the
 * matching subjects, which an inbox holds far fewer of than messages.
 */
export async function searchSubjects(db: Kysely<Database>, workspaceId: string, terms: readonly string[], limit: number): Promise<ConversationWithContact[]> {
  if (!onSqlite(db)) {
    const result = await sql<ConversationWithContact>`select c.*, ct.name as contact_name from conversations as c
        join contacts as ct on ct.id = c.contact_id
        where c.workspace_id = ${workspaceId} and c.subject is not null and ${searchVector(sql.ref('c.subject'))} @@ ${postgresQuery(terms)}
        order by c.last_message_at desc, c.id desc limit ${limit}`.execute(db);
    return result.rows;
  }
  const result = await sql<ConversationWithContact>`SELECT c.*, ct.name AS contact_name FROM conversation_subject_fts AS f
      JOIN conversations AS c ON c.rowid = f.rowid
      JOIN contacts AS ct ON ct.id = c.contact_id
      WHERE conversation_subject_fts MATCH ${matchExpression(workspaceId, terms, 'subject')} AND c.workspace_id = ${workspaceId}
      ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${limit}`.execute(db);
  return result.rows;
}
