import type { Kysely } from 'kysely';
import { preparedInsert } from './prepared.js';
import type { ContactRow, Database } from './schema.js';

type Q = Kysely<Database>;

export const findContact = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

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
