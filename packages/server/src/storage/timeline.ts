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

export async function upsertMention(db: Q, workspaceId: string, agentId: string, conversationId: string, seq: number) {
  await db
    .insertInto('mentions')
    .values({ workspace_id: workspaceId, agent_id: agentId, conversation_id: conversationId, last_seq: seq })
    .onConflict((oc) => oc.columns(['agent_id', 'conversation_id']).doUpdateSet({ last_seq: seq }))
    .execute();
}

/** The agent's read marks for some conversations (a page of a list). */
export async function readMarks(db: Q, agentId: string, conversationIds: string[]): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('read_states')
    .select(['conversation_id', 'last_read_seq'])
    .where('agent_id', '=', agentId)
    .where('conversation_id', 'in', conversationIds)
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, Number(r.last_read_seq)]));
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
