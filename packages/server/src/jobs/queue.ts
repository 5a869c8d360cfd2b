import type { Kysely, Selectable } from 'kysely';
import type { Clock, TimerHandle } from '../clock.js';
import { Mutex } from '../outbox/mutex.js';
import type { Database, JobRow } from '../storage/schema.js';

export interface NewJob {
  workspaceId: string;
  kind: string;
  target: string;
  /** Same key, same job: enqueueing again (an outbox row replayed after a crash) is a no-op. */
  dedupeKey: string;
  payload: unknown;
}

export interface Job {
  id: number;
  workspaceId: string;
  kind: string;
  target: string;
  payload: unknown;
  attempts: number;
  createdAt: number;
}

/** What an attempt reports back for the log. Throwing counts as a failed attempt too. */
export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
  /** A failure that retrying cannot fix (410 Gone from a push service, say). */
  permanent?: boolean;
}

export interface JobHandler {
  run(job: Job): Promise<AttemptResult>;
  /** Delay before attempt `attempts + 1`, or null to give up. */
  retryDelayMs(attempts: number): number | null;
}

/** Enqueues jobs; returns how many were new. Use inside the transaction that decided on them. */
export async function enqueueJobs(db: Kysely<Database>, jobs: NewJob[], now: number): Promise<number> {
  let added = 0;
  for (const job of jobs) {
    const result = await db
      .insertInto('jobs')
      .values({
        workspace_id: job.workspaceId,
        kind: job.kind,
        target: job.target,
        dedupe_key: job.dedupeKey,
        payload: JSON.stringify(job.payload),
        status: 'pending',
        attempts: 0,
        next_run_at: now,
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

const toJob = (r: Selectable<JobRow>): Job => ({
  id: Number(r.id),
  workspaceId: r.workspace_id,
  kind: r.kind,
  target: r.target,
  payload: JSON.parse(r.payload),
  attempts: Number(r.attempts),
  createdAt: Number(r.created_at),
});

/**
 * Runs due jobs with retries and backoff, every attempt logged. It wakes on the injected clock
 * (at the earliest due job, or the poll interval), so tests drive retries with `clock.advance()`
 * followed by `runDue()`, without waiting in real time.
 */
export class JobRunner {
  private handlers = new Map<string, JobHandler>();
  private mutex = new Mutex();
  private timer: TimerHandle | null = null;
  private stopped = true;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly options: { pollMs?: number; batchSize?: number; onError?: (error: unknown) => void } = {},
  ) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Runs every job due now, once each; returns how many attempts were made. */
  runDue(): Promise<number> {
    return this.mutex.run(async () => {
      const now = this.clock.now();
      const kinds = [...this.handlers.keys()];
      if (kinds.length === 0) return 0;
      const rows = await this.db
        .selectFrom('jobs')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_run_at', '<=', now)
        .where('kind', 'in', kinds)
        .orderBy('next_run_at')
        .orderBy('id')
        .limit(this.options.batchSize ?? 100)
        .execute();
      for (const row of rows) await this.attempt(toJob(row));
      return rows.length;
    });
  }

  private async attempt(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind)!;
    const started = this.clock.now();
    const wallStart = performance.now();
    let result: AttemptResult;
    try {
      result = await handler.run(job);
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    const attempts = job.attempts + 1;
    const delay = result.ok || result.permanent ? null : handler.retryDelayMs(attempts);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('job_attempts')
        .values({
          job_id: job.id,
          attempt: attempts,
          at: started,
          ok: result.ok ? 1 : 0,
          status_code: result.statusCode ?? null,
          error: result.error?.slice(0, 1000) ?? null,
          duration_ms: Math.round(performance.now() - wallStart),
        })
        .execute();
      await trx
        .updateTable('jobs')
        .set({
          attempts,
          status: result.ok ? 'done' : delay === null ? 'failed' : 'pending',
          next_run_at: delay === null ? started : started + delay,
          last_error: result.ok ? null : (result.error ?? `status ${result.statusCode}`),
          finished_at: result.ok || delay === null ? started : null,
        })
        .where('id', '=', job.id)
        .execute();
    });
  }

  /** Resolves when no run is in progress. */
  idle(): Promise<void> {
    return this.mutex.run(() => undefined);
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Call after enqueueing so new jobs run now instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    void this.runDue().catch((e) => this.options.onError?.(e));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.runDue()
        .catch((e) => this.options.onError?.(e))
        .finally(() => this.schedule());
    }, this.options.pollMs ?? 1000);
  }
}

/** 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h: about 16 h of retries, then give up. */
export function exponentialBackoff(attempts: number, scheduleMs = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000]): number | null {
  return attempts <= scheduleMs.length ? scheduleMs[attempts - 1]! : null;
}
