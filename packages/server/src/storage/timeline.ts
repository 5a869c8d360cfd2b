import type { Kysely } from 'kysely';
import type { Change } from './change.js';
import type { Database } from './schema.js';
import type { Counted } from './view-counters.js';

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

/**
 * The first reply (outbound message) on the conversation after `seq` that `agentId` did not write:
 * a teammate's, the host's or a rule's. Run under the conversation's lock, it sees every reply
 * committed before this one (the reply collision check, `PostMessageBody.seenSeq`).
 */
export const replyAfter = (db: Q, workspaceId: string, conversationId: string, seq: number, agentId: string | null) =>
  db
    .selectFrom('timeline')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', seq)
    .where('kind', '=', 'message')
    .where('direction', '=', 'outbound')
    .where((eb) => (agentId === null ? eb.lit(true) : eb.or([eb('actor_type', '!=', 'agent'), eb('actor_id', 'is', null), eb('actor_id', '!=', agentId)])))
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();

/**
 * Records that a note at `seq` mentions the agent on `conversation` (as it stands in this change).
 * A first mention puts the conversation in the agent's Mentioned view, and its count moves.
 */
export async function upsertMention(change: Change, conversation: Counted, agentId: string, seq: number) {
  // Insert-or-nothing first: whether a row came back is whether the mention is new.
  const inserted = await change.trx
    .insertInto('mentions')
    .values({ workspace_id: change.workspaceId, agent_id: agentId, conversation_id: conversation.id, last_seq: seq })
    .onConflict((oc) => oc.columns(['agent_id', 'conversation_id']).doNothing())
    .returning('agent_id')
    .executeTakeFirst();
  if (inserted) {
    change.counters.mentionAdded(conversation, agentId);
    return;
  }
  await change.trx
    .updateTable('mentions')
    .set({ last_seq: seq })
    .where('agent_id', '=', agentId)
    .where('conversation_id', '=', conversation.id)
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

/**
 * Moves an agent's read mark on `conversation` (as it stands in this change) forward, never back, so
 * a late request cannot make things unread again; the agent's Unread count moves with it.
 */
export async function markRead(change: Change, conversation: Counted, agentId: string, seq: number) {
  await change.counters.readMarkMoving(conversation, agentId, seq);
  await change.trx
    .insertInto('read_states')
    .values({ workspace_id: change.workspaceId, agent_id: agentId, conversation_id: conversation.id, last_read_seq: seq })
    .onConflict((oc) =>
      oc.columns(['conversation_id', 'agent_id']).doUpdateSet({ last_read_seq: seq }).where('read_states.last_read_seq', '<', seq),
    )
    .execute();
}

/** Bodies of a conversation's latest inbound messages, oldest first (language detection). */
export async function recentInboundBodies(db: Q, workspaceId: string, conversationId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('timeline')
    .select('body')
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', conversationId)
    .where('kind', '=', 'message')
    .where('direction', '=', 'inbound')
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.body ?? '').reverse();
}

/**
 * The conversation's latest `assigned` event, whoever assigned it: a rule (`actor_type` workflow,
 * with the run, version and step in `data`) or a person. The away policy requeues only what a rule
 * assigned last; one a person assigned after the rule is theirs, not the rule's.
 */
export async function latestAssignment(db: Kysely<Database>, workspaceId: string, conversationId: string) {
  return db
    .selectFrom('timeline')
    .select(['actor_type', 'actor_id', 'data'])
    .where('conversation_id', '=', conversationId)
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', 'event')
    .where('event_type', '=', 'assigned')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Whether the timeline shows that a timer occurrence which started at `since` has ended since:
 * the conversation was assigned (which ends an unassigned wait and starts a new assignee's
 * unanswered one), unassigned, resolved or snoozed after it, or, for `unanswered`, someone replied
 * after it. The timer rows are kept by an after-commit consumer, so a row can still show an
 * occurrence that a committed change has ended; the timers ask this before firing from it.
 */
export async function occurrenceEndedAfter(db: Q, workspaceId: string, conversationId: string, kind: 'unassigned' | 'unanswered', since: number): Promise<boolean> {
  const endings = kind === 'unassigned' ? ['assigned', 'resolved', 'snoozed'] : ['assigned', 'unassigned', 'resolved', 'snoozed'];
  const row = await db
    .selectFrom('timeline')
    .select('seq')
    .where('conversation_id', '=', conversationId)
    .where('workspace_id', '=', workspaceId)
    .where('created_at', '>', since)
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'event'), eb('event_type', 'in', endings)]),
        ...(kind === 'unanswered' ? [eb.and([eb('kind', '=', 'message'), eb('direction', '=', 'outbound')])] : []),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
