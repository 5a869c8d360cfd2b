import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The routing queue (services/routing-queue.ts): a conversation a workflow could not assign waits
 * here with the assign action that will place it (the workflow version and the action's index),
 * from `waiting_since` (the conversation's), until an agent becomes eligible; `next_check_at` is
 * when a step times out or a preference drops (null: only when agents change), read on the clock.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('routing_waits')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('action_index', 'integer', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('waiting_since', int64, (c) => c.notNull())
    .addColumn('next_check_at', int64)
    .addPrimaryKeyConstraint('routing_waits_pk', ['workspace_id', 'conversation_id'])
    .execute();
  await db.schema.createIndex('routing_waits_oldest').on('routing_waits').columns(['workspace_id', 'waiting_since', 'conversation_id']).execute();
  await db.schema.createIndex('routing_waits_due').on('routing_waits').columns(['next_check_at']).execute();
}
