import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/storage/schema.js';

/**
 * How long each conversation waited from its creation to the rules' first assignment, in ms, both
 * on the server's clock (null: not assigned yet): those created since `since`, or those of one
 * workspace. Read after a load, in the server's process (bench/http-target.ts, bench/tenant-burst.ts).
 */
export async function placementWaits(db: Kysely<Database>, of: { since: number } | { workspaceId: string }): Promise<(number | null)[]> {
  const which = 'since' in of ? sql`c.created_at >= ${of.since}` : sql`c.workspace_id = ${of.workspaceId}`;
  const { rows } = await sql<{ wait: number | null }>`
    select (select min(t.created_at) from timeline t where t.workspace_id = c.workspace_id and t.conversation_id = c.id and t.event_type = 'assigned') - c.created_at as wait
    from conversations c where ${which}`.execute(db);
  return rows.map((r) => (r.wait === null ? null : Number(r.wait)));
}
