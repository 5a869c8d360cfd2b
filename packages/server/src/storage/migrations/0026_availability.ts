import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Availability (DESIGN §6, issue 9; services/availability.ts).
 *
 * - `workspaces.auto_away_after_sec` (default 300): an online agent with no socket for this long
 *   becomes away. `workspaces.away_policy`: what happens to an away agent's open conversations
 *   (`keep`, `unassign_on_inbound`, `unassign_now`).
 * - `agents.last_seen_at`: refreshed while the agent has a socket on some node (a heartbeat) and
 *   when the last one closes, so "no socket since" is stored and survives a restart or a dead node;
 *   null for an agent that never connected. `agents.auto_away` is 1 while the server made them away
 *   (a reconnect brings only those back). The index serves the auto-away poll: online agents seen
 *   longest ago first, so connected agents (seen within the heartbeat) are never read.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('workspaces').addColumn('auto_away_after_sec', 'integer', (c) => c.notNull().defaultTo(300)).execute();
  await db.schema.alterTable('workspaces').addColumn('away_policy', 'text', (c) => c.notNull().defaultTo('keep')).execute();
  await db.schema.alterTable('agents').addColumn('last_seen_at', int64).execute();
  await db.schema.alterTable('agents').addColumn('auto_away', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('agents_auto_away_due').on('agents').columns(['availability', 'last_seen_at']).execute();
}
