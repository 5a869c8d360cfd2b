import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The workspace's activity clock: the latest time any change of the workspace has used as "now".
 * Every change already takes the workspace row lock first; it now also takes max(its clock, this)
 * as its time and writes it back, so activity times (`conversations.last_message_at`) never go
 * backwards within a workspace, whatever the server's clock does (an NTP step back, or several
 * nodes whose clocks disagree). The Unread view's read bands (`storage/read-bands.ts`) depend on
 * it: a conversation can only become unread by moving to "now", which is then above every band.
 *
 * Existing workspaces start from their newest conversation activity.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('workspaces').addColumn('last_activity_at', int64, (c) => c.notNull().defaultTo(0)).execute();
  await sql`UPDATE workspaces SET last_activity_at = COALESCE(
    (SELECT max(c.last_message_at) FROM conversations AS c WHERE c.workspace_id = workspaces.id), 0)`.execute(db);
}
