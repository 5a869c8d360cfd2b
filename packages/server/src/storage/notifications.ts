import type { Kysely } from 'kysely';
import { preparedInsert } from './prepared.js';
import type { Database } from './schema.js';

type Q = Kysely<Database>;

/** Lists a notification in the agent's in-app list (`Change.notify`); prepared, as every rule assignment writes one. */
export const insertNotification = preparedInsert('notifications', {
  id: true,
  workspace_id: true,
  agent_id: true,
  type: true,
  conversation_id: true,
  actor_type: true,
  actor_id: true,
  created_at: true,
  read_at: true,
  rule: true,
  note_id: true,
});


/** The agent's newest notifications, each a mention's with the body of its note (`note_body`, null for others). */
export function listNotificationRows(db: Q, workspaceId: string, agentId: string, limit: number, unreadOnly: boolean) {
  let q = db
    .selectFrom('notifications as n')
    // The note is in the same workspace's timeline; the join's workspace test keeps that so whatever the id says.
    .leftJoin('timeline as t', (j) => j.onRef('t.id', '=', 'n.note_id').onRef('t.workspace_id', '=', 'n.workspace_id'))
    .selectAll('n')
    .select('t.body as note_body')
    .where('n.workspace_id', '=', workspaceId)
    .where('n.agent_id', '=', agentId);
  if (unreadOnly) q = q.where('n.read_at', 'is', null);
  return q.orderBy('n.id', 'desc').limit(limit).execute();
}

export async function unreadNotificationCount(db: Q, workspaceId: string, agentId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function markNotificationsRead(db: Q, workspaceId: string, agentId: string, ids: string[] | 'all', now: number) {
  let q = db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .where('read_at', 'is', null);
  if (ids !== 'all') q = q.where('id', 'in', ids);
  await q.execute();
}

export interface NotificationPrune {
  /** Read notifications with ids below this (`idFloor('ntf', time)`) go. */
  readBefore: string;
  /** Unread ones go only below this, an older floor. */
  unreadBefore: string;
  /** Walk from after this id (the previous batch's `next`; '' at the start). */
  after: string;
  batch: number;
}

/**
 * One step of the notification retention walk: looks at the next `batch` notifications older than
 * `readBefore` in id order (ids carry their time) and deletes the read ones, and the unread ones
 * older than `unreadBefore`. Returns how many went and where the next step starts (null: the walk
 * is done). A walk rather than a filtered delete, so unread rows younger than `unreadBefore` are
 * stepped over once per sweep instead of once per batch. The unread count is counted from the rows
 * (`unreadNotificationCount`), so nothing cached needs adjusting.
 */
export async function deleteNotificationsBefore(db: Q, { readBefore, unreadBefore, after, batch }: NotificationPrune): Promise<{ deleted: number; next: string | null }> {
  const rows = await db.selectFrom('notifications').select(['id', 'read_at']).where('id', '>', after).where('id', '<', readBefore).orderBy('id').limit(batch).execute();
  const doomed = rows.filter((r) => r.read_at !== null || r.id < unreadBefore).map((r) => r.id);
  let deleted = 0;
  if (doomed.length > 0) deleted = Number((await db.deleteFrom('notifications').where('id', 'in', doomed).executeTakeFirst()).numDeletedRows);
  return { deleted, next: rows.length < batch ? null : rows[rows.length - 1]!.id };
}

/** When the agent read the notification in Baton (the bell, or opening its conversation); null while unread, undefined once pruned. */
export async function notificationReadAt(db: Q, workspaceId: string, id: string): Promise<number | null | undefined> {
  const row = await db.selectFrom('notifications').select('read_at').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? (row.read_at === null ? null : Number(row.read_at)) : undefined;
}
