import { repeat, type Clock } from './clock.js';
import type { Storage } from './storage/db.js';
import { deleteIdempotencyKeysBefore, IDEMPOTENCY_RETENTION_MS } from './storage/idempotency.js';

const SWEEP_EVERY_MS = 3600_000;
const BATCH = 1_000;

/**
 * Periodic clean-up on the injected clock: today, idempotency keys past their retention. Tests
 * drive it with `sweep()` or by advancing a manual clock.
 */
export class Housekeeping {
  private schedule: { stop(): void } | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = (error) => console.error('[baton] housekeeping failed; will retry', error),
  ) {}

  start(): void {
    this.schedule ??= repeat(this.clock, SWEEP_EVERY_MS, () => this.sweep(), this.onError);
  }

  stop(): void {
    this.schedule?.stop();
    this.schedule = null;
  }

  /** Deletes expired idempotency keys, batch by batch; resolves with how many. One sweep at a time. */
  sweep(): Promise<number> {
    return (this.running ??= this.sweepAll().finally(() => (this.running = null)));
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  private async sweepAll(): Promise<number> {
    const cutoff = this.clock.now() - IDEMPOTENCY_RETENTION_MS;
    let total = 0;
    for (;;) {
      const deleted = await this.storage.write((trx) => deleteIdempotencyKeysBefore(trx, cutoff, BATCH), 'background');
      total += deleted;
      if (deleted < BATCH) return total;
    }
  }
}
