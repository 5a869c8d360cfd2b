import type { Conversation, View } from '@baton/protocol';
import { type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Change } from './change.js';
import type { ReadBands } from './read-bands.js';
import { unreadBy, walkUnread } from './unread-walk.js';
import { prepared, preparedInsert } from './prepared.js';
import type { ConversationRow, Database } from './schema.js';
import { moveTagCounts } from './tags.js';

type Q = Kysely<Database>;

const selectConversation = prepared<{ workspaceId: string; id: string }, ConversationRow>(['workspaceId', 'id'], (db, a) =>
  db.selectFrom('conversations').selectAll().where('workspace_id', '=', a.workspaceId).where('id', '=', a.id),
);
export const findConversation = async (db: Q, workspaceId: string, id: string): Promise<ConversationRow | undefined> =>
  (await selectConversation(db, { workspaceId, id })).rows[0];

/**
 * Columns a new conversation always leaves null (nobody assigned, no team, not resolved, waiting
 * or snoozed yet): the insert does not bind them (every bound value is a native call, and the
 * create is the hot path), and `insertConversation` refuses a row that sets one.
 */
const NULL_WHEN_NEW = ['assignee_id', 'team_id', 'resolved_at', 'waiting_since', 'snoozed_until'] as const;
type NewConversationRow = Omit<ConversationRow, (typeof NULL_WHEN_NEW)[number]>;

// Every other column, named once (the compiler checks none is missing).
const NEW_CONVERSATION_COLUMNS: Record<keyof NewConversationRow, true> = {
  id: true,
  workspace_id: true,
  contact_id: true,
  channel: true,
  source: true,
  subject: true,
  status: true,
  tags: true,
  priority: true,
  version: true,
  created_at: true,
  last_message_at: true,
  last_inbound_at: true,
  last_inbound_seq: true,
  preview: true,
  last_message_direction: true,
  last_message_author_type: true,
  last_message_author_id: true,
  last_message_sent_at: true,
  language: true,
};
const insertConversationRow = preparedInsert<'conversations', NewConversationRow>('conversations', NEW_CONVERSATION_COLUMNS);
/**
 * The tag filter's index (migration 0022): a row per (conversation, tag), written with the
 * conversation's `tags` by the two functions below, the only writers of either; and the
 * workspace's tag counts (storage/tags.ts). `beforeJson` is the tags the row had (null: a new
 * conversation), read under the workspace lock and checked by the version, so it is exact.
 */
async function writeTags(trx: Q, workspaceId: string, conversationId: string, beforeJson: string | null, tagsJson: string): Promise<void> {
  if (beforeJson !== null) await trx.deleteFrom('conversation_tags').where('workspace_id', '=', workspaceId).where('conversation_id', '=', conversationId).execute();
  const tags = [...new Set(JSON.parse(tagsJson) as string[])];
  if (tags.length) await trx.insertInto('conversation_tags').values(tags.map((tag) => ({ workspace_id: workspaceId, tag, conversation_id: conversationId }))).execute();
  await moveTagCounts(trx, workspaceId, 'conversations', beforeJson === null ? [] : (JSON.parse(beforeJson) as string[]), tags);
}

/** Inserts a new conversation, counted in the views (storage/view-counters.ts). */
export async function insertConversation(change: Change, row: ConversationRow): Promise<void> {
  for (const column of NULL_WHEN_NEW) if (row[column] !== null) throw new Error(`a new conversation has no ${column}`);
  await insertConversationRow(change.trx, row);
  if (row.tags !== '[]') await writeTags(change.trx, row.workspace_id, row.id, null, row.tags);
  change.counters.inserted(row);
}

/**
 * Applies a patch only if the row is still as `before` (same version), bumping the version, and
 * moves the view counters with it. Returns undefined when another writer got there first, so the
 * caller can answer 409.
 *
 * The saved row is `before` with the patch applied, built here rather than read back with
 * RETURNING *: the version check makes them the same row (no trigger or default touches an update
 * of this table), and reading back every column was a visible share of a rules run
 * (docs/benchmarks.md).
 */
export async function updateConversation(change: Change, before: ConversationRow, patch: Partial<ConversationRow>): Promise<ConversationRow | undefined> {
  const expectedVersion = Number(before.version);
  const after: ConversationRow = { ...before, version: expectedVersion + 1 };
  // As Kysely's `set` would: a key whose value is undefined is not set.
  const columns: (keyof ConversationRow)[] = [];
  for (const [key, value] of Object.entries(patch) as [keyof ConversationRow, never][]) {
    if (value === undefined || key === 'version') continue;
    after[key] = value;
    columns.push(key);
  }
  const values: UpdateArgs = { workspaceId: change.workspaceId, id: before.id, expectedVersion, version: after.version };
  for (const column of columns) values[`set_${column}`] = after[column];
  const result = await conversationUpdate(columns)(change.trx, values);
  if (Number(result.numAffectedRows) !== 1) return undefined;
  await change.counters.updated(before, after);
  if (patch.tags !== undefined) await writeTags(change.trx, change.workspaceId, before.id, before.tags, after.tags);
  return after;
}

/**
 * The conditional update of `updateConversation`, prepared once per set of columns it writes
 * (commands write a handful of distinct sets): compiling it with the builder on every call was a
 * few µs of every assignment (docs/benchmarks.md). Patch values go in as `set_<column>`.
 */
type UpdateArgs = { workspaceId: string; id: string; expectedVersion: number; version: number } & { [K in `set_${keyof ConversationRow}`]?: unknown };
const updates = new Map<string, ReturnType<typeof prepared<UpdateArgs>>>();
function conversationUpdate(columns: (keyof ConversationRow)[]) {
  const key = columns.join(',');
  let update = updates.get(key);
  if (!update) {
    update = prepared<UpdateArgs>([...columns.map((c) => `set_${c}` as const), 'version', 'workspaceId', 'id', 'expectedVersion'], (db, a) =>
      db
        .updateTable('conversations')
        .set(Object.fromEntries([...columns.map((c) => [c, a[`set_${c}`]]), ['version', a.version]]))
        .where('workspace_id', '=', a.workspaceId)
        .where('id', '=', a.id)
        .where('version', '=', a.expectedVersion),
    );
    updates.set(key, update);
  }
  return update;
}

export interface PageCursor {
  lastMessageAt: number;
  id: string;
}

/** List filters besides the view (DESIGN §5), each served by an index of migrations 0022 and 0045. */
export interface ConversationFilters {
  channel?: string;
  teamId?: string;
  tag?: string;
  priority?: Conversation['priority'];
}
export type ConversationSort = 'newest' | 'oldest_waiting';
export interface ListOptions {
  filters?: ConversationFilters;
  sort?: ConversationSort;
}

export const encodeCursor = (c: PageCursor) => Buffer.from(JSON.stringify([c.lastMessageAt, c.id])).toString('base64url');

export function decodeCursor(cursor: string): PageCursor | null {
  try {
    const [lastMessageAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    // A time is a whole number of ms: a fractional or huge one would compare by SQLite's affinity
    // and fail PostgreSQL's bigint parse (a 500), so it is not a cursor this server made.
    if (!Number.isSafeInteger(lastMessageAt) || typeof id !== 'string') return null;
    return { lastMessageAt: lastMessageAt as number, id };
  } catch {
    return null;
  }
}

// `{}` is Kysely's own type for "nothing selected yet".
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type ConvQuery = SelectQueryBuilder<Database & { c: ConversationRow }, 'c', {}>;

/**
 * The conversations of one view, as seen by one agent, as a query over `c`. Mentioned starts from
 * the agent's mentions (a few hundred rows) — CROSS JOIN pins that order in SQLite — instead of
 * testing every open conversation for a mention (100–200 ms at 1M rows, docs/benchmarks.md).
 */
function fromView(db: Q, workspaceId: string, view: View, agentId: string): ConvQuery {
  const base =
    view === 'mentioned'
      ? db.selectFrom('mentions as m').crossJoin('conversations as c').whereRef('c.id', '=', 'm.conversation_id').where('m.agent_id', '=', agentId)
      : db.selectFrom('conversations as c');
  return inView(base.where('c.workspace_id', '=', workspaceId) as unknown as ConvQuery, view, agentId);
}

/** Restricts a query over `conversations as c` to one view, as seen by one agent. */
function inView(q: ConvQuery, view: View, agentId: string): ConvQuery {
  switch (view) {
    case 'mine':
      return q.where('c.status', '=', 'open').where('c.assignee_id', '=', agentId);
    case 'unassigned':
      return q.where('c.status', '=', 'open').where('c.assignee_id', 'is', null);
    case 'all':
      return q.where('c.status', '=', 'open');
    case 'resolved':
      return q.where('c.status', '=', 'resolved');
    case 'snoozed':
      return q.where('c.status', '=', 'snoozed');
    case 'mentioned':
      return q.where('c.status', '=', 'open'); // joined to the agent's mentions in `fromView`
    case 'unread':
      return unreadBy(q, agentId);
  }
}

/** Narrows a view's query by the list filters. */
function filtered(db: Q, q: ConvQuery, workspaceId: string, f: ConversationFilters): ConvQuery {
  if (f.channel !== undefined) q = q.where('c.channel', '=', f.channel);
  if (f.teamId !== undefined) q = q.where('c.team_id', '=', f.teamId);
  // Repeats the partial index's own condition (migration 0045) so SQLite may read it.
  if (f.priority !== undefined) q = q.where('c.priority', '=', f.priority).$if(f.priority !== 'normal', (w) => w.where('c.priority', '<>', 'normal'));
  if (f.tag !== undefined) {
    const tag = f.tag;
    q = q.where('c.id', 'in', db.selectFrom('conversation_tags').select('conversation_id').where('workspace_id', '=', workspaceId).where('tag', '=', tag));
  }
  return q;
}

/**
 * The query of one page of a view without read bands: filters, sort and the cursor applied. (Also
 * what the test of each filter's query plan reads.)
 */
export function pageQuery(db: Q, workspaceId: string, agentId: string, view: View, limit: number, cursor: PageCursor | null, options: ListOptions = {}) {
  const asc = options.sort === 'oldest_waiting';
  let q = filtered(db, fromView(db, workspaceId, view, agentId), workspaceId, options.filters ?? {});
  if (cursor) {
    // A row-value comparison lets the engine seek straight to the cursor in the index; the
    // equivalent OR walks from the top (8–68 ms on deep pages at 1M rows, docs/benchmarks.md).
    q = q.where((eb) => eb(eb.refTuple('c.last_message_at', 'c.id'), asc ? '>' : '<', eb.tuple(cursor.lastMessageAt, cursor.id)));
  }
  // Oldest first walks the same indexes the other way.
  const dir = asc ? 'asc' : 'desc';
  return q.selectAll('c').orderBy('c.last_message_at', dir).orderBy('c.id', dir).limit(limit + 1);
}

const hasFilters = (o: ListOptions) => o.sort === 'oldest_waiting' || Object.values(o.filters ?? {}).some((v) => v !== undefined);

/**
 * One page of a view. Unread skips the agent's read bands (storage/read-bands.ts) when given them
 * and the list is unfiltered, newest first (the bands are ranges of that order); otherwise it is
 * the plain walk, which returns the same rows.
 */
export async function listView(
  db: Q,
  workspaceId: string,
  agentId: string,
  view: View,
  limit: number,
  cursor: PageCursor | null,
  readBands?: ReadBands,
  options: ListOptions = {},
) {
  let rows: ConversationRow[];
  if (view === 'unread' && readBands && !hasFilters(options)) {
    rows = await walkUnread(db, readBands, workspaceId, agentId, limit + 1, cursor && { at: cursor.lastMessageAt, id: cursor.id });
  } else {
    rows = (await pageQuery(db, workspaceId, agentId, view, limit, cursor, options).execute()) as ConversationRow[];
  }
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    next: rows.length > limit && last ? { lastMessageAt: Number(last.last_message_at), id: last.id } : null,
  };
}

export const listContactConversations = (db: Q, workspaceId: string, contactId: string) =>
  db
    .selectFrom('conversations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .orderBy('last_message_at', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();

/** Snoozed conversations whose time has come, any workspace, earliest first (`conversations_snoozed_due`). */
export const listDueSnoozes = (db: Q, now: number, limit: number) =>
  db
    .selectFrom('conversations')
    .select(['workspace_id', 'id'])
    .where('status', '=', 'snoozed')
    .where('snoozed_until', '<=', now)
    .orderBy('snoozed_until')
    .limit(limit)
    .execute();
/** The workspace's newest conversations (dry runs of workflows over recent traffic). */
export const latestConversations = (db: Q, workspaceId: string, limit: number) =>
  db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();

/** The contact's name on each of these conversations (run logs name whom a rule looked at). */
export async function contactNamesOf(db: Q, workspaceId: string, conversationIds: readonly string[]): Promise<Map<string, string>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('conversations')
    .innerJoin('contacts', (j) => j.onRef('contacts.id', '=', 'conversations.contact_id').onRef('contacts.workspace_id', '=', 'conversations.workspace_id'))
    .select(['conversations.id as id', 'contacts.name as name'])
    .where('conversations.workspace_id', '=', workspaceId)
    .where('conversations.id', 'in', [...new Set(conversationIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
