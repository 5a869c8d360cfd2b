import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

// Whole-node figures read when Prometheus scrapes (metrics.ts), across every workspace: each
// reads only rows that are waiting (pending jobs through the status index, the routing queue),
// which stay few on a healthy node however large the history grows.

type Q = Kysely<Database>;

/** Per kind, delivery jobs still to run, and the earliest time one of them is due. */
export async function pendingJobCounts(db: Q): Promise<{ kind: string; pending: number; firstDueAt: number }[]> {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => ['kind', eb.fn.countAll<number>().as('pending'), eb.fn.min('next_run_at').as('first_due_at')])
    .where('status', '=', 'pending')
    .groupBy('kind')
    .orderBy('kind')
    .execute();
  return rows.map((r) => ({ kind: r.kind, pending: Number(r.pending), firstDueAt: Number(r.first_due_at) }));
}

/** Conversations in routing queues, and when the longest-waiting one started waiting (null: none waits). */
export async function routingWaitTotals(db: Q): Promise<{ waiting: number; oldestSince: number | null }> {
  const row = await db
    .selectFrom('routing_waits')
    .select((eb) => [eb.fn.countAll<number>().as('waiting'), eb.fn.min('waiting_since').as('oldest')])
    .executeTakeFirstOrThrow();
  return { waiting: Number(row.waiting), oldestSince: row.oldest === null ? null : Number(row.oldest) };
}
