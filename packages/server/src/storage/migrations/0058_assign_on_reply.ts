import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * `workspaces.assign_on_reply`: 1 when an agent's reply to a conversation nobody is assigned to
 * assigns it to them (`Workspace.assignOnReply`). 0 for every workspace until an admin turns it on,
 * so replies behave as they did.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema
    .alterTable('workspaces')
    .addColumn('assign_on_reply', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
