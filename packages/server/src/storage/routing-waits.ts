import type { Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { Database, RoutingWaitRow } from './schema.js';

type Q = Kysely<Database>;

/** Puts a conversation in the queue, or updates its place (a later rule's assign action replaces an earlier one's). */
export async function upsertWait(db: Q, row: RoutingWaitRow): Promise<void> {
  await db
    .insertInto('routing_waits')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'conversation_id']).doUpdateSet({
        workflow_id: row.workflow_id,
        version: row.version,
        action_index: row.action_index,
        team_id: row.team_id,
        next_check_at: row.next_check_at,
      }),
    )
    .execute();
}

const deleteWaitRow = prepared<{ workspaceId: string; conversationId: string }>(['workspaceId', 'conversationId'], (db, a) =>
  db.deleteFrom('routing_waits').where('workspace_id', '=', a.workspaceId).where('conversation_id', '=', a.conversationId),
);
export async function deleteWait(db: Q, workspaceId: string, conversationId: string): Promise<void> {
  await deleteWaitRow(db, { workspaceId, conversationId });
}

export async function setNextCheck(db: Q, workspaceId: string, conversationId: string, at: number | null): Promise<void> {
  await db.updateTable('routing_waits').set({ next_check_at: at }).where('workspace_id', '=', workspaceId).where('conversation_id', '=', conversationId).execute();
}

/** Stops polling the workspace's waits due by `now`: they wait for a change that drains the queue. */
export async function clearDueChecks(db: Q, workspaceId: string, now: number): Promise<void> {
  await db.updateTable('routing_waits').set({ next_check_at: null }).where('workspace_id', '=', workspaceId).where('next_check_at', '<=', now).execute();
}

/** The workspace's queue, oldest first. */
export const waitsOf = (db: Q, workspaceId: string) =>
  db.selectFrom('routing_waits').selectAll().where('workspace_id', '=', workspaceId).orderBy('waiting_since').orderBy('conversation_id').execute();

export async function hasWaits(db: Q, workspaceId: string): Promise<boolean> {
  return (await db.selectFrom('routing_waits').select('conversation_id').where('workspace_id', '=', workspaceId).limit(1).executeTakeFirst()) !== undefined;
}

/** Workspaces with a wait whose step times out (or preference drops) by `now`. */
export async function dueWorkspaces(db: Q, now: number): Promise<string[]> {
  const rows = await db.selectFrom('routing_waits').select('workspace_id').distinct().where('next_check_at', '<=', now).execute();
  return rows.map((r) => r.workspace_id);
}
