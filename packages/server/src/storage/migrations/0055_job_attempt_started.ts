import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `jobs.attempt_started_at`: when the attempt now under way was claimed (`claimJob`), null between
 * attempts. A claimed job's `next_run_at` is its lease's end, which the delivery log would otherwise
 * show as the next attempt while the request is out; with this it says an attempt is running, and
 * since when.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('attempt_started_at', engine === 'postgres' ? 'bigint' : 'integer')
    .execute();
}
