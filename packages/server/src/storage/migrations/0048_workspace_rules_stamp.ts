import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `workspaces.rules_stamp`: bumped in the unit of work that publishes or deletes a workflow of the
 * workspace (storage/workflows.ts). The rules runner reads it with the workspace lock it takes anyway
 * and keeps the live workflows per (workspace, stamp), so it re-reads them only after they changed,
 * on whichever node the change was made (services/live-workflows.ts).
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  // Steps are random (storage/workflows.ts), so the sum outgrows 32 bits: a 64-bit column on both engines.
  await db.schema.alterTable('workspaces').addColumn('rules_stamp', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
