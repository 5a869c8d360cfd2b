import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Agents can be deactivated (`active = 0`): they cannot sign in or be assigned, routed to or
 * mentioned, and keep their history. Existing agents stay active. (0011 is taken by other work.)
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('agents').addColumn('active', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}
