import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, DeliveryCircuitRow, JobRow } from './schema.js';

// Background jobs (email, push, webhook deliveries), their attempt log and the circuit breakers of
// their destinations. The runner that uses them is jobs/queue.ts.

type Q = Kysely<Database>;

export interface NewJob {
  workspaceId: string;
  kind: string;
  target: string;
  /** Where it goes (`webhook:<id>`, `push:<origin>`, `smtp`): caps and circuit breakers are per destination. */
  destination: string;
  /** Same key, same job: enqueueing again (an outbox row replayed after a crash) is a no-op. */
  dedupeKey: string;
  payload: unknown;
  /** Not run before this time: an email held while the agent may see the news in Baton first. */
  notBefore?: number;
}

/** A circuit as the runner reasons about it; no row is a closed circuit with no failures. */
export interface CircuitState {
  failures: number;
  trips: number;
  openUntil: number | null;
  lastError: string | null;
}

const toCircuit = (r: Pick<DeliveryCircuitRow, 'failures' | 'trips' | 'open_until' | 'last_error'>): CircuitState => ({
  failures: Number(r.failures),
  trips: Number(r.trips),
  openUntil: r.open_until === null ? null : Number(r.open_until),
  lastError: r.last_error,
});

/**
 * Enqueues jobs; returns how many were new. Use inside the transaction that decided on them. A job
 * for a destination whose circuit is open waits until the circuit's pause ends.
 */
export async function enqueueJobs(db: Q, jobs: NewJob[], now: number): Promise<number> {
  const pausedUntil = new Map<string, number>();
  for (const [workspaceId, destinations] of groupDestinations(jobs)) {
    const open = await db
      .selectFrom('delivery_circuits')
      .select(['destination', 'open_until'])
      .where('workspace_id', '=', workspaceId)
      .where('destination', 'in', destinations)
      .where('open_until', '>', now)
      .execute();
    for (const c of open) pausedUntil.set(`${workspaceId} ${c.destination}`, Number(c.open_until));
  }
  let added = 0;
  for (const job of jobs) {
    const result = await db
      .insertInto('jobs')
      .values({
        workspace_id: job.workspaceId,
        kind: job.kind,
        target: job.target,
        destination: job.destination,
        dedupe_key: job.dedupeKey,
        payload: JSON.stringify(job.payload),
        status: 'pending',
        attempts: 0,
        next_run_at: Math.max(pausedUntil.get(`${job.workspaceId} ${job.destination}`) ?? now, job.notBefore ?? now),
        last_error: null,
        created_at: now,
        finished_at: null,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

function groupDestinations(jobs: NewJob[]): Map<string, string[]> {
  const byWorkspace = new Map<string, Set<string>>();
  for (const j of jobs) {
    const set = byWorkspace.get(j.workspaceId) ?? new Set<string>();
    set.add(j.destination);
    byWorkspace.set(j.workspaceId, set);
  }
  return new Map([...byWorkspace].map(([ws, set]) => [ws, [...set]]));
}

/** A job that was written only to record why it cannot run (no SMTP server, no address). */
export const markJobSkipped = (db: Q, dedupeKey: string, reason: string, at: number) =>
  db.updateTable('jobs').set({ status: 'skipped', last_error: reason, finished_at: at }).where('dedupe_key', '=', dedupeKey).execute();

/** Whether a job of this kind and target was created in (from, to]: the notifier's coalescing check. */
export async function jobCreatedBetween(db: Q, workspaceId: string, kind: string, target: string, from: number, to: number): Promise<boolean> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .where('target', '=', target)
    .where('created_at', '>', from)
    .where('created_at', '<=', to)
    .limit(1)
    .executeTakeFirst();
  return !!row;
}

/**
 * The workspaces that have a job of these kinds due now, in id order. Found by skipping from one
 * workspace with pending jobs to the next through the index (a loose index scan), so the cost
 * grows with the number of such workspaces, not with the size of anyone's backlog.
 */
export async function workspacesWithDueJobs(db: Q, now: number, kinds: string[]): Promise<string[]> {
  if (kinds.length === 0) return [];
  const kindList = sql.join(kinds.map((k) => sql`${k}`));
  const { rows } = await sql<{ id: string }>`
    WITH RECURSIVE ws(id) AS (
      SELECT MIN(workspace_id) FROM jobs WHERE status = 'pending'
      UNION ALL
      SELECT (SELECT MIN(j.workspace_id) FROM jobs j WHERE j.status = 'pending' AND j.workspace_id > ws.id) FROM ws WHERE ws.id IS NOT NULL
    )
    SELECT id FROM ws
    WHERE id IS NOT NULL AND EXISTS (
      SELECT 1 FROM jobs d WHERE d.status = 'pending' AND d.workspace_id = ws.id AND d.next_run_at <= ${now} AND d.kind IN (${kindList})
    )
    ORDER BY id`.execute(db);
  return rows.map((r) => r.id);
}

export type DueJob = Selectable<JobRow> & { circuit_open_until: number | null };

/**
 * A workspace's due jobs, earliest first, leaving out jobs already running and destinations that
 * cannot take another attempt now. Each carries its destination's `open_until` (non-null: the
 * circuit tripped and its pause is over, so the next attempt is a probe).
 */
export async function dueJobsOf(
  db: Q,
  workspaceId: string,
  now: number,
  options: { kinds: string[]; excludeIds: number[]; excludeDestinations: string[]; limit: number },
): Promise<DueJob[]> {
  if (options.kinds.length === 0) return [];
  let q = db
    .selectFrom('jobs')
    .leftJoin('delivery_circuits as c', (join) => join.onRef('c.workspace_id', '=', 'jobs.workspace_id').onRef('c.destination', '=', 'jobs.destination'))
    .selectAll('jobs')
    .select('c.open_until as circuit_open_until')
    .where('jobs.status', '=', 'pending')
    .where('jobs.workspace_id', '=', workspaceId)
    .where('jobs.next_run_at', '<=', now)
    .where('jobs.kind', 'in', options.kinds)
    // Queued in the moment before its circuit opened: it waits like the rest.
    .where((eb) => eb.or([eb('c.open_until', 'is', null), eb('c.open_until', '<=', now)]));
  if (options.excludeIds.length > 0) q = q.where('jobs.id', 'not in', options.excludeIds);
  if (options.excludeDestinations.length > 0) q = q.where('jobs.destination', 'not in', options.excludeDestinations);
  const rows = await q.orderBy('jobs.next_run_at').orderBy('jobs.id').limit(options.limit).execute();
  return rows.map((r) => ({ ...r, circuit_open_until: r.circuit_open_until === null ? null : Number(r.circuit_open_until) }));
}

/**
 * Takes a due job for one attempt: its `next_run_at` moves from `dueAt` (as the picker read it) to
 * `leaseUntil`, so no runner (this process's next pick, another process on the same database)
 * finds it due until the attempt is logged or the lease runs out, and `startedAt` marks it as under
 * way for the delivery log. False: another runner took it first, or it changed since it was read. A
 * runner that dies mid-attempt leaves the job to run again once the lease ends.
 */
export async function claimJob(db: Q, jobId: number, dueAt: number, leaseUntil: number, startedAt: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ next_run_at: leaseUntil, attempt_started_at: startedAt })
    .where('id', '=', jobId)
    .where('status', '=', 'pending')
    .where('next_run_at', '=', dueAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Hands a claimed job back unattempted (the server is stopping): due again when it was. */
export async function releaseJob(db: Q, jobId: number, leaseUntil: number, dueAt: number): Promise<void> {
  await db.updateTable('jobs').set({ next_run_at: dueAt, attempt_started_at: null }).where('id', '=', jobId).where('status', '=', 'pending').where('next_run_at', '=', leaseUntil).execute();
}

export interface AttemptRecord {
  jobId: number;
  workspaceId: string;
  destination: string;
  attempt: number;
  startedAt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** What becomes of the job. */
  status: 'done' | 'failed' | 'pending' | 'skipped';
  nextRunAt: number;
  finishedAt: number | null;
  /** The destination's circuit after this attempt, given the one before (null: closed and clean); omitted when the attempt says nothing about the destination. */
  circuit?: (current: CircuitState | null) => CircuitState | null;
}

/**
 * Logs an attempt and moves its job on, in one transaction, together with the destination's
 * circuit: when the circuit opens (or opens again), the destination's pending jobs wait until the
 * pause ends, this one included. Returns the circuit as it now stands.
 */
export async function recordAttempt(db: Q, a: AttemptRecord, now: number): Promise<CircuitState | null | undefined> {
  // Only the attempt that follows the last one logged moves the job on. Another runner logged this
  // attempt already when this one's claim ran out before it finished (a process stalled past its
  // lease): then this record is dropped, the job and its circuit as the other left them.
  const moved = await db
    .updateTable('jobs')
    .set({
      attempts: a.attempt,
      status: a.status,
      next_run_at: a.nextRunAt,
      attempt_started_at: null,
      last_error: a.ok ? null : (a.error ?? `status ${a.statusCode}`),
      finished_at: a.finishedAt,
    })
    .where('id', '=', a.jobId)
    .where('attempts', '=', a.attempt - 1)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) === 0) return undefined;
  await db
    .insertInto('job_attempts')
    .values({
      job_id: a.jobId,
      attempt: a.attempt,
      at: a.startedAt,
      ok: a.ok ? 1 : 0,
      status_code: a.statusCode,
      error: a.error?.slice(0, 1000) ?? null,
      duration_ms: a.durationMs,
    })
    .execute();
  if (!a.circuit) return undefined;
  const before = await findCircuit(db, a.workspaceId, a.destination);
  const after = a.circuit(before);
  if (after === null) {
    if (before) await db.deleteFrom('delivery_circuits').where('workspace_id', '=', a.workspaceId).where('destination', '=', a.destination).execute();
    return null;
  }
  const values = { failures: after.failures, trips: after.trips, open_until: after.openUntil, last_error: after.lastError?.slice(0, 1000) ?? null, updated_at: now };
  await db
    .insertInto('delivery_circuits')
    .values({ workspace_id: a.workspaceId, destination: a.destination, ...values })
    .onConflict((oc) => oc.columns(['workspace_id', 'destination']).doUpdateSet(values))
    .execute();
  if (after.openUntil !== null && after.openUntil > (before?.openUntil ?? 0)) {
    await db
      .updateTable('jobs')
      .set({ next_run_at: after.openUntil })
      .where('workspace_id', '=', a.workspaceId)
      .where('destination', '=', a.destination)
      .where('status', '=', 'pending')
      .where('next_run_at', '<', after.openUntil)
      .execute();
  }
  return after;
}

export async function findCircuit(db: Q, workspaceId: string, destination: string): Promise<CircuitState | null> {
  const row = await db
    .selectFrom('delivery_circuits')
    .select(['failures', 'trips', 'open_until', 'last_error'])
    .where('workspace_id', '=', workspaceId)
    .where('destination', '=', destination)
    .executeTakeFirst();
  return row ? toCircuit(row) : null;
}

/** The states a job ends in; only these are ever deleted by the retention sweep. */
const FINISHED: JobRow['status'][] = ['done', 'failed', 'skipped'];

/**
 * Deletes up to `batch` finished jobs (delivered, given up, skipped) that finished before `before`,
 * with their attempts; returns how many jobs went. Pending jobs (due, running or waiting for a retry)
 * are never touched. Found through `jobs_due` (status, next_run_at): a finished job's `next_run_at`
 * is at or before its `finished_at`, so the index range holds every candidate and the
 * `finished_at` test decides.
 */
export async function deleteFinishedJobsBefore(db: Q, before: number, batch: number): Promise<number> {
  const ids = (
    await db
      .selectFrom('jobs')
      .select('id')
      .where('status', 'in', FINISHED)
      .where('next_run_at', '<', before)
      .where('finished_at', '<', before)
      .limit(batch)
      .execute()
  ).map((r) => Number(r.id));
  if (ids.length === 0) return 0;
  await db.deleteFrom('job_attempts').where('job_id', 'in', ids).execute();
  const result = await db.deleteFrom('jobs').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
