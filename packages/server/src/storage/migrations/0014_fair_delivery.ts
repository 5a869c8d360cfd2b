import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Fair background delivery (jobs/queue.ts):
 * - `jobs.destination` names where a job goes (a webhook endpoint, a push service origin, the SMTP
 *   server) so the runner can cap attempts per destination and pause a failing one;
 * - due jobs are found per workspace (`jobs_due_by_workspace`), so one tenant's backlog is never
 *   a queue another tenant waits behind; the global due index it replaces is dropped;
 * - `delivery_circuits` keeps each failing destination's circuit breaker, so a pause survives a
 *   restart and the delivery log can show it.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const int64 = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('jobs').addColumn('destination', 'text', (c) => c.notNull().defaultTo('')).execute();
  // Jobs queued before this migration: their kind and target are the closest thing to a destination.
  await sql`UPDATE jobs SET destination = kind || ':' || target`.execute(db);
  await db.schema.dropIndex('jobs_due').execute();
  await db.schema.createIndex('jobs_due_by_workspace').on('jobs').columns(['status', 'workspace_id', 'next_run_at']).execute();

  await db.schema
    .createTable('delivery_circuits')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    /** Failed attempts in a row; a success deletes the row. */
    .addColumn('failures', 'integer', (c) => c.notNull())
    /** Times the circuit opened without a success in between; each doubles the pause. */
    .addColumn('trips', 'integer', (c) => c.notNull())
    /** Open (paused) until then; null while closed. After it, one probe attempt decides. */
    .addColumn('open_until', int64)
    .addColumn('last_error', 'text')
    .addColumn('updated_at', int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_circuits_pk', ['workspace_id', 'destination'])
    .execute();
}
