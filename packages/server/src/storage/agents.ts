import type { Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { AgentRow, Database } from './schema.js';

type Q = Kysely<Database>;

const selectAgent = prepared<{ workspaceId: string; id: string }, AgentRow>(['workspaceId', 'id'], (db, a) =>
  db.selectFrom('agents').selectAll().where('workspace_id', '=', a.workspaceId).where('id', '=', a.id),
);
export const findAgent = async (db: Q, workspaceId: string, id: string): Promise<AgentRow | undefined> => (await selectAgent(db, { workspaceId, id })).rows[0];

const selectAgents = prepared<{ workspaceId: string }, AgentRow>(['workspaceId'], (db, a) =>
  db.selectFrom('agents').selectAll().where('workspace_id', '=', a.workspaceId).orderBy('name').orderBy('id'),
);
export const listAgentRows = async (db: Q, workspaceId: string): Promise<AgentRow[]> => (await selectAgents(db, { workspaceId })).rows;

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

/**
 * Round-robin's slot, taken atomically: moves the agent's `last_assigned_at` from the value the
 * routing decision saw to `at`, and only then. False when another run moved it first (on another
 * node), so the caller plans again with fresh data instead of two runs both treating the same
 * agent as "assigned longest ago".
 */
type Claim = { workspaceId: string; id: string; at: number };
const claimFirst = prepared<Claim>(['workspaceId', 'id', 'at'], (db, a) =>
  db.updateTable('agents').set({ last_assigned_at: a.at }).where('workspace_id', '=', a.workspaceId).where('id', '=', a.id).where('last_assigned_at', 'is', null),
);
const claimAfter = prepared<Claim & { seen: number }>(['workspaceId', 'id', 'at', 'seen'], (db, a) =>
  db.updateTable('agents').set({ last_assigned_at: a.at }).where('workspace_id', '=', a.workspaceId).where('id', '=', a.id).where('last_assigned_at', '=', a.seen),
);

export async function claimAssignment(db: Q, workspaceId: string, id: string, seen: number | null, at: number): Promise<boolean> {
  const result = seen === null ? await claimFirst(db, { workspaceId, id, at }) : await claimAfter(db, { workspaceId, id, at, seen });
  return Number(result.numAffectedRows) === 1;
}

/**
 * Open assigned conversations per agent from the maintained view counters (Mine), one row per
 * agent: what routing reads on every run, where the GROUP BY of `openAssignedCounts` would cost a
 * scan of the workspace's open conversations each time.
 */
const selectMineCounts = prepared<{ workspaceId: string }, { agent_id: string; mine: number }>(['workspaceId'], (db, a) =>
  db.selectFrom('agent_view_counts').select(['agent_id', 'mine']).where('workspace_id', '=', a.workspaceId),
);
export async function openAssignedFromCounters(db: Q, workspaceId: string): Promise<Map<string, number>> {
  const { rows } = await selectMineCounts(db, { workspaceId });
  return new Map(rows.map((r) => [r.agent_id, Number(r.mine)]));
}
