import { repeat, type Clock } from './clock.js';
import { idFloor } from './ids.js';
import type { Storage } from './storage/db.js';
import type { Work } from './storage/group-commit.js';
import { deleteIdempotencyKeysBefore, IDEMPOTENCY_RETENTION_MS } from './storage/idempotency.js';
import { deleteFinishedJobsBefore } from './storage/jobs.js';
import { deleteNotificationsBefore } from './storage/notifications.js';
import { deleteOutboxBefore, durablePlaces } from './storage/outbox.js';
import { deleteRunsBefore } from './storage/workflow-runs.js';
import { logFailure } from './failure-log.js';

const SWEEP_EVERY_MS = 3600_000;
const BATCH = 1_000;
const DAY_MS = 24 * 3600_000;

/** How long the rules' run log keeps a run unless the operator says otherwise (`BATON_RUN_RETENTION_DAYS`). */
export const RUN_RETENTION_DAYS = 90;
/**
 * How long the outbox keeps a change (`BATON_OUTBOX_RETENTION_DAYS`). Its readers are consumers a few
 * ms behind and sockets reconnecting after minutes or a weekend; a client offline longer reloads
 * from REST (`ready { resync: true }`), which it does anyway past 500 missed changes.
 */
export const OUTBOX_RETENTION_DAYS = 7;
/** How long a finished delivery job stays in the delivery log (`BATON_JOB_RETENTION_DAYS`). */
export const JOB_RETENTION_DAYS = 30;
/** How long a read in-app notification is kept (`BATON_NOTIFICATION_RETENTION_DAYS`). */
export const NOTIFICATION_RETENTION_DAYS = 90;
/**
 * How long an unread one is kept, at least: nobody has seen it yet, and it is in the bell's count, so
 * it outlives read ones; a year on it is noise that would only keep the count from ever reaching 0.
 */
export const UNREAD_NOTIFICATION_RETENTION_DAYS = 365;

export interface HousekeepingOptions {
  /** Days a run is kept (default `RUN_RETENTION_DAYS`). */
  runRetentionDays?: number;
  /** Days an outbox row is kept (default `OUTBOX_RETENTION_DAYS`), unless a consumer still needs it. */
  outboxRetentionDays?: number;
  /** Days a finished job is kept (default `JOB_RETENTION_DAYS`). */
  jobRetentionDays?: number;
  /** Days a read notification is kept (default `NOTIFICATION_RETENTION_DAYS`); unread ones at least a year. */
  notificationRetentionDays?: number;
  /**
   * Outbox rows up to this id have been handed to every consumer of this process, the transient ones
   * (socket fan-out) included (`OutboxRelay.handedToAll`); later rows are kept. Durable consumers'
   * stored places are checked in the database as well, so other processes' are respected too.
   */
  outboxHandedUpTo?: () => number;
  /**
   * The durable consumers this process runs (`OutboxRelay.durableNames`). A stored place of any
   * other name that holds rows past the outbox's retention is warned about (`onWarning`), once a day:
   * the consumer may belong to a process that is down (its rows must stay), or to none any more (a
   * feature removed or renamed), in which case it keeps the outbox growing until it is retired.
   */
  durableConsumers?: () => readonly string[];
  onWarning?: (message: string) => void;
  /** Rows deleted per unit of work (default 1,000; tests use a few to see the batches). */
  batch?: number;
  onError?: (error: unknown) => void;
}

/** Refuses a retention that is not a whole number of days, at least one; `what` names it in the message. */
export function checkRetentionDays(what: string, days: number): number {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`${what} retention must be a whole number of days (at least 1), got ${days}`);
  return days;
}

export const checkRunRetention = (days: number): number => checkRetentionDays("the run log's", days);

/** Every retention with its default filled in, checked; startServer calls it before it opens storage. */
export function checkRetentions(options: Pick<HousekeepingOptions, 'runRetentionDays' | 'outboxRetentionDays' | 'jobRetentionDays' | 'notificationRetentionDays'>) {
  return {
    runRetentionDays: checkRunRetention(options.runRetentionDays ?? RUN_RETENTION_DAYS),
    outboxRetentionDays: checkRetentionDays("the outbox's", options.outboxRetentionDays ?? OUTBOX_RETENTION_DAYS),
    jobRetentionDays: checkRetentionDays("the delivery log's", options.jobRetentionDays ?? JOB_RETENTION_DAYS),
    notificationRetentionDays: checkRetentionDays("notifications'", options.notificationRetentionDays ?? NOTIFICATION_RETENTION_DAYS),
  };
}

/**
 * Periodic clean-up on the injected clock: idempotency keys past their retention, and workflow runs
 * older than the run log's (a run is ~0.1–1.5 KB, one to a few per conversation and trigger, so the
 * log would otherwise outgrow the conversations it explains); outbox rows every consumer is done
 * with, finished delivery jobs and notifications past theirs (docs/decisions.md, session 8). Each
 * batch is its own background unit,
 * so a large sweep never holds the writer from requests. Tests drive it with `sweep()` or by
 * advancing a manual clock.
 */
export class Housekeeping {
  private schedule: { stop(): void } | null = null;
  private running: Promise<number> | null = null;

  private readonly runRetentionDays: number;
  private readonly outboxRetentionDays: number;
  private readonly jobRetentionDays: number;
  private readonly notificationRetentionDays: number;
  private readonly outboxHandedUpTo: () => number;
  private readonly durableConsumers: (() => readonly string[]) | null;
  private readonly onWarning: (message: string) => void;
  /** When each stale durable place was last warned about (epoch ms, the injected clock). */
  private readonly warnedAt = new Map<string, number>();
  private readonly batch: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    options: HousekeepingOptions = {},
  ) {
    // startServer checks them before it opens storage (checkRetentions).
    this.runRetentionDays = options.runRetentionDays ?? RUN_RETENTION_DAYS;
    this.outboxRetentionDays = options.outboxRetentionDays ?? OUTBOX_RETENTION_DAYS;
    this.jobRetentionDays = options.jobRetentionDays ?? JOB_RETENTION_DAYS;
    this.notificationRetentionDays = options.notificationRetentionDays ?? NOTIFICATION_RETENTION_DAYS;
    this.outboxHandedUpTo = options.outboxHandedUpTo ?? (() => Number.POSITIVE_INFINITY);
    this.durableConsumers = options.durableConsumers ?? null;
    this.onWarning = options.onWarning ?? ((message) => console.warn(`[baton] ${message}`));
    this.batch = options.batch ?? BATCH;
    this.onError = options.onError ?? ((error) => logFailure('housekeeping', error));
  }

  start(): void {
    this.schedule ??= repeat(this.clock, SWEEP_EVERY_MS, () => this.sweep(), this.onError);
  }

  stop(): void {
    this.schedule?.stop();
    this.schedule = null;
  }

  /** The oldest time the run log still answers for: runs logged before it are deleted (or about to be). */
  runsKeptSince(): number {
    return this.clock.now() - this.runRetentionDays * DAY_MS;
  }

  /** Deletes expired idempotency keys, runs, outbox rows, jobs and notifications, batch by batch; resolves with how many rows. One sweep at a time. */
  sweep(): Promise<number> {
    return (this.running ??= this.sweepAll().finally(() => (this.running = null)));
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  private async sweepAll(): Promise<number> {
    const now = this.clock.now();
    const keysBefore = now - IDEMPOTENCY_RETENTION_MS;
    const runsBefore = idFloor('run', this.runsKeptSince());
    const outboxBefore = now - this.outboxRetentionDays * DAY_MS;
    const jobsBefore = now - this.jobRetentionDays * DAY_MS;
    const readBefore = idFloor('ntf', now - this.notificationRetentionDays * DAY_MS);
    const unreadBefore = idFloor('ntf', now - Math.max(this.notificationRetentionDays, UNREAD_NOTIFICATION_RETENTION_DAYS) * DAY_MS);
    const batch = this.batch;
    let total = 0;
    total += await this.inBatches((trx) => deleteIdempotencyKeysBefore(trx, keysBefore, batch));
    total += await this.inBatches((trx) => deleteRunsBefore(trx, runsBefore, batch));
    // Where the relay is, read for each batch: a row this process has not handed on stays.
    total += await this.inBatches((trx) => deleteOutboxBefore(trx, { before: outboxBefore, keepFrom: this.outboxHandedUpTo(), batch }));
    await this.warnAboutStalePlaces(now, outboxBefore);
    total += await this.inBatches((trx) => deleteFinishedJobsBefore(trx, jobsBefore, batch));
    total += await this.walk((trx, after) => deleteNotificationsBefore(trx, { readBefore, unreadBefore, after, batch }));
    return total;
  }

  /** See `HousekeepingOptions.durableConsumers`. */
  private async warnAboutStalePlaces(now: number, outboxBefore: number): Promise<void> {
    if (!this.durableConsumers) return;
    const ours = new Set(this.durableConsumers());
    for (const place of await durablePlaces(this.storage.db)) {
      if (ours.has(place.name) || place.pendingSince === null || place.pendingSince >= outboxBefore) continue;
      const last = this.warnedAt.get(place.name);
      if (last !== undefined && now - last < DAY_MS) continue;
      this.warnedAt.set(place.name, now);
      const days = Math.floor((now - place.pendingSince) / DAY_MS);
      this.onWarning(
        `the outbox keeps every change since ${new Date(place.pendingSince).toISOString()} (${days} days) for durable consumer "${place.name}", ` +
          `which this process does not run. If no process runs it any more, retire it: baton consumers retire ${place.name} --db FILE`,
      );
    }
  }

  /** Like `inBatches` for a delete that steps over rows it keeps: each unit goes on from where the last stopped. */
  private async walk(step: (trx: Parameters<Work<unknown>>[0], after: string) => Promise<{ deleted: number; next: string | null }>): Promise<number> {
    let total = 0;
    for (let after: string | null = ''; after !== null; ) {
      const from: string = after;
      const done = await this.storage.write((trx) => step(trx, from), 'background');
      total += done.deleted;
      after = done.next;
    }
    return total;
  }

  private async inBatches(deleteBatch: Work<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.storage.write(deleteBatch, 'background');
      total += deleted;
      if (deleted < this.batch) return total;
    }
  }
}
