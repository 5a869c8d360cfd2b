import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The `conversation.unassigned_for` / `conversation.unanswered_for` timers (services/routing-timers.ts):
 * one row per open conversation, kept by an after-commit consumer from the committed changes (not
 * by the commands themselves, so creates and messages do no extra work in their unit). A row says
 * since when the conversation has been unassigned, since when the customer has waited for an agent's
 * reply, how many minutes of each have already fired (`*_fired`, so each (conversation, workflow,
 * occurrence) fires once), and when the next live rule's minutes come due (`*_due_at`, null when
 * none): the clock's poll reads only the rows due, through the two due indexes, at any size.
 * `seen_outbox_id` is the last change applied, so a replayed batch changes nothing.
 *
 * No backfill: a conversation open before this migration gets its row from its next change.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('conversation_timers')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('unassigned_since', int64)
    .addColumn('unassigned_fired', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unassigned_due_at', int64)
    .addColumn('awaiting_since', int64)
    .addColumn('assigned_since', int64)
    .addColumn('unanswered_since', int64)
    .addColumn('unanswered_fired', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unanswered_due_at', int64)
    .addColumn('seen_outbox_id', int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_timers_pk', ['workspace_id', 'conversation_id'])
    .execute();
  await db.schema.createIndex('conversation_timers_unassigned_due').on('conversation_timers').columns(['unassigned_due_at']).execute();
  await db.schema.createIndex('conversation_timers_unanswered_due').on('conversation_timers').columns(['unanswered_due_at']).execute();
}
