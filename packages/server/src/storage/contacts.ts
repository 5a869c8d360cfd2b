import type { Kysely } from 'kysely';
import { prepared, preparedInsert } from './prepared.js';
import type { ContactRow, Database } from './schema.js';

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
export const insertContact = (db: Q, row: ContactRow) => insertContactRow(db, row);

export const updateContactRow = (db: Q, workspaceId: string, id: string, patch: Partial<ContactRow>) =>
  db.updateTable('contacts').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();

export const findContactsBy = (db: Q, workspaceId: string, field: 'external_id' | 'phone' | 'email', value: string) =>
  db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where(field, '=', value).orderBy('id').limit(50).execute();
