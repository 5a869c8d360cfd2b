import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { prepared } from './prepared.js';
import type { AwayPolicyValue, Database, SigningKeyRow, WorkspaceRow } from './schema.js';

type Q = Kysely<Database>;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function insertWorkspace(db: Q, row: WorkspaceRow, apiKey: { id: string; key: string }, signingKey: SigningKeyRow) {
  await db.insertInto('workspaces').values(row).execute();
  await db
    .insertInto('api_keys')
    .values({ id: apiKey.id, workspace_id: row.id, key_hash: hashApiKey(apiKey.key), created_at: row.created_at, revoked_at: null })
    .execute();
  await db.insertInto('signing_keys').values(signingKey).execute();
}

/**
 * Whether the workspace admits sockets from a page at `origin` (its `allowed_origins`, `*` for any):
 * read at each handshake and each token renewal, so a change counts from the next of either.
 */
export async function admitsOrigin(db: Q, workspaceId: string, origin: string): Promise<boolean> {
  const workspace = await findWorkspace(db, workspaceId);
  const allowed = workspace ? (JSON.parse(workspace.allowed_origins) as string[]) : [];
  return allowed.includes('*') || allowed.includes(origin);
}

/** The pages' URLs as the list keeps them: each as its origin (what browsers send), once. */
export const originsOf = (urls: readonly string[]): string[] => [...new Set(urls.map((u) => new URL(u).origin))];

export async function setAllowedOrigins(db: Q, id: string, origins: string[]) {
  await db.updateTable('workspaces').set({ allowed_origins: JSON.stringify(origins) }).where('id', '=', id).execute();
}

const selectWorkspace = prepared<{ id: string }, Selectable<Database['workspaces']>>(['id'], (db, a) => db.selectFrom('workspaces').selectAll().where('id', '=', a.id));
export const findWorkspace = async (db: Q, id: string): Promise<Selectable<Database['workspaces']> | undefined> => (await selectWorkspace(db, { id })).rows[0];

/** Up to `limit` workspaces with ids after `afterId` (all of them from the start when null), in id order. */
export function listWorkspaceRows(db: Q, afterId: string | null, limit: number) {
  let query = db.selectFrom('workspaces').selectAll().orderBy('id').limit(limit);
  if (afterId !== null) query = query.where('id', '>', afterId);
  return query.execute();
}

export const findWorkspaceByApiKey = (db: Q, key: string) =>
  db
    .selectFrom('api_keys')
    .select(['id', 'workspace_id'])
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();

export const findSigningKey = (db: Q, kid: string) =>
  db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).where('retired_at', 'is', null).executeTakeFirst();

/** The newest active key signs; older active ones still verify, which is what makes rotation seamless. */
export const newestSigningKey = (db: Q, workspaceId: string) =>
  db
    .selectFrom('signing_keys')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .executeTakeFirst();


export type WorkspaceSettingsPatch = Partial<
  Pick<WorkspaceRow, 'link_template' | 'notification_snippets' | 'allowed_origins'> & { auto_away_after_sec: number; away_policy: AwayPolicyValue; assign_on_reply: number }
>;

/** Changes some of the workspace's own settings (notification link, snippets, availability). */
export const updateWorkspaceSettings = (db: Q, id: string, patch: WorkspaceSettingsPatch) => db.updateTable('workspaces').set(patch).where('id', '=', id).execute();

/** Whether an agent's reply to an unassigned conversation assigns it to them (`Workspace.assignOnReply`). */
export async function assignsOnReply(db: Q, workspaceId: string): Promise<boolean> {
  const row = await db.selectFrom('workspaces').select('assign_on_reply').where('id', '=', workspaceId).executeTakeFirst();
  return Number(row?.assign_on_reply ?? 0) === 1;
}
