import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Q = Kysely<Database>;

export const listTimeline = (db: Q, workspaceId: string, conversationId: string, afterSeq: number, limit: number) =>
  db
    .selectFrom('timeline')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();

export async function latestTimelineSeq(db: Q, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('timeline')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

export async function upsertMention(db: Q, workspaceId: string, agentId: string, conversationId: string, seq: number) {
  await db
    .insertInto('mentions')
    .values({ workspace_id: workspaceId, agent_id: agentId, conversation_id: conversationId, last_seq: seq })
    .onConflict((oc) => oc.columns(['agent_id', 'conversation_id']).doUpdateSet({ last_seq: seq }))
    .execute();
}

/** Moves an agent's read mark forward (never back, so a late request cannot make things unread again). */
export async function markRead(db: Q, workspaceId: string, agentId: string, conversationId: string, seq: number) {
  await db
    .insertInto('read_states')
    .values({ workspace_id: workspaceId, agent_id: agentId, conversation_id: conversationId, last_read_seq: seq })
    .onConflict((oc) =>
      oc.columns(['conversation_id', 'agent_id']).doUpdateSet({ last_read_seq: seq }).where('read_states.last_read_seq', '<', seq),
    )
    .execute();
}
