import type { Kysely } from 'kysely';
import type { AgentRow, Database } from './schema.js';

type Q = Kysely<Database>;

export const findAgent = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('agents').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export const listAgentRows = (db: Q, workspaceId: string) =>
  db.selectFrom('agents').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('id').execute();

export const findAgentsByUsernames = (db: Q, workspaceId: string, lowerUsernames: string[]) =>
  lowerUsernames.length === 0
    ? Promise.resolve([] as AgentRow[])
    : db
        .selectFrom('agents')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('username_lower', 'in', lowerUsernames)
        .execute();

export async function openAssignedCounts(db: Q, workspaceId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('conversations')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where('assignee_id', 'is not', null)
    .groupBy('assignee_id')
    .execute();
  return new Map(rows.map((r) => [r.assignee_id!, Number(r.n)]));
}

export const insertAgent = (db: Q, row: AgentRow) => db.insertInto('agents').values(row).execute();

/** Round-robin's memory: when the agent was last given a conversation (DESIGN §6, "assigned longest ago"). */
export const markAssignedAt = (db: Q, workspaceId: string, id: string, at: number) =>
  db.updateTable('agents').set({ last_assigned_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();

export const updateAgentRow = (db: Q, workspaceId: string, id: string, patch: Partial<AgentRow>) =>
  db.updateTable('agents').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();
