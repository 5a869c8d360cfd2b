import type { View } from '@baton/protocol';
import { type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Change } from './change.js';
import type { ReadBands } from './read-bands.js';
import { unreadBy, walkUnread } from './unread-walk.js';
import { preparedInsert } from './prepared.js';
import type { ConversationRow, Database } from './schema.js';

type Q = Kysely<Database>;

export const findConversation = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

const insertConversationRow = preparedInsert('conversations', {
  id: true,
  workspace_id: true,
  contact_id: true,
  channel: true,
  source: true,
  subject: true,
  status: true,
  assignee_id: true,
  team_id: true,
  tags: true,
  priority: true,
  version: true,
  created_at: true,
  last_message_at: true,
  last_inbound_at: true,
  last_inbound_seq: true,
  resolved_at: true,
  waiting_since: true,
  preview: true,
  language: true,
});
/** Inserts a new conversation, counted in the views (storage/view-counters.ts). */
export async function insertConversation(change: Change, row: ConversationRow): Promise<void> {
  await insertConversationRow(change.trx, row);
  change.counters.inserted(row);
}

/**
 * Applies a patch only if the row is still as `before` (same version), bumping the version, and
 * moves the view counters with it. Returns undefined when another writer got there first, so the
 * caller can answer 409.
 */
export async function updateConversation(change: Change, before: ConversationRow, patch: Partial<ConversationRow>): Promise<ConversationRow | undefined> {
  const expectedVersion = Number(before.version);
  const after = await change.trx
    .updateTable('conversations')
    .set({ ...patch, version: expectedVersion + 1 })
    .where('workspace_id', '=', change.workspaceId)
    .where('id', '=', before.id)
    .where('version', '=', expectedVersion)
    .returningAll()
    .executeTakeFirst();
  if (after) await change.counters.updated(before, after);
  return after;
}

export interface PageCursor {
  lastMessageAt: number;
  id: string;
}

export const encodeCursor = (c: PageCursor) => Buffer.from(JSON.stringify([c.lastMessageAt, c.id])).toString('base64url');

export function decodeCursor(cursor: string): PageCursor | null {
  try {
    const [lastMessageAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof lastMessageAt !== 'number' || typeof id !== 'string') return null;
    return { lastMessageAt, id };
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
    case 'mentioned':
      return q.where('c.status', '=', 'open'); // joined to the agent's mentions in `fromView`
    case 'unread':
      return unreadBy(q, agentId);
  }
}

/**
 * One page of a view. Unread skips the agent's read bands (storage/read-bands.ts) when given them;
 * without, it is the plain walk, which returns the same rows.
 */
export async function listView(
  db: Q,
  workspaceId: string,
  agentId: string,
  view: View,
  limit: number,
  cursor: PageCursor | null,
  readBands?: ReadBands,
) {
  let rows: ConversationRow[];
  if (view === 'unread' && readBands) {
    rows = await walkUnread(db, readBands, workspaceId, agentId, limit + 1, cursor && { at: cursor.lastMessageAt, id: cursor.id });
  } else {
    let q = fromView(db, workspaceId, view, agentId);
    if (cursor) {
      // A row-value comparison lets the engine seek straight to the cursor in the index; the
      // equivalent OR walks from the top (8–68 ms on deep pages at 1M rows, docs/benchmarks.md).
      q = q.where((eb) => eb(eb.refTuple('c.last_message_at', 'c.id'), '<', eb.tuple(cursor.lastMessageAt, cursor.id)));
    }
    rows = (await q
      .selectAll('c')
      .orderBy('c.last_message_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(limit + 1)
      .execute()) as ConversationRow[];
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

/** The workspace's newest conversations (dry runs of workflows over recent traffic). */
export const latestConversations = (db: Q, workspaceId: string, limit: number) =>
  db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
