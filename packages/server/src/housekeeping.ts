import { repeat, type Clock } from './clock.js';
import { idFloor } from './ids.js';
import type { Storage } from './storage/db.js';
import type { Work } from './storage/group-commit.js';
import { deleteIdempotencyKeysBefore, IDEMPOTENCY_RETENTION_MS } from './storage/idempotency.js';
import { deleteRunsBefore } from './storage/workflow-runs.js';

const SWEEP_EVERY_MS = 3600_000;
const BATCH = 1_000;
const DAY_MS = 24 * 3600_000;

/** How long the rules' run log keeps a run unless the operator says otherwise (`BATON_RUN_RETENTION_DAYS`). */
export const RUN_RETENTION_DAYS = 90;

export interface HousekeepingOptions {
  /** Days a run is kept (default `RUN_RETENTION_DAYS`). */
  runRetentionDays?: number;
  /** Rows deleted per unit of work (default 1,000; tests use a few to see the batches). */
  batch?: number;
  onError?: (error: unknown) => void;
}

/** Refuses a retention that is not a whole number of days, at least one. */
export function checkRunRetention(days: number): number {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`the run log's retention must be a whole number of days (at least 1), got ${days}`);
  return days;
}

/**
 * Periodic clean-up on the injected clock: idempotency keys past their retention, and workflow runs
 * older than the run log's (a run is ~0.1–1.5 KB, one to a few per conversation and trigger, so the
 * log would otherwise outgrow the conversations it explains). Each batch is its own background unit,
 * so a large sweep never holds the writer from requests. Tests drive it with `sweep()` or by
 * advancing a manual clock.
 */
export class Housekeeping {
  private schedule: { stop(): void } | null = null;
  private running: Promise<number> | null = null;

  private readonly runRetentionDays: number;
  private readonly batch: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    options: HousekeepingOptions = {},
  ) {
    // startServer checks it before it opens storage (checkRunRetention).
    this.runRetentionDays = options.runRetentionDays ?? RUN_RETENTION_DAYS;
    this.batch = options.batch ?? BATCH;
    this.onError = options.onError ?? ((error) => console.error('[baton] housekeeping failed; will retry', error));
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

  /** Deletes expired idempotency keys and runs, batch by batch; resolves with how many rows. One sweep at a time. */
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
    return (
      (await this.inBatches((trx) => deleteIdempotencyKeysBefore(trx, keysBefore, this.batch))) +
      (await this.inBatches((trx) => deleteRunsBefore(trx, runsBefore, this.batch)))
    );
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
