import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * How long a stored response answers retries of its `Idempotency-Key`. After this the key may be
 * forgotten and a request with it runs as a new one, as with Stripe's keys: retries come within
 * minutes, and without an end the table would grow with every write forever.
 */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;

/**
 * Deletes up to `limit` keys stored before `cutoff`, oldest first; returns how many. Batches keep
 * each delete (one unit of work) short, so writes are not held up behind a large sweep.
 */
export async function deleteIdempotencyKeysBefore(db: Kysely<Database>, cutoff: number, limit: number): Promise<number> {
  const result = await sql`DELETE FROM idempotency_keys WHERE (workspace_id, principal, key) IN (
      SELECT workspace_id, principal, key FROM idempotency_keys WHERE created_at < ${cutoff} ORDER BY created_at LIMIT ${limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
