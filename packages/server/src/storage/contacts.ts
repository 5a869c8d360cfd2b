import type { Kysely } from 'kysely';
import { prepared, preparedInsert } from './prepared.js';
import type { ContactRow, Database } from './schema.js';
import { moveTagCounts } from './tags.js';

type Q = Kysely<Database>;

const selectContact = prepared<{ workspaceId: string; id: string }, ContactRow>(['workspaceId', 'id'], (db, a) =>
  db.selectFrom('contacts').selectAll().where('workspace_id', '=', a.workspaceId).where('id', '=', a.id),
);
export const findContact = async (db: Q, workspaceId: string, id: string): Promise<ContactRow | undefined> =>
  (await selectContact(db, { workspaceId, id })).rows[0];

export const findContactByExternalId = (db: Q, workspaceId: string, externalId: string) =>
  db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('external_id', '=', externalId).executeTakeFirst();

const insertContactRow = preparedInsert('contacts', {
  id: true,
  workspace_id: true,
  name: true,
  phone: true,
  email: true,
  language: true,
  tags: true,
  external_id: true,
  created_at: true,
  attributes: true,
});
/** Inserts a contact and counts its tags in the workspace's (storage/tags.ts). */
export async function insertContact(db: Q, row: ContactRow): Promise<void> {
  await insertContactRow(db, row);
  if (row.tags !== '[]') await moveTagCounts(db, row.workspace_id, 'contacts', [], JSON.parse(row.tags) as string[]);
}

/**
 * Applies a patch to the contact read as `before`. A patch of its tags moves the workspace's tag
 * counts from `before.tags`, so it holds only if the row still has them: undefined when another
 * writer changed them first (on PostgreSQL; SQLite runs one unit at a time), and the caller answers
 * 409 rather than let the counts drift.
 */
export async function updateContactRow(db: Q, before: ContactRow, patch: Partial<ContactRow>): Promise<ContactRow | undefined> {
  let q = db.updateTable('contacts').set(patch).where('workspace_id', '=', before.workspace_id).where('id', '=', before.id);
  if (patch.tags !== undefined) q = q.where('tags', '=', before.tags);
  const row = await q.returningAll().executeTakeFirst();
  if (row && patch.tags !== undefined && patch.tags !== before.tags) {
    await moveTagCounts(db, before.workspace_id, 'contacts', JSON.parse(before.tags) as string[], JSON.parse(patch.tags) as string[]);
  }
  return row;
}

export const findContactsBy = (db: Q, workspaceId: string, field: 'external_id' | 'phone' | 'email', value: string) =>
  db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where(field, '=', value).orderBy('id').limit(50).execute();

/** Contacts by id, in one read (the webhooks' `message.created` names whom to deliver to). */
export const findContactsByIds = (db: Q, ids: readonly string[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('contacts').selectAll().where('id', 'in', [...ids]).execute();
