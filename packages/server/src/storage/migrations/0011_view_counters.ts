import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * View counters (storage/view-counters.ts): the live counts are kept, not counted. The workspace row
 * carries the workspace-wide ones (open, open and unassigned, resolved, open with an inbound
 * message), which every change already reads under its lock and writes back once; a small table
 * carries each agent's own (Mine, Mentioned, and how many open conversations with an inbound message
 * the agent has read up to their latest one). Unread is the workspace's open-with-inbound less the
 * agent's caught-up.
 *
 * Resolving or reopening a conversation moves the Mentioned count of every agent mentioned on it,
 * which needs the mentions of one conversation: `mentions` is keyed by agent first, hence the index.
 * (The read marks of one conversation are the prefix of `read_states`' primary key already.)
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  for (const column of ['open_count', 'open_unassigned_count', 'resolved_count', 'open_inbound_count']) {
    await db.schema.alterTable('workspaces').addColumn(column, int64, (c) => c.notNull().defaultTo(0)).execute();
  }
  await db.schema
    .createTable('agent_view_counts')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('mine', int64, (c) => c.notNull().defaultTo(0))
    .addColumn('mentioned', int64, (c) => c.notNull().defaultTo(0))
    .addColumn('caught_up', int64, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('agent_view_counts_pk', ['workspace_id', 'agent_id'])
    .execute();
  await db.schema.createIndex('mentions_by_conversation').on('mentions').columns(['conversation_id', 'agent_id']).execute();
  await fillViewCounters(db);
}

/**
 * Sets every counter from the data with exact, uncapped counts, as the schema stood at this
 * migration (no `snoozed_count` yet). For today's schema use `fillViewCounters` in
 * storage/view-counters.ts, which runs this and then the counters added since.
 */
export async function fillViewCounters(db: Kysely<any>): Promise<void> {
  await sql`UPDATE workspaces SET
    open_count = (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = workspaces.id AND c.status = 'open'),
    open_unassigned_count = (SELECT count(*) FROM conversations AS c
      WHERE c.workspace_id = workspaces.id AND c.status = 'open' AND c.assignee_id IS NULL),
    resolved_count = (SELECT count(*) FROM conversations AS c WHERE c.workspace_id = workspaces.id AND c.status = 'resolved'),
    open_inbound_count = (SELECT count(*) FROM conversations AS c
      WHERE c.workspace_id = workspaces.id AND c.status = 'open' AND c.last_inbound_seq IS NOT NULL)`.execute(db);
  await sql`DELETE FROM agent_view_counts`.execute(db);
  await sql`INSERT INTO agent_view_counts (workspace_id, agent_id, mine, mentioned, caught_up)
    SELECT workspace_id, agent_id, sum(mine), sum(mentioned), sum(caught_up) FROM (
      SELECT c.workspace_id, c.assignee_id AS agent_id, count(*) AS mine, 0 AS mentioned, 0 AS caught_up
        FROM conversations AS c WHERE c.status = 'open' AND c.assignee_id IS NOT NULL
        GROUP BY c.workspace_id, c.assignee_id
      UNION ALL
      SELECT c.workspace_id, m.agent_id, 0, count(*), 0
        FROM mentions AS m JOIN conversations AS c ON c.id = m.conversation_id WHERE c.status = 'open'
        GROUP BY c.workspace_id, m.agent_id
      UNION ALL
      SELECT c.workspace_id, r.agent_id, 0, 0, count(*)
        FROM read_states AS r JOIN conversations AS c ON c.id = r.conversation_id
        WHERE c.status = 'open' AND c.last_inbound_seq IS NOT NULL AND r.last_read_seq >= c.last_inbound_seq
        GROUP BY c.workspace_id, r.agent_id
    ) AS per_view
    GROUP BY workspace_id, agent_id`.execute(db);
}
