import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/** `conversations.language`: the customer's language, the contact's when set, else detected from their inbound messages. */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('language', 'text').execute();
}
