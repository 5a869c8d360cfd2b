import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Where a workspace's rebuild of its timer rows has got to (services/routing-timers.ts): one row
 * while it runs, deleted when it is done. The rebuild goes in chunks of conversations, in id order,
 * one unit of work each, so a workspace with many open conversations never holds the writer for
 * long; this row lets the next chunk (after a restart too) start where the last one stopped.
 * `after_id` is the last conversation id rebuilt ('' before the first chunk).
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('timer_rebuilds')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id'))
    .addColumn('after_id', 'text', (c) => c.notNull())
    .execute();
}
