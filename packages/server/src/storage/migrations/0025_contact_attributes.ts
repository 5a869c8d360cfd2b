import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Contacts carry the host's own fields (DESIGN §3 `attributes`: string, number or boolean values,
 * e.g. `plan: 'enterprise'`), as a JSON object; rules read them as `contact.attributes.<key>`.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}')).execute();
}
