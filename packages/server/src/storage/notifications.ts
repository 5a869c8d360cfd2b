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
});


export function listNotificationRows(db: Q, workspaceId: string, agentId: string, limit: number, unreadOnly: boolean) {
  let q = db.selectFrom('notifications').selectAll().where('workspace_id', '=', workspaceId).where('agent_id', '=', agentId);
  if (unreadOnly) q = q.where('read_at', 'is', null);
  return q.orderBy('id', 'desc').limit(limit).execute();
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
