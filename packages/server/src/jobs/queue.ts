import type { Clock, TimerHandle } from '../clock.js';
import type { AttemptOutcome } from '../metrics.js';
import type { Storage } from '../storage/db.js';
import { claimJob, dueJobsOf, recordAttempt, releaseJob, workspacesWithDueJobs, type DueJob } from '../storage/jobs.js';
import { afterFailure, afterSuccess, type BreakerPolicy } from './circuit.js';

export interface Job {
  id: number;
  workspaceId: string;
  kind: string;
  target: string;
  destination: string;
  payload: unknown;
  attempts: number;
  createdAt: number;
}

/** What an attempt reports back for the log. Throwing counts as a failed attempt too. */
export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
  /** A failure that retrying cannot fix (410 Gone from a push service, a refused destination). */
  permanent?: boolean;
  /**
   * Whom a retryable failure reflects on. By default the destination (it is down, slow, or
   * answering errors), which counts towards opening its circuit; `message` when the destination
   * is fine but refused this one message (an SMTP server rejecting one address).
   */
  blame?: 'destination' | 'message';
  /**
   * Nothing to deliver any more (a notification that went stale before its email went out): the
   * job ends as `skipped`, with `error` as the reason, and no destination is blamed.
   */
  skipped?: boolean;
}

export interface JobHandler {
  /** One attempt. `signal` aborts when the attempt times out or the server stops: stop sending then. */
  run(job: Job, signal: AbortSignal): Promise<AttemptResult>;
  /** Delay before attempt `attempts + 1`, or null to give up. */
  retryDelayMs(attempts: number): number | null;
  /** How long one attempt may take, on the runner's clock; past it the attempt fails and is retried. */
  timeoutMs: number;
}

/** How much background work runs at once, and where. */
export interface DeliveryLimits {
  /** Attempts in flight at once, all workspaces together. */
  concurrency: number;
  /** Attempts in flight at once for one workspace: the rest of the slots stay free for the others. */
  perWorkspace: number;
  /** Attempts in flight at once to one destination of a workspace. */
  perDestination: number;
  breaker: BreakerPolicy;
}

export const DEFAULT_DELIVERY_LIMITS: DeliveryLimits = {
  concurrency: 16,
  perWorkspace: 4,
  perDestination: 2,
  breaker: { failures: 5, coolDownMs: 60_000, maxCoolDownMs: 30 * 60_000 },
};

/** A due job the picker chose for this runner. */
interface Picked {
  job: Job;
  /** The job's `next_run_at` when it was picked, which the claim compares against. */
  dueAt: number;
  /** The one attempt a half-open circuit lets through; its destination takes no other until it ends. */
  probe: boolean;
}

interface Running extends Picked {
  controller: AbortController;
  /** Settles once the attempt is logged (or abandoned because the server is stopping). */
  done: Promise<void>;
  /** The server is stopping: the attempt is not logged, so the job runs again after a restart. */
  abandoned: boolean;
}

/**
 * How long past an attempt's timeout its claim holds: the attempt is logged right after the
 * timeout at the latest, so only a runner that died (or stalled that long) lets the lease run out.
 */
export const LEASE_MARGIN_MS = 30_000;

const toJob = (r: DueJob): Job => ({
  id: Number(r.id),
  workspaceId: r.workspace_id,
  kind: r.kind,
  target: r.target,
  destination: r.destination,
  payload: JSON.parse(r.payload),
  attempts: Number(r.attempts),
  createdAt: Number(r.created_at),
});

const destinationKey = (workspaceId: string, destination: string) => `${workspaceId} ${destination}`;

/**
 * Runs due jobs (email, push, webhook deliveries) with retries and backoff, every attempt logged,
 * fairly across workspaces:
 *
 * - at most `concurrency` attempts run at once, at most `perWorkspace` of them for one workspace
 *   and `perDestination` to one destination, so a tenant whose endpoints hang holds only its own
 *   slots and the others keep flowing;
 * - free slots are handed out round-robin, one job per workspace per round, starting after the
 *   workspace served last, so a tenant's backlog is never a queue another tenant waits behind;
 * - every attempt has a timeout on the injected clock, and a destination that keeps failing is
 *   paused by its circuit breaker (jobs/circuit.ts).
 *
 * Jobs are rows: an attempt in flight is still `pending` in the database, claimed until its
 * timeout and a margin (`claimJob`), so a crash mid-attempt retries it once the claim runs out.
 * The runner wakes on the clock (the poll interval) and on `kick()`; tests drive it with
 * `clock.advance()` followed by `runDue()`, without waiting in real time.
 *
 * Several processes on one database each run a runner: the claim lets one of them make each
 * attempt. The caps (concurrency, per workspace, per destination) are each process's own.
 */
export class JobRunner {
  private handlers = new Map<string, JobHandler>();
  private inFlight = new Map<number, Running>();
  private started = 0;
  /** The workspace that got the last slot; the next round starts after it. */
  private cursor = '';
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private timer: TimerHandle | null = null;
  private stopped = true;
  /** Set by `shutdown()`: a pick still under way then starts nothing, since nothing would abandon it. */
  private shuttingDown = false;
  private readonly limits: DeliveryLimits;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly options: {
      limits?: Partial<DeliveryLimits>;
      pollMs?: number;
      onError?: (error: unknown) => void;
      /** Told of each attempt once its outcome is stored (metrics.ts counts them). */
      onAttempt?: (kind: string, outcome: AttemptOutcome) => void;
    } = {},
  ) {
    this.limits = { ...DEFAULT_DELIVERY_LIMITS, ...options.limits };
  }

  /** The kinds of job this runner runs (`webhook`, `email`, `push`). */
  kinds(): string[] {
    return [...this.handlers.keys()];
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /**
   * Runs every job that is due now or becomes due while it runs (the jobs a successful circuit
   * probe lets through), waiting for each attempt to be logged; returns how many attempts it saw
   * start. Attempts already in flight are waited for too.
   */
  async runDue(): Promise<number> {
    const before = this.started;
    for (;;) {
      const startedBefore = this.started;
      await this.pump();
      if (this.inFlight.size === 0 && this.started === startedBefore) return this.started - before;
      await this.settleInFlight();
    }
  }

  /** Call after enqueueing so new jobs run now instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    this.pump().catch((e) => this.options.onError?.(e));
  }

  start(): void {
    this.stopped = false;
    this.shuttingDown = false;
    this.schedule();
  }

  /** Stops the poll and kicks; attempts in flight go on. */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Stops, and abandons the attempts in flight: their requests are aborted and they are not logged,
   * so their jobs stay pending and run again after a restart, as after a crash.
   */
  async shutdown(): Promise<void> {
    this.stop();
    this.shuttingDown = true;
    for (const running of this.inFlight.values()) {
      running.abandoned = true;
      running.controller.abort(new Error('the server is stopping'));
    }
    await this.idle();
  }

  /** Resolves when nothing is being picked and no attempt is in flight. */
  async idle(): Promise<void> {
    while (this.pumping || this.inFlight.size > 0) {
      await this.pumping;
      await this.settleInFlight();
    }
  }

  private async settleInFlight(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((r) => r.done));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.pump()
        .catch((e) => this.options.onError?.(e))
        .finally(() => this.schedule());
    }, this.options.pollMs ?? 1000);
  }

  /** Fills free slots with due jobs; one pass at a time, and another right after if asked meanwhile. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return this.pumping;
    }
    // Cleared in a callback, which runs after the assignment below even when the passes finish
    // without awaiting anything (no free slot).
    const passes = this.fill().finally(() => {
      this.pumping = null;
    });
    this.pumping = passes;
    return passes;
  }

  private async fill(): Promise<void> {
    do {
      this.pumpAgain = false;
      const free = this.limits.concurrency - this.inFlight.size;
      if (free <= 0) continue;
      const picked = await this.pick(free);
      // A shutdown during the pick has already abandoned what was in flight; an attempt begun now
      // would go unaborted, and on a stopped clock its timeout would never end it.
      if (this.shuttingDown) return;
      for (const each of picked) this.begin(each);
    } while (this.pumpAgain);
  }

  /** Up to `free` due jobs, round-robin across workspaces, within the per-workspace and per-destination caps. */
  private async pick(free: number): Promise<Picked[]> {
    const kinds = this.kinds();
    const now = this.clock.now();
    const workspaces = await workspacesWithDueJobs(this.storage.db, now, kinds);
    if (workspaces.length === 0) return [];
    const at = workspaces.findIndex((id) => id > this.cursor);
    const order = at <= 0 ? workspaces : [...workspaces.slice(at), ...workspaces.slice(0, at)];

    const perWorkspace = new Map<string, number>();
    const perDestination = new Map<string, number>();
    const inFlightIds = new Map<string, number[]>();
    for (const { job, probe } of this.inFlight.values()) {
      perWorkspace.set(job.workspaceId, (perWorkspace.get(job.workspaceId) ?? 0) + 1);
      const key = destinationKey(job.workspaceId, job.destination);
      perDestination.set(key, probe ? Number.MAX_SAFE_INTEGER : (perDestination.get(key) ?? 0) + 1);
      inFlightIds.set(job.workspaceId, [...(inFlightIds.get(job.workspaceId) ?? []), job.id]);
    }
    const candidates = new Map<string, DueJob[]>();
    const candidatesOf = async (workspaceId: string) => {
      let list = candidates.get(workspaceId);
      if (!list) {
        const full = [...perDestination].filter(([key, n]) => key.startsWith(`${workspaceId} `) && n >= this.limits.perDestination);
        list = await dueJobsOf(this.storage.db, workspaceId, now, {
          kinds,
          excludeIds: inFlightIds.get(workspaceId) ?? [],
          excludeDestinations: full.map(([key]) => key.slice(workspaceId.length + 1)),
          // Room to skip jobs whose destination fills up within this pick.
          limit: this.limits.perWorkspace * 4,
        });
        candidates.set(workspaceId, list);
      }
      return list;
    };

    const picked: Picked[] = [];
    for (let progress = true; progress && picked.length < free; ) {
      progress = false;
      for (const workspaceId of order) {
        if (picked.length >= free) break;
        if ((perWorkspace.get(workspaceId) ?? 0) >= this.limits.perWorkspace) continue;
        const list = await candidatesOf(workspaceId);
        while (list.length > 0) {
          const row = list.shift()!;
          const key = destinationKey(workspaceId, row.destination);
          const busy = perDestination.get(key) ?? 0;
          // A tripped circuit whose pause is over lets one probe through, alone.
          const probe = row.circuit_open_until !== null;
          if (probe ? busy > 0 : busy >= this.limits.perDestination) continue;
          perDestination.set(key, probe ? Number.MAX_SAFE_INTEGER : busy + 1);
          perWorkspace.set(workspaceId, (perWorkspace.get(workspaceId) ?? 0) + 1);
          picked.push({ job: toJob(row), dueAt: Number(row.next_run_at), probe });
          this.cursor = workspaceId;
          progress = true;
          break;
        }
      }
    }
    return picked;
  }

  private begin(picked: Picked): void {
    const { job } = picked;
    const running: Running = { ...picked, controller: new AbortController(), done: Promise.resolve(), abandoned: false };
    this.inFlight.set(job.id, running);
    running.done = this.attempt(running)
      .catch((e) => this.options.onError?.(e))
      .finally(() => {
        this.inFlight.delete(job.id);
        if (!this.stopped) this.kick();
      });
  }

  private async attempt(running: Running): Promise<void> {
    const { job, dueAt, controller } = running;
    const handler = this.handlers.get(job.kind)!;
    // Claimed first: in-flight is this process's memory, and another process on the same database
    // would otherwise send the same delivery while this one's request is out. The claim's time is
    // also the attempt's logged start, so the log's `attemptingSince` and the attempt's `at` agree.
    const claimedAt = this.clock.now();
    const leaseUntil = claimedAt + handler.timeoutMs + LEASE_MARGIN_MS;
    if (!(await this.storage.write((trx) => claimJob(trx, job.id, dueAt, leaseUntil, claimedAt), 'background'))) return;
    /** An abandoned attempt (the server is stopping) hands its job back, unlogged, for after a restart. */
    const handBack = () => this.storage.write((trx) => releaseJob(trx, job.id, leaseUntil, dueAt), 'background');
    // The server began stopping while the claim was written: nothing is attempted.
    if (running.abandoned) {
      await handBack();
      return;
    }
    this.started++;
    const wallStart = performance.now();
    let timedOut = false;
    const timer = this.clock.setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no response within ${handler.timeoutMs} ms`));
    }, handler.timeoutMs);
    // The attempt ends when the handler does or when it is aborted, whichever comes first: a
    // handler slow to notice the signal cannot hold the slot past its timeout.
    const aborted = new Promise<AttemptResult>((resolve) => {
      controller.signal.addEventListener('abort', () => resolve({ ok: false, error: String((controller.signal.reason as Error)?.message ?? 'aborted') }), { once: true });
    });
    let result: AttemptResult;
    try {
      result = await Promise.race([handler.run(job, controller.signal), aborted]);
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      this.clock.clearTimeout(timer);
    }
    if (running.abandoned) {
      await handBack();
      return;
    }
    if (timedOut) result = { ok: false, error: `no response within ${handler.timeoutMs} ms` };

    const attempt = job.attempts + 1;
    // Backoff counts from the end of the attempt: one that hung until its timeout is not due again at once.
    const ended = this.clock.now();
    const delay = result.ok || result.permanent || result.skipped ? null : handler.retryDelayMs(attempt);
    const countsForDestination = !result.ok && !result.permanent && !result.skipped && result.blame !== 'message';
    const error = result.ok ? null : (result.error ?? `status ${result.statusCode}`);
    const status = result.ok ? 'done' : result.skipped ? 'skipped' : delay === null ? 'failed' : 'pending';
    await this.storage.write((trx) =>
      recordAttempt(
        trx,
        {
          jobId: job.id,
          workspaceId: job.workspaceId,
          destination: job.destination,
          attempt,
          startedAt: claimedAt,
          ok: result.ok,
          statusCode: result.statusCode ?? null,
          error: result.ok ? null : (result.error ?? null),
          durationMs: Math.round(performance.now() - wallStart),
          status,
          nextRunAt: delay === null ? ended : ended + delay,
          finishedAt: result.ok || delay === null ? ended : null,
          ...(result.ok
            ? { circuit: afterSuccess }
            : countsForDestination
              ? { circuit: (current) => afterFailure(current, error!, ended, this.limits.breaker) }
              : {}),
        },
        ended,
      ),
      'background',
    );
    this.options.onAttempt?.(job.kind, ATTEMPT_OUTCOMES[status]);
  }
}

const ATTEMPT_OUTCOMES = { done: 'delivered', pending: 'retrying', failed: 'failed', skipped: 'skipped' } as const satisfies Record<string, AttemptOutcome>;

/** 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h: about 16 h of retries, then give up. */
export function exponentialBackoff(attempts: number, scheduleMs = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000]): number | null {
  return attempts <= scheduleMs.length ? scheduleMs[attempts - 1]! : null;
}
