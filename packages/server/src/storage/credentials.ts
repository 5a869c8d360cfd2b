import type { Kysely } from 'kysely';
import type { ApiKeyRow, Database, SigningKeyRow } from './schema.js';

type Q = Kysely<Database>;

// A workspace's API keys and token signing keys. Revoked and retired keys stay as rows (with the
// time), so the list says what was in use when; nothing here ever returns a hash or a secret to
// a caller outside storage.

export const listApiKeys = (db: Q, workspaceId: string) =>
  db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();

export const listSigningKeys = (db: Q, workspaceId: string) =>
  db.selectFrom('signing_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('kid').execute();

export const insertApiKey = (db: Q, row: ApiKeyRow) => db.insertInto('api_keys').values(row).execute();

export const insertSigningKey = (db: Q, row: SigningKeyRow) => db.insertInto('signing_keys').values(row).execute();

export const findApiKey = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export const findSigningKeyOf = (db: Q, workspaceId: string, kid: string) =>
  db.selectFrom('signing_keys').selectAll().where('workspace_id', '=', workspaceId).where('kid', '=', kid).executeTakeFirst();

export async function activeApiKeyCount(db: Q, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function activeSigningKeyCount(db: Q, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('signing_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export const markApiKeyRevoked = (db: Q, workspaceId: string, id: string, at: number) =>
  db.updateTable('api_keys').set({ revoked_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).where('revoked_at', 'is', null).execute();

export const markSigningKeyRetired = (db: Q, workspaceId: string, kid: string, at: number) =>
  db.updateTable('signing_keys').set({ retired_at: at }).where('workspace_id', '=', workspaceId).where('kid', '=', kid).where('retired_at', 'is', null).execute();
