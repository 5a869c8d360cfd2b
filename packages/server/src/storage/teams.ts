import type { Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { Database, TeamRow } from './schema.js';

type Q = Kysely<Database>;

export const findTeam = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export async function teamMemberIds(db: Q, workspaceId: string, teamIds: string[]): Promise<Map<string, string[]>> {
  const members = new Map<string, string[]>(teamIds.map((id) => [id, []]));
  if (teamIds.length === 0) return members;
  const rows = await db
    .selectFrom('team_members')
    .select(['team_id', 'agent_id'])
    .where('workspace_id', '=', workspaceId)
    .where('team_id', 'in', teamIds)
    .orderBy('agent_id')
    .execute();
  for (const r of rows) members.get(r.team_id)?.push(r.agent_id);
  return members;
}

export async function insertTeam(db: Q, row: TeamRow) {
  await db.insertInto('teams').values(row).execute();
}

export async function renameTeam(db: Q, workspaceId: string, id: string, name: string) {
  await db.updateTable('teams').set({ name }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export const listTeamRows = (db: Q, workspaceId: string) =>
  db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('id').execute();

export async function replaceTeamMembers(db: Q, workspaceId: string, teamId: string, agentIds: string[]) {
  await db.deleteFrom('team_members').where('workspace_id', '=', workspaceId).where('team_id', '=', teamId).execute();
  if (agentIds.length > 0) {
    await db
      .insertInto('team_members')
      .values([...new Set(agentIds)].map((agent_id) => ({ workspace_id: workspaceId, team_id: teamId, agent_id })))
      .execute();
  }
}

/** Every (team, agent) membership of the workspace, for routing snapshots. */
const selectMemberships = prepared<{ workspaceId: string }, { team_id: string; agent_id: string }>(['workspaceId'], (db, a) =>
  db.selectFrom('team_members').select(['team_id', 'agent_id']).where('workspace_id', '=', a.workspaceId),
);
export const teamMemberships = async (db: Q, workspaceId: string) => (await selectMemberships(db, { workspaceId })).rows;
