import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `outbox_pruned`: per workspace, the highest seq the housekeeping sweep has deleted from the outbox
 * (written in the unit that deletes it). The sweep deletes a prefix of the outbox in id order, so a
 * workspace's rows after this seq are all still there: a socket resuming from an older seq has a
 * gap and must reload (realtime/replay.ts), and a workspace with no rows left still knows its last
 * delivered seq (realtime/fan-out.ts). The create path never writes it.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('outbox_pruned')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', int64, (c) => c.notNull())
    .execute();
}
