import { sql, type Kysely, type Selectable } from 'kysely';
import { onSqlite } from './engine.js';
import { prepared } from './prepared.js';
import type { AgentRow, Database } from './schema.js';

type Q = Kysely<Database>;

/** An agent's whole row, presence columns included. */
export type StoredAgent = Selectable<Database['agents']>;

const selectAgent = prepared<{ workspaceId: string; id: string }, StoredAgent>(['workspaceId', 'id'], (db, a) =>
  db.selectFrom('agents').selectAll().where('workspace_id', '=', a.workspaceId).where('id', '=', a.id),
);
export const findAgent = async (db: Q, workspaceId: string, id: string): Promise<StoredAgent | undefined> => (await selectAgent(db, { workspaceId, id })).rows[0];

const selectAgents = prepared<{ workspaceId: string }, StoredAgent>(['workspaceId'], (db, a) =>
  db.selectFrom('agents').selectAll().where('workspace_id', '=', a.workspaceId).orderBy('name').orderBy('id'),
);
export const listAgentRows = async (db: Q, workspaceId: string): Promise<StoredAgent[]> => (await selectAgents(db, { workspaceId })).rows;

/** The agent the host knows by `externalId` (unique in the workspace), if any. */
export const findAgentByExternalId = (db: Q, workspaceId: string, externalId: string): Promise<StoredAgent | undefined> =>
  db.selectFrom('agents').selectAll().where('workspace_id', '=', workspaceId).where('external_id', '=', externalId).executeTakeFirst();

export const findAgentsByUsernames = (db: Q, workspaceId: string, lowerUsernames: string[]) =>
  lowerUsernames.length === 0
    ? Promise.resolve([] as AgentRow[])
    : db
        .selectFrom('agents')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('username_lower', 'in', lowerUsernames)
        .execute();

/** Open conversations per assignee: the workspace's agents, or only `agentId`'s. */
export async function openAssignedCounts(db: Q, workspaceId: string, agentId?: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('conversations')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where('assignee_id', agentId === undefined ? 'is not' : '=', agentId ?? null)
    .groupBy('assignee_id')
    .execute();
  return new Map(rows.map((r) => [r.assignee_id!, Number(r.n)]));
}

export const insertAgent = (db: Q, row: AgentRow) => db.insertInto('agents').values(row).execute();

/** Round-robin's memory: when the agent was last given a conversation (DESIGN §6, "assigned longest ago"). */
export const markAssignedAt = (db: Q, workspaceId: string, id: string, at: number) =>
  db.updateTable('agents').set({ last_assigned_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();

export const updateAgentRow = (db: Q, workspaceId: string, id: string, patch: Partial<AgentRow & { last_seen_at: number | null; auto_away: number }>) =>
  db.updateTable('agents').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();

/**
 * Round-robin's slot, taken atomically: moves the agent's `last_assigned_at` from the value the
 * routing decision saw to `at`, and only then. False when another run moved it first (on another
 * node), so the caller plans again with fresh data instead of two runs both treating the same
 * agent as "assigned longest ago".
 */
type Claim = { workspaceId: string; id: string; at: number; skills: string };
/**
 * The claim's own checks, in the statement that takes the slot: the agent is still active, online,
 * below capacity (open assigned conversations from the view counters) and holds every required
 * skill (`skills`: the step's list as JSON; `[]` requires none). A planner working from an older
 * snapshot of the agents cannot then assign past what holds now.
 */
const stillEligible = (db: Kysely<Database>, a: { workspaceId: string; id: string; skills: string }) =>
  db
    .updateTable('agents')
    .where('workspace_id', '=', a.workspaceId)
    .where('id', '=', a.id)
    .where('active', '=', 1)
    .where('availability', '=', 'online')
    .where((eb) =>
      eb(
        'capacity',
        '>',
        eb.fn.coalesce(
          eb.selectFrom('agent_view_counts').select('mine').where('agent_view_counts.workspace_id', '=', a.workspaceId).where('agent_view_counts.agent_id', '=', a.id),
          eb.lit(0),
        ),
      ),
    )
    // Skills are stored as a JSON list in their lower-case spelling, as steps name them.
    .where(
      onSqlite(db)
        ? sql<boolean>`not exists (select 1 from json_each(${a.skills}) as required where required.value not in (select held.value from json_each(agents.skills) as held))`
        : sql<boolean>`agents.skills::jsonb @> ${a.skills}::jsonb`,
    );
const claimFirst = prepared<Claim>(['workspaceId', 'id', 'at', 'skills'], (db, a) => stillEligible(db, a).set({ last_assigned_at: a.at }).where('last_assigned_at', 'is', null));
const claimAfter = prepared<Claim & { seen: number }>(['workspaceId', 'id', 'at', 'seen', 'skills'], (db, a) =>
  stillEligible(db, a).set({ last_assigned_at: a.at }).where('last_assigned_at', '=', a.seen),
);
/** Also still a member of the team whose pool picked them: one probe of the `team_members` key. */
const stillInTeam = (db: Kysely<Database>, a: { workspaceId: string; id: string; teamId: string; skills: string }) =>
  stillEligible(db, a).where((eb) =>
    eb.exists(
      eb
        .selectFrom('team_members')
        .select('team_members.agent_id')
        .where('team_members.team_id', '=', a.teamId)
        .where('team_members.agent_id', '=', a.id)
        .where('team_members.workspace_id', '=', a.workspaceId),
    ),
  );
const claimFirstInTeam = prepared<Claim & { teamId: string }>(['workspaceId', 'id', 'at', 'teamId', 'skills'], (db, a) =>
  stillInTeam(db, a).set({ last_assigned_at: a.at }).where('last_assigned_at', 'is', null),
);
const claimAfterInTeam = prepared<Claim & { seen: number; teamId: string }>(['workspaceId', 'id', 'at', 'seen', 'teamId', 'skills'], (db, a) =>
  stillInTeam(db, a).set({ last_assigned_at: a.at }).where('last_assigned_at', '=', a.seen),
);

/** What a claim takes and what it must still hold. */
export interface ClaimTerms {
  /** The agent's `last_assigned_at` as the plan saw it (null: never assigned). */
  seen: number | null;
  /** Their new `last_assigned_at`. */
  at: number;
  /** The team whose pool picked them (null: a pool of named agents). */
  teamId: string | null;
  /** The step's required skills, lower case. */
  skills: readonly string[];
}

/**
 * Takes the agent's round-robin slot if it is still where the plan saw it (`seen`) and the agent
 * may still be given work: active, online, below capacity, holding every required skill, and with
 * `teamId` (the step's pool was a team) still in that team. Each of these can change between the
 * snapshot the plan used and this write (another command, another node).
 */
export async function claimAssignment(db: Q, workspaceId: string, id: string, { seen, at, teamId, skills }: ClaimTerms): Promise<boolean> {
  const required = JSON.stringify(skills);
  const result =
    teamId === null
      ? seen === null
        ? await claimFirst(db, { workspaceId, id, at, skills: required })
        : await claimAfter(db, { workspaceId, id, at, seen, skills: required })
      : seen === null
        ? await claimFirstInTeam(db, { workspaceId, id, at, teamId, skills: required })
        : await claimAfterInTeam(db, { workspaceId, id, at, seen, teamId, skills: required });
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

/** The heartbeat: these agents have a socket open on this node now (DESIGN §6 auto-away). */
export async function markSeen(db: Q, workspaceId: string, agentIds: readonly string[], at: number): Promise<void> {
  if (agentIds.length === 0) return;
  await db.updateTable('agents').set({ last_seen_at: at }).where('workspace_id', '=', workspaceId).where('id', 'in', agentIds).execute();
}

/**
 * Online, active agents due to go away at `now`: last seen at least their own workspace's
 * `auto_away_after_sec` ago, longest ago first. The `(availability, last_seen_at)` index reads only
 * agents unseen since `before` (the shortest delay any workspace may have); the workspace's delay
 * is compared here, in the query, so `limit` counts only agents actually due. Compared after the
 * limit, a tenant with a long delay and many agents who left filled every page and kept another
 * tenant's agents online for ever. Plain integer arithmetic, which PostgreSQL runs the same
 * (`last_seen_at` is a 64-bit column, so the sum does not overflow).
 */
export const autoAwayCandidates = (db: Q, now: number, before: number, limit: number) =>
  db
    .selectFrom('agents as a')
    .innerJoin('workspaces as w', 'w.id', 'a.workspace_id')
    .select(['a.workspace_id', 'a.id', 'a.last_seen_at', 'w.auto_away_after_sec'])
    .where('a.availability', '=', 'online')
    .where('a.last_seen_at', '<=', before)
    .where((eb) => eb(eb('a.last_seen_at', '+', eb('w.auto_away_after_sec', '*', eb.lit(1000))), '<=', now))
    .where('a.active', '=', 1)
    .orderBy('a.last_seen_at')
    .orderBy('a.workspace_id')
    .orderBy('a.id')
    .limit(limit)
    .execute();

/** Open and snoozed conversations assigned to the agent, oldest activity first (the away policy's `unassign_now`). */
export const openAssignedTo = (db: Q, workspaceId: string, agentId: string, limit: number) =>
  db
    .selectFrom('conversations')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('assignee_id', '=', agentId)
    .where('status', 'in', ['open', 'snoozed'])
    .orderBy('last_message_at')
    .orderBy('id')
    .limit(limit)
    .execute();
