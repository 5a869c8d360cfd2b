import type { Kysely } from 'kysely';
import type { Database, SavedReplyRow } from './schema.js';

type Q = Kysely<Database>;

export const listSavedReplies = (db: Q, workspaceId: string) =>
  db.selectFrom('saved_replies').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('id').execute();

export const findSavedReply = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('saved_replies').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export async function countSavedReplies(db: Q, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('saved_replies').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The reply of the workspace with this shortcut (case-insensitive), if any. */
export const findByShortcut = (db: Q, workspaceId: string, shortcutLower: string) =>
  db.selectFrom('saved_replies').select('id').where('workspace_id', '=', workspaceId).where('shortcut_lower', '=', shortcutLower).executeTakeFirst();

export async function insertSavedReply(db: Q, row: SavedReplyRow): Promise<void> {
  await db.insertInto('saved_replies').values(row).execute();
}

export const updateSavedReplyRow = (db: Q, workspaceId: string, id: string, patch: Partial<Omit<SavedReplyRow, 'id' | 'workspace_id'>>) =>
  db.updateTable('saved_replies').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();

export async function deleteSavedReplyRow(db: Q, workspaceId: string, id: string): Promise<boolean> {
  const res = await db.deleteFrom('saved_replies').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
