import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Snooze (services/snooze.ts). A snoozed conversation is stored with `status = 'snoozed'` (the API
 * still says `open`, with `snoozedUntil`): every open view, the Unread walk, the read bands and the
 * view counters select `status = 'open'`, so they leave it out without a new condition on their
 * hot paths, and the Snoozed view pages over the existing `(workspace_id, status, last_message_at)`
 * index. `snoozed_until` is the stored wake-up time the waker polls (`conversations_snoozed_due`,
 * across workspaces, which is what survives a restart). `snoozed_count` is the Snoozed view's
 * counter on the workspace row; no conversation is snoozed before this migration, so 0 is exact.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('conversations').addColumn('snoozed_until', int64).execute();
  await db.schema.alterTable('workspaces').addColumn('snoozed_count', int64, (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('conversations_snoozed_due').on('conversations').columns(['status', 'snoozed_until']).execute();
}
