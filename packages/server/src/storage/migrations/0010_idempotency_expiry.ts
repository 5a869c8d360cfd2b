import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/** Idempotency keys expire (storage/idempotency.ts): the sweep finds the old ones by age. */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.createIndex('idempotency_keys_by_age').on('idempotency_keys').column('created_at').execute();
}
