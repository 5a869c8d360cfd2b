import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `conversations_snoozed_due` holds only snoozed rows. Its one reader, the snooze waker, asks for
 * `status = 'snoozed'` and repeats the index's WHERE, so both planners still use it; every other
 * conversation (all of them on the create path) no longer writes an entry into it, one b-tree less
 * per create and per status change (docs/benchmarks.md).
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.dropIndex('conversations_snoozed_due').execute();
  await db.schema
    .createIndex('conversations_snoozed_due')
    .on('conversations')
    .columns(['snoozed_until'])
    .where(sql.ref('status'), '=', 'snoozed')
    .execute();
}
